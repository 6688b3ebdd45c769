// Inline labeling widget: Label Studio's own editor in an <iframe srcdoc>, one task at a time.
// Every request goes to the kernel as a message (never a synced trait); the kernel talks to Label
// Studio with the SDK and answers with messages and binary buffers. The browser never sees the API
// key and never needs to reach the Label Studio server.
import css from "./labeling.css";
import {
  MIN_EDITOR_HEIGHT,
  awaitingTask,
  frameFor,
  getBundle,
  mark,
  prepareFrame,
  prepareFrameSoon,
  receiveBundle,
  rejectBundle,
  setFrameMode,
} from "./_editor_frame.js";

const INTERFACES = [
  "panel",
  "update",
  "submit",
  "skip",
  "controls",
  "topbar",
  "side-column",
  "annotations:menu",
  "annotations:current",
  "predictions:tabs",
  "predictions:menu",
  "edit-history",
];

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text; // text, never HTML
  return node;
}

function button(label, title, onClick) {
  const b = el("button", "lsn-lab-btn", label);
  b.type = "button";
  b.title = title;
  b.addEventListener("click", onClick);
  return b;
}

function render({ model, el: root }) {
  mark("render");
  const style = el("style");
  style.textContent = css;
  const box = el("div", "lsn-lab");
  box.dataset.state = "loading";
  const bar = el("div", "lsn-lab-bar");
  const title = el("span", "lsn-lab-title", model.get("title") || "Label Studio");
  const progress = el("span", "lsn-lab-progress", "");
  const taskLabel = el("span", "lsn-lab-task", "");
  const status = el("span", "lsn-lab-status", "Loading the editor…");
  status.setAttribute("role", "status");
  const prev = button("‹ Prev", "Previous task", () => request({ type: "nav", step: -1 }));
  const next = button("Next ›", "Next task", () => request({ type: "nav", step: 1 }));
  bar.append(title, prev, next, progress, taskLabel, status);
  box.append(bar);
  root.append(style, box);

  let alive = true;
  let ls = null; // the LabelStudio instance
  let task = null; // the task shown, as the kernel sent it
  let mediaUrls = [];
  let seq = 0;
  const pending = new Map(); // request id -> callback for the kernel's answer
  let editorClass = null;
  let shownAt = 0;
  let refit = null; // sizes an auto-height frame to its content now
  let spareAsked = false;

  const view = {}; // this view, for awaitingTask
  const setState = (state, message, isError = false) => {
    if (state === "ready" || state === "done" || state === "error") awaitingTask(view, false);
    box.dataset.state = state;
    status.textContent = message || "";
    status.classList.toggle("lsn-lab-error", isError);
  };

  function request(msg, onReply) {
    if (msg.type !== "update") awaitingTask(view, true); // the kernel answers with a task
    const rid = `${Date.now().toString(36)}-${seq++}`;
    if (onReply) pending.set(rid, onReply);
    model.send({ ...msg, rid });
    return rid;
  }

  const version = model.get("editor_version");
  const askBundle = () => model.send({ type: "bundle" });
  const height = model.get("height");
  getBundle(version, askBundle); // asks the kernel unless the editor files are here or on their way
  // The editor's frame: booted already (or booting) out of sight when the page had one ready.
  const { frame: editorFrame, placed } = frameFor(box, version, askBundle, () => alive);
  const frame = editorFrame.iframe;
  frame.className = "lsn-lab-frame";
  frame.style.height = `${height || MIN_EDITOR_HEIGHT}px`;
  setFrameMode(editorFrame, Boolean(height));
  // Errors inside the editor are shown while a task loads (kept in the frame for tests).
  editorFrame.onError = (message) => {
    if (box.dataset.state === "loading") setState("error", `The editor failed: ${message}`, true);
  };
  if (editorFrame.failure) editorFrame.onError(editorFrame.failure);

  const editorReady = Promise.all([editorFrame.ready, placed]).then(([cls]) => {
    mark("editor-placed");
    editorClass = cls;
    if (!height) autoHeight();
    return editorClass;
  });

  // Text configs: the frame follows the height of its page (at least MIN_EDITOR_HEIGHT while a task is
  // shown, see frameHtml). Media configs keep a fixed height: an image fits itself to its container,
  // so a frame sized to the image would shrink it step by step.
  function autoHeight() {
    const win = frame.contentWindow;
    const body = win.document.body;
    refit = () => {
      const h = Math.min(Math.max(body.scrollHeight, 160), 2000);
      // While the next task loads the editor is briefly empty: don't shrink then (the page would jump).
      if (box.dataset.state === "loading" && h < frame.offsetHeight) return;
      if (Math.abs(frame.offsetHeight - h) > 4) frame.style.height = `${h}px`;
    };
    new win.ResizeObserver(() => refit()).observe(body);
  }

  function onEditorLoad(instance) {
    // Without a selected annotation the editor shows "No more annotations": create one, from the
    // first prediction when there is one, after the predictions have been loaded.
    setTimeout(() => {
      const as = instance.annotationStore;
      if (!as) return;
      let current = as.annotations.length ? as.annotations[0] : null;
      if (!current) {
        current = as.predictions.length
          ? as.addAnnotationFromPrediction(as.predictions[0])
          : as.addAnnotation({ userGenerate: true });
      }
      as.selectAnnotation(current.id);
      mark("ready");
      box.dataset.taskId = String(task.id);
      setState("ready", task.message || "");
      if (refit) refit();
      if (!spareAsked) {
        spareAsked = true;
        prepareFrameSoon(version, askBundle); // the page's next widget starts from a booted editor
      }
      model.send({ type: "shown", task_id: task.id, ms: performance.now() - shownAt });
    }, 0);
  }

  function save(kind, annotation) {
    mark("save");
    const result = annotation.serializeAnnotation();
    const msg = {
      type: kind,
      task_id: task.id,
      result,
      lead_time: (Date.now() - shownAt) / 1000,
    };
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

  function mount(msg, buffers) {
    for (const url of mediaUrls) frame.contentWindow.URL.revokeObjectURL(url);
    mediaUrls = [];
    task = msg.task;
    const data = { ...task.data };
    (msg.media || []).forEach(([key, mime], i) => {
      // Made in the editor's realm: its workers (audio decoding) can only read blobs of their own realm.
      const win = frame.contentWindow;
      const url = win.URL.createObjectURL(new win.Blob([buffers[i]], { type: mime }));
      mediaUrls.push(url);
      data[key] = url;
    });
    progress.textContent = `${msg.labeled} / ${msg.total} labeled`;
    taskLabel.textContent = `task ${task.id} (${msg.index + 1} of ${msg.total})`;
    prev.disabled = msg.index <= 0;
    next.disabled = msg.index >= msg.total - 1;
    if (ls) {
      ls.destroy();
      ls = null;
    }
    const rootNode = frame.contentWindow.document.getElementById("lsn-root");
    rootNode.replaceChildren();
    setState("loading", "");
    delete box.dataset.taskId;
    shownAt = performance.now();
    mark("mount");
    ls = new editorClass(rootNode, {
      config: msg.config,
      task: { id: task.id, data, annotations: task.annotations, predictions: task.predictions },
      user: msg.user,
      interfaces: INTERFACES,
      instanceOptions: { reactVersion: "v18" },
      onLabelStudioLoad: (instance) => {
        mark("loaded");
        onEditorLoad(instance);
      },
      onSubmitAnnotation: (_ls, annotation) => save("submit", annotation),
      onUpdateAnnotation: (_ls, annotation) => save("update", annotation),
      onSkipTask: () => request({ type: "skip", task_id: task.id }),
    });
  }

  function onMessage(msg, buffers) {
    if (!alive || msg.first) return; // a first task is taken from initialize's keeping
    if (msg.type === "bundle") {
      receiveBundle(msg.manifest, buffers, msg.names);
    } else if (msg.type === "bundle_error") {
      rejectBundle(version, msg.message);
    } else if (msg.type === "task") {
      mark("task-received");
      editorReady
        .then(() => alive && mount(msg, buffers))
        .catch((e) => alive && setState("error", `The editor failed on task ${msg.task.id}: ${e.message}`, true));
    } else if (msg.type === "done") {
      if (ls) ls.destroy();
      ls = null;
      const rootNode = frame.contentWindow.document.getElementById("lsn-root");
      if (rootNode) rootNode.replaceChildren();
      progress.textContent = `${msg.labeled} / ${msg.total} labeled`;
      setState("done", msg.message || "No more tasks");
      if (refit) refit();
    } else if (msg.rid && pending.has(msg.rid)) {
      const reply = pending.get(msg.rid);
      pending.delete(msg.rid);
      reply(msg);
    } else if (msg.type === "error") {
      setState("error", msg.message, true);
    }
  }

  model.on("msg:custom", onMessage);
  editorReady.catch((e) => alive && setState("error", `The editor could not be loaded: ${e.message}`, true));
  // The kernel sends the first task with the widget, before it is displayed: the first view takes it;
  // others (or when it did not come) ask for the current task.
  const first = takeFirst(model.get("instance"));
  if (first) onMessage({ ...first.msg, first: false }, first.buffers);
  else request({ type: "show" });

  return () => {
    alive = false;
    awaitingTask(view, false);
    model.off("msg:custom", onMessage);
    if (ls) ls.destroy();
    for (const url of mediaUrls) URL.revokeObjectURL(url);
  };
}

// Widget instance -> the first task the kernel sent it, until its first view takes it.
const firsts = (globalThis.__lsNotebookFirstTasks ||= new Map());

function takeFirst(instance) {
  const first = instance ? firsts.get(instance) : undefined;
  if (first) firsts.delete(instance);
  return first;
}

// Runs when the widget's model is created, as the kernel opens it (before the cell is over): take the
// editor files when the kernel sends them, and start an editor frame for the widget meanwhile.
function initialize({ model }) {
  mark("initialize");
  const version = model.get("editor_version");
  const instance = model.get("instance");
  model.on("msg:custom", (msg, buffers) => {
    if (msg.type === "bundle") receiveBundle(msg.manifest, buffers, msg.names);
    else if (msg.type === "bundle_error") rejectBundle(version, msg.message);
    else if (msg.first && instance) firsts.set(instance, { msg, buffers });
  });
  model.on("destroy", () => firsts.delete(instance)); // closed before it was ever displayed
  getBundle(version, null); // the kernel's first widget sends the files unasked (see render)
  prepareFrame(version, null);
}

export default { initialize, render };
