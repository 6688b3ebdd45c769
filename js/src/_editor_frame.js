// Loads Label Studio's own editor into a same-origin <iframe srcdoc> from file buffers the kernel
// sent once per page. The server's web app is a webpack build; we load its runtime, keep main.js's
// startup from booting the app, get the runtime's require through a dummy chunk, and require the
// editor module the way the app does. Chunk and module ids come from the kernel (found in main.js).

const STORE = "__lsNotebookEditor";
const TYPES = { js: "text/javascript", css: "text/css", wasm: "application/wasm", ttf: "font/ttf" };

// Benchmarks set globalThis.__lsnTrace = [] to get the time of each step of a widget's start.
export function mark(name) {
  const trace = globalThis.__lsnTrace;
  if (trace) trace.push([performance.now(), name]);
}

function store() {
  return (globalThis[STORE] ||= { bundles: {}, spares: {}, booting: new Set(), waiting: new Set(), quiet: [] });
}

// Widgets waiting for a task they asked for (next, skip, submit…): a spare frame's boot, which holds
// the page's thread ~0.1 s at a time, waits until none is, so it does not delay what the user waits for.
export function awaitingTask(view, waiting) {
  const s = store();
  if (waiting) s.waiting.add(view);
  else if (s.waiting.delete(view) && !s.waiting.size) s.quiet.splice(0).forEach((resume) => resume());
}

// Resolves at once for a frame a widget waits for; for a spare, once no widget waits for a task.
function gate(frame) {
  const s = store();
  if (!frame.gated || !s.waiting.size) return null;
  return new Promise((resume) => {
    frame.resume = resume;
    s.quiet.push(resume);
  });
}

function blobUrl(buffer, name) {
  const ext = name.split(".").pop();
  return URL.createObjectURL(new Blob([buffer], { type: TYPES[ext] || "application/octet-stream" }));
}

// The kernel sends the files in two messages: first the scripts the editor starts with (RUNTIME),
// which the frames start evaluating while the others (chunks, style sheets, fonts, wasm) arrive.
const RUNTIME = ["runtime.js", "vendor.js", "main.js"];

// A bundle being received: `urls` fills in as parts arrive; `complete` resolves with the last one.
function newBundle(manifest) {
  const bundle = { manifest, urls: {}, fontCss: new Set(manifest.font_css || []) };
  bundle.complete = new Promise((resolve) => (bundle.finish = resolve));
  return bundle;
}

// Turns one part's buffers into blob URLs; style sheets naming the fonts are rewritten once the
// fonts have theirs (the kernel says which sheets: decoding the others, 1.6 MB, would be wasted).
function addPart(bundle, names, buffers) {
  const { urls, fontCss } = bundle;
  names.forEach((name, i) => {
    if (!fontCss.has(name)) urls[name] = blobUrl(buffers[i], name);
  });
  const decoder = new TextDecoder();
  names.forEach((name, i) => {
    if (!fontCss.has(name)) return;
    const css = decoder
      .decode(buffers[i])
      .replace(/url\(\/static\/fonts\/([\w.-]+)\)/g, (m, f) => (urls[`fonts/${f}`] ? `url(${urls[`fonts/${f}`]})` : m));
    urls[name] = blobUrl(new TextEncoder().encode(css), name);
  });
  if (bundle.manifest.names.every((n) => n in urls)) bundle.finish();
}

// One bundle per Label Studio version per page. The kernel sends it unasked with its first widget,
// before the widget is displayed; a widget that renders while the page has none of it (a reload, a
// second page, a frontend that dropped the early message) asks, once per page (`request`; null:
// don't ask yet).
export function getBundle(version, request) {
  const bundles = store().bundles;
  let entry = bundles[version];
  if (!entry || entry.failed) {
    entry = bundles[version] = {};
    entry.promise = new Promise((resolve, reject) => {
      entry.resolve = resolve;
      entry.reject = (e) => {
        entry.failed = true;
        reject(e);
      };
    });
  }
  if (request && !entry.requested && !entry.bundle) {
    entry.requested = performance.now();
    request();
  }
  return entry;
}

// `names`: the files of this message's buffers (all of them when the kernel sends one message).
export function receiveBundle(manifest, buffers, names = manifest.names) {
  const entry = store().bundles[manifest.version];
  if (!entry || (entry.bundle && entry.bundle.done)) return;
  mark(`bundle-received ${names.length}`);
  if (manifest.sent) mark(`transfer=${(performance.timeOrigin + performance.now() - manifest.sent).toFixed(0)}`);
  const bundle = (entry.bundle ||= newBundle(manifest));
  addPart(bundle, names, buffers);
  mark("bundle-urls");
  bundle.complete.then(() => (bundle.done = true));
  if (RUNTIME.every((n) => n in bundle.urls)) entry.resolve(bundle);
}

export function rejectBundle(version, message) {
  const entry = store().bundles[version];
  if (entry && !entry.bundle) entry.reject(new Error(message));
}

function loadScript(doc, src) {
  return new Promise((resolve, reject) => {
    const s = doc.createElement("script");
    s.src = src;
    s.onload = () => resolve();
    s.onerror = () => reject(new Error(`could not load ${src}`));
    doc.head.append(s);
  });
}

function loadStyle(doc, href, name) {
  return new Promise((resolve) => {
    const link = doc.createElement("link");
    link.rel = "stylesheet";
    link.href = href;
    link.setAttribute("data-href", name); // the runtime looks for this before loading a CSS chunk
    link.onload = link.onerror = () => resolve();
    doc.head.append(link);
  });
}

// Label Studio's editor lays itself out in the height of its container: its side column (Info/History
// over Regions/Relations) splits that height between its panels, whose contents need ~300 px each.
// An auto-sized frame is therefore never shorter than this while it shows a task.
export const MIN_EDITOR_HEIGHT = 620;

// The frame's page. Its <html> class says how it is sized: "lsn-fixed", the editor fills a frame of a
// set height (image, audio); "lsn-auto", the frame follows the editor's height (see `autoHeight` in
// labeling.js), at least MIN_EDITOR_HEIGHT. Label Studio's CSS gives <body> `min-height: 100vh;
// width: 100vw` (it expects to own the window): in an auto-sized frame the body could then never be
// shorter than the frame, which could only grow.
export function frameHtml() {
  const css = [
    "html,body{margin:0;padding:0;background:#fff;color:#1f1f1f;color-scheme:light}",
    "html>body{min-height:0;width:auto}",
    "#lsn-root{display:flex;flex-direction:column}",
    "#lsn-root>*{flex:1 1 auto}",
    "html.lsn-fixed,html.lsn-fixed>body{height:100%}",
    "html.lsn-fixed #lsn-root{min-height:100%}",
    `html.lsn-auto #lsn-root:not(:empty){min-height:${MIN_EDITOR_HEIGHT}px}`,
    // A narrow editor stacks its panels under the main area, at their own height: no minimum then.
    "html.lsn-auto #lsn-root:has(.lsf-sidepanels_collapsed){min-height:0}",
  ].join("");
  return (
    `<!doctype html><html><head><meta charset="utf-8"><style>${css}</style></head>` +
    '<body><div id="lsn-root"></div></body></html>'
  );
}

// -- editor frames ---------------------------------------------------------------------------------
// Each widget shows its editor in an iframe of its own (the editor's CSS, globals and page-wide
// hotkeys stay inside it). Booting an editor means evaluating ~7 MB of the web app in the frame, so
// a frame is started before the widget is on screen: when the widget's model is created (while the
// kernel still reads the tasks), and, once a widget shows its editor, a spare one for the page's next
// widget. They boot in a hidden holder and are moved into the widget with `moveBefore`, which keeps
// an iframe's document (a plain DOM move would reload it). Browsers without `moveBefore` boot each
// widget's frame in place, when the widget renders.
const CAN_MOVE = typeof Element !== "undefined" && typeof Element.prototype.moveBefore === "function";

function holder() {
  const s = store();
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

// A frame: its <iframe>, `ready` (the booted LabelStudio class), the first error raised in it, and
// `onError`, set by the widget that shows it.
function createFrame(entry, parent) {
  const iframe = document.createElement("iframe");
  iframe.title = "Label Studio editor";
  const frame = { iframe, failure: null, onError: null, mode: "", win: null };
  const loaded = new Promise((resolve) => {
    iframe.addEventListener(
      "load",
      () => {
        mark("frame-load");
        const win = iframe.contentWindow;
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
  iframe.srcdoc = frameHtml();
  parent.append(iframe);
  frame.ready = Promise.all([entry.promise, loaded]).then(([bundle, win]) =>
    bootEditor(win, bundle, () => gate(frame)),
  );
  const booting = store().booting;
  booting.add(frame.ready);
  frame.ready.catch(() => {}).finally(() => booting.delete(frame.ready)); // errors: the widget shows them
  return frame;
}

// Starts a hidden frame for the page's next widget, unless one is there already.
// `gated`: boot only while no widget waits for a task (a spare made after a widget showed its editor).
export function prepareFrame(version, request, gated = false) {
  if (!CAN_MOVE || typeof document === "undefined" || !document.body) return;
  const spares = (store().spares ||= {});
  const spare = spares[version];
  if (spare && spare.iframe.isConnected && !spare.failed) {
    if (!gated) claim(spare); // a widget is on its way: boot without waiting
    return;
  }
  const entry = getBundle(version, request);
  const frame = createFrame(entry, holder());
  frame.gated = gated;
  frame.ready.catch(() => (frame.failed = true));
  spares[version] = frame;
}

function claim(frame) {
  frame.gated = false;
  if (frame.resume) frame.resume();
}

// The same once no other frame is booting (a widget just showed its editor: the spare is ready by the
// time the user runs the next cell, and a widget opened meanwhile starts its own).
export function prepareFrameSoon(version, request) {
  const booting = store().booting;
  Promise.allSettled([...booting]).then(() =>
    setTimeout(() => (booting.size ? prepareFrameSoon(version, request) : prepareFrame(version, request, true)), 0),
  );
}

// A frame for a widget's `box`: the page's spare when there is one (moved in once `box` is in the
// page; `placed` resolves then, or rejects if `alive()` turned false first and the spare went back),
// else a new one booted in place.
export function frameFor(box, version, request, alive) {
  const spares = store().spares || {};
  const spare = spares[version];
  if (spare && spare.iframe.isConnected && !spare.failed) {
    delete spares[version];
    claim(spare);
    mark("spare");
    // A widget's element is attached to the page after it rendered: move the frame in at that moment.
    const placed = new Promise((resolve, reject) => {
      let watch = null;
      let poll = null;
      const check = () => {
        if (!alive()) {
          releaseFrame(version, spare);
          reject(new Error("the widget was removed"));
        } else if (box.isConnected) {
          box.moveBefore(spare.iframe, null);
          resolve();
        } else {
          return false;
        }
        if (watch) watch.disconnect();
        clearInterval(poll);
        return true;
      };
      if (!check()) {
        watch = new MutationObserver(check);
        watch.observe(document.body, { childList: true, subtree: true });
        poll = setInterval(check, 200); // notices a widget removed before it was ever attached
      }
    });
    return { frame: spare, placed };
  }
  const frame = createFrame(getBundle(version, request), box);
  return { frame, placed: Promise.resolve() };
}

// Puts a frame that was never shown back as the page's spare.
function releaseFrame(version, frame) {
  const spares = (store().spares ||= {});
  if (!frame.failed && !(spares[version] && spares[version].iframe.isConnected)) {
    frame.onError = null;
    spares[version] = frame;
  } else {
    frame.iframe.remove();
  }
}

export function setFrameMode(frame, fixedHeight) {
  frame.mode = fixedHeight ? "lsn-fixed" : "lsn-auto";
  if (frame.win) frame.win.document.documentElement.className = frame.mode;
}

// Evaluates the editor inside `win` (the iframe's window); resolves with its LabelStudio class.
export async function bootEditor(win, bundle, wait = () => null) {
  const { manifest, urls } = bundle;
  const doc = win.document;
  // Media reach the editor as blob: URLs. Its audio loader appends `?lsref=1` to the URL it
  // requests, which no blob: URL resolves: drop a query from blob: URLs at the request.
  const open = win.XMLHttpRequest.prototype.open;
  win.XMLHttpRequest.prototype.open = function (method, url, ...rest) {
    const u = String(url);
    return open.call(this, method, u.startsWith("blob:") ? u.replace(/\?.*$/, "") : url, ...rest);
  };
  const styles = manifest.names.filter((n) => n.endsWith(".css"));
  mark("boot");
  // The style sheets load while the scripts run: the editor needs them only when it renders a task.
  const styled = bundle.complete.then(() => Promise.all(styles.map((n) => loadStyle(doc, urls[n], n))));
  await loadScript(doc, urls["runtime.js"]);
  const chunks = win.webpackChunklabelstudio;
  const push = chunks.push;
  // main.js's startup callback would boot the whole app: drop it, keep its modules.
  chunks.push = (chunk) => push.call(chunks, chunk[0][0] === "lsn" ? chunk : chunk.slice(0, 2));
  await wait();
  await loadScript(doc, urls["vendor.js"]);
  mark("vendor");
  await loadScript(doc, urls["main.js"]);
  mark("main");
  await bundle.complete; // the chunks, style sheets and assets
  mark("complete");
  await wait();
  let req;
  chunks.push([["lsn"], {}, (r) => (req = r)]);
  req.p = "";
  const chunkFile = req.u;
  req.u = (id) => urls[`${id}.js`] || chunkFile(id);
  await Promise.all(manifest.editor_chunks.map((id) => req.e(id)));
  mark("chunks");
  // Modules whose value is `publicPath + "x.wasm"` are evaluated with the public path set to the
  // asset's blob URL (a fragment is ignored when fetching), so workers can fetch it.
  for (const [asset, ids] of Object.entries(manifest.asset_modules || {})) {
    if (!urls[asset]) continue;
    req.p = `${urls[asset]}#`;
    for (const id of ids) req(id);
  }
  req.p = "";
  mark("assets");
  if (manifest.tailwind_module != null) {
    const mod = req(manifest.tailwind_module);
    const style = doc.createElement("style");
    style.textContent = String(mod.A || mod.default || mod);
    doc.head.append(style);
  }
  mark("tailwind");
  await wait();
  const editor = req(manifest.editor_module);
  mark("editor");
  await styled;
  mark("styles");
  return win.LabelStudio || editor.LabelStudio || editor.default;
}
