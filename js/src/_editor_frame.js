// Editor frames. Each widget shows its editor in an iframe of its own (the editor's CSS, globals and
// page-wide hotkeys stay inside it). Booting an editor means evaluating ~7 MB of the web app in the
// frame (`_editor_boot.js`), so a frame is started before the widget is on screen: when the widget's
// model is created (while the kernel still reads the tasks), and, once a widget shows its editor, a
// spare one for the page's next widget. They boot in a hidden holder and are moved into the widget
// with `moveBefore`, which keeps an iframe's document (a plain DOM move would reload it). Browsers
// without `moveBefore` boot each widget's frame in place, when the widget renders.
import { getBundle } from "./_bundle.js";
import { bootEditor, frameHtml } from "./_editor_boot.js";
import { mark, pageState } from "./_page.js";

const CAN_MOVE = typeof Element !== "undefined" && typeof Element.prototype.moveBefore === "function";

// -- pausing spare boots while a widget waits --------------------------------------------------------
// Widgets waiting for a task they asked for (next, skip, submit…): a spare frame's boot, which holds
// the page's thread ~0.1 s at a time, waits until none is, so it does not delay what the user waits for.
export function awaitingTask(view, waiting) {
  const s = pageState();
  if (waiting) s.waiting.add(view);
  else if (s.waiting.delete(view) && !s.waiting.size) s.quiet.splice(0).forEach((resume) => resume());
}

// Resolves at once for a frame a widget waits for; for a spare, once no widget waits for a task.
function gate(frame) {
  const s = pageState();
  if (!frame.gated || !s.waiting.size) return null;
  return new Promise((resume) => {
    frame.resume = resume;
    s.quiet.push(resume);
  });
}

function claim(frame) {
  frame.gated = false;
  if (frame.resume) frame.resume();
}

// -- frames ------------------------------------------------------------------------------------------
function holder() {
  const s = pageState();
  if (!s.holder || !s.holder.isConnected) {
    const div = document.createElement("div");
    div.className = "lsn-lab-spares";
    div.setAttribute("aria-hidden", "true");
    div.style.cssText =
      "position:fixed;left:-10000px;top:0;width:1000px;height:620px;overflow:hidden;" +
      "visibility:hidden;pointer-events:none";
    document.body.append(div);
    s.holder = div;
  }
  return s.holder;
}

// The frame's window once its page loaded, with the errors raised in it recorded.
function frameLoaded(frame) {
  return new Promise((resolve) => {
    frame.iframe.addEventListener(
      "load",
      () => {
        mark("frame-load");
        const win = frame.iframe.contentWindow;
        frame.win = win;
        win.__lsnErrors = []; // tests read (and reset) them
        const fail = (message) => {
          win.__lsnErrors.push(message);
          frame.failure ||= message;
          if (frame.onError) frame.onError(message);
        };
        win.addEventListener("error", (e) => fail(String(e.message || e.error)));
        win.addEventListener("unhandledrejection", (e) => fail(String((e.reason && e.reason.message) || e.reason)));
        if (frame.mode) win.document.documentElement.className = frame.mode;
        resolve(win);
      },
      { once: true },
    );
  });
}

// A frame: its <iframe>, `ready` (the booted LabelStudio class), the first error raised in it, and
// `onError`, set by the widget that shows it.
function createFrame(entry, parent) {
  const iframe = document.createElement("iframe");
  iframe.title = "Label Studio editor";
  const frame = { iframe, failure: null, onError: null, mode: "", win: null, gated: false, failed: false };
  const loaded = frameLoaded(frame);
  iframe.srcdoc = frameHtml();
  parent.append(iframe);
  frame.ready = Promise.all([entry.promise, loaded]).then(([bundle, win]) =>
    bootEditor(win, bundle, () => gate(frame)),
  );
  frame.ready.catch(() => (frame.failed = true)); // the widget shows the error
  const booting = pageState().booting;
  booting.add(frame.ready);
  frame.ready.catch(() => {}).finally(() => booting.delete(frame.ready));
  return frame;
}

export function setFrameMode(frame, fixedHeight) {
  frame.mode = fixedHeight ? "lsn-fixed" : "lsn-auto";
  if (frame.win) frame.win.document.documentElement.className = frame.mode;
}

// -- the page's spare frame ----------------------------------------------------------------------------
// The page's spare for `version`, if it can still be used.
function usableSpare(version) {
  const spare = pageState().spares[version];
  return spare && spare.iframe.isConnected && !spare.failed ? spare : null;
}

// Starts a hidden frame for the page's next widget, unless one is there already.
// `gated`: boot only while no widget waits for a task (a spare made after a widget showed its editor).
export function prepareFrame(version, request, gated = false) {
  if (!CAN_MOVE || typeof document === "undefined" || !document.body) return;
  const spare = usableSpare(version);
  if (spare) {
    if (!gated) claim(spare); // a widget is on its way: boot without waiting
    return;
  }
  const frame = createFrame(getBundle(version, request), holder());
  frame.gated = gated;
  pageState().spares[version] = frame;
}

// The same once no other frame is booting (a widget just showed its editor: the spare is ready by the
// time the user runs the next cell, and a widget opened meanwhile starts its own).
export function prepareFrameSoon(version, request) {
  const booting = pageState().booting;
  Promise.allSettled([...booting]).then(() =>
    setTimeout(() => (booting.size ? prepareFrameSoon(version, request) : prepareFrame(version, request, true)), 0),
  );
}

// Puts a frame that was never shown back as the page's spare.
function releaseFrame(version, frame) {
  if (!frame.failed && !usableSpare(version)) {
    frame.onError = null;
    pageState().spares[version] = frame;
  } else {
    frame.iframe.remove();
  }
}

// Moves `frame` into `box` as soon as `box` is in the page (anywidget attaches a view's element after
// `render` returned). `placed` resolves then; `cancel()` (the view went away first) puts the frame
// back as the page's spare and rejects `placed`.
function placeWhenAttached(box, frame, version) {
  let watch = null;
  let cancel = () => {};
  const placed = new Promise((resolve, reject) => {
    const attach = () => {
      if (!box.isConnected) return false;
      if (watch) watch.disconnect();
      cancel = () => {};
      box.moveBefore(frame.iframe, null);
      resolve();
      return true;
    };
    if (attach()) return;
    watch = new MutationObserver(attach);
    watch.observe(document.body, { childList: true, subtree: true });
    cancel = () => {
      watch.disconnect();
      cancel = () => {};
      releaseFrame(version, frame);
      reject(new Error("the widget was removed"));
    };
  });
  return { placed, cancel: () => cancel() };
}

// A frame for a widget's `box`: the page's spare when there is one (see placeWhenAttached), else a
// new one booted in place. Returns `{ frame, placed, cancel }`.
export function frameFor(box, version, request) {
  const spare = usableSpare(version);
  if (!spare) {
    const frame = createFrame(getBundle(version, request), box);
    return { frame, placed: Promise.resolve(), cancel: () => {} };
  }
  delete pageState().spares[version];
  claim(spare);
  mark("spare");
  return { frame: spare, ...placeWhenAttached(box, spare, version) };
}
