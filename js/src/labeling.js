// Inline labeling widget: Label Studio's own editor in an <iframe srcdoc>, one task at a time.
// Every request goes to the kernel as a message (never a synced trait); the kernel talks to Label
// Studio and answers with messages and binary buffers. The browser never sees the API key and never
// needs to reach the Label Studio server.
//
// Modules: _page.js (page-global state), _bundle.js (the editor files), _editor_boot.js (booting the
// editor in a frame), _editor_frame.js (frames and the page's spare), _toolbar.js (the widget's bar
// and state), _task_editor.js (one task in the editor), _height.js, _kernel.js (requests and
// answers), _first_task.js.
import { dropFirst, keepFirst, takeFirst } from "./_first_task.js";
import { getBundle, receiveBundle, rejectBundle } from "./_bundle.js";
import { MIN_EDITOR_HEIGHT } from "./_editor_boot.js";
import { awaitingTask, frameFor, prepareFrame, prepareFrameSoon, setFrameMode } from "./_editor_frame.js";
import { followContentHeight } from "./_height.js";
import { kernelRequests } from "./_kernel.js";
import { mark } from "./_page.js";
import { styleElement } from "./_dom.js";
import { taskEditor } from "./_task_editor.js";
import { toolbar } from "./_toolbar.js";
import css from "./labeling.css";

// The editor frame of a view: the page's spare or a new one, sized and watched for errors. Resolves
// `ready` with the editor class once the frame is booted and in the widget.
function openFrame(model, ui, askBundle) {
  const version = model.get("editor_version");
  const height = model.get("height");
  const { frame, placed, cancel } = frameFor(ui.box, version, askBundle);
  const iframe = frame.iframe;
  iframe.className = "lsn-lab-frame";
  iframe.style.height = `${height || MIN_EDITOR_HEIGHT}px`;
  setFrameMode(frame, Boolean(height));
  // Errors inside the editor are shown while a task loads (kept in the frame for tests).
  frame.onError = (message) => {
    if (ui.state() === "loading") ui.setState("error", `The editor failed: ${message}`, true);
  };
  if (frame.failure) frame.onError(frame.failure);
  let refit = () => {};
  const ready = Promise.all([frame.ready, placed]).then(([EditorClass]) => {
    mark("editor-placed");
    if (!height) refit = followContentHeight(iframe, () => ui.state() === "loading");
    return EditorClass;
  });
  return { iframe, ready, cancel, refit: () => refit() };
}

function render({ model, el: root }) {
  mark("render");
  const version = model.get("editor_version");
  const view = {}; // this view, as the spare frames' scheduler knows it (awaitingTask)
  let alive = true;
  let shownAt = 0;
  let spareAsked = false;

  const ui = toolbar(model.get("title") || "Label Studio", (step) => request({ type: "nav", step }));
  root.append(styleElement(css), ui.box);
  const setState = (state, message, isError = false) => {
    if (state === "ready" || state === "done" || state === "error") awaitingTask(view, false);
    ui.setState(state, message, isError);
  };
  const requests = kernelRequests(model);
  const request = (msg, onReply) => {
    if (msg.type !== "update") awaitingTask(view, true); // the kernel answers with a task
    return requests.send(msg, onReply);
  };
  const askBundle = () => model.send({ type: "bundle" });
  getBundle(version, askBundle); // asks the kernel unless the editor files are here or on their way
  const frame = openFrame(model, ui, askBundle);
  const editor = taskEditor(frame.iframe, {
    loaded(task) {
      mark("ready");
      ui.showTask(task.id);
      setState("ready", task.message || "");
      frame.refit();
      if (!spareAsked) {
        spareAsked = true;
        prepareFrameSoon(version, askBundle); // the page's next widget starts from a booted editor
      }
      model.send({ type: "shown", task_id: task.id, ms: performance.now() - shownAt });
    },
    submit: (task, annotation) => save("submit", task, annotation),
    update: (task, annotation) => save("update", task, annotation),
    skip: (task) => request({ type: "skip", task_id: task.id }),
  });

  function save(kind, task, annotation) {
    mark("save");
    const msg = { type: kind, task_id: task.id, result: annotation.serializeAnnotation() };
    msg.lead_time = (Date.now() - shownAt) / 1000;
    if (kind === "update") msg.annotation_id = Number(annotation.pk);
    setState("saving", "Saving…");
    request(msg, (reply) => {
      mark("reply");
      if (reply.type === "error") {
        // The annotation stays in the editor: pressing Submit/Update again retries.
        setState("error", reply.message, true);
        return;
      }
      if (reply.annotation_id != null && annotation.updatePersonalKey) {
        annotation.updatePersonalKey(String(reply.annotation_id));
      }
      setState("saved", reply.message || "Saved");
      if (kind === "update") awaitingTask(view, false);
    });
  }

  function show(msg, buffers, EditorClass) {
    ui.showProgress(msg);
    setState("loading", "");
    ui.showTask(null);
    shownAt = performance.now();
    editor.mount(EditorClass, msg, buffers);
  }

  // The editor files ("bundle", "bundle_error") and the first task ("first") go to `initialize`.
  function onMessage(msg, buffers) {
    if (!alive || msg.first) return;
    if (msg.type === "task") {
      mark("task-received");
      frame.ready
        .then((EditorClass) => alive && show(msg, buffers, EditorClass))
        .catch((e) => alive && setState("error", `The editor failed on task ${msg.task.id}: ${e.message}`, true));
    } else if (msg.type === "done") {
      editor.clear();
      ui.showProgress(msg);
      setState("done", msg.message || "No more tasks");
      frame.refit();
    } else if (!requests.answer(msg) && msg.type === "error") {
      setState("error", msg.message, true);
    }
  }

  model.on("msg:custom", onMessage);
  frame.ready.catch((e) => alive && setState("error", `The editor could not be loaded: ${e.message}`, true));
  // The first view takes the task the kernel sent with the widget; others (or when it did not come)
  // ask for the current task.
  const first = takeFirst(model.get("instance"));
  if (first) onMessage({ ...first.msg, first: false }, first.buffers);
  else request({ type: "show" });

  return () => {
    alive = false;
    awaitingTask(view, false);
    frame.cancel();
    model.off("msg:custom", onMessage);
    editor.destroy();
  };
}

// Runs when the widget's model is created, as the kernel opens it (before the cell is over): takes
// the editor files and the first task the kernel sends, and starts an editor frame for the widget
// meanwhile. Returns its cleanup (anywidget calls it when the model is closed).
function initialize({ model }) {
  mark("initialize");
  const version = model.get("editor_version");
  const instance = model.get("instance");
  const onMessage = (msg, buffers) => {
    if (msg.type === "bundle") receiveBundle(msg.manifest, buffers, msg.names);
    else if (msg.type === "bundle_error") rejectBundle(version, msg.message);
    else if (msg.first) keepFirst(instance, msg, buffers);
  };
  model.on("msg:custom", onMessage);
  getBundle(version, null); // the kernel's first widget sends the files unasked (see render)
  prepareFrame(version, null);
  return () => {
    model.off("msg:custom", onMessage);
    dropFirst(instance); // closed before it was ever displayed
  };
}

export default { initialize, render };
