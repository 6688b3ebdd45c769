// One task at a time in a booted editor frame: builds the task (media as blob: URLs made in the
// frame's realm), creates the LabelStudio instance, selects an annotation once it loaded, and tears
// both down for the next task.
import { mark } from "./_page.js";

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

// Without a selected annotation the editor shows "No more annotations": select the first one, or
// create one (from the first prediction when there is one) after the predictions have been loaded.
function selectAnnotation(instance) {
  const as = instance.annotationStore;
  if (!as) return false;
  let current = as.annotations.length ? as.annotations[0] : null;
  if (!current) {
    current = as.predictions.length
      ? as.addAnnotationFromPrediction(as.predictions[0])
      : as.addAnnotation({ userGenerate: true });
  }
  as.selectAnnotation(current.id);
  return true;
}

// `iframe`: the booted frame; `on`: { loaded(task), submit(annotation), update(annotation), skip(task) }.
export function taskEditor(iframe, on) {
  let ls = null; // the LabelStudio instance
  let mediaUrls = [];
  const root = () => iframe.contentWindow && iframe.contentWindow.document.getElementById("lsn-root");

  function revokeMedia() {
    const win = iframe.contentWindow || globalThis;
    for (const url of mediaUrls) win.URL.revokeObjectURL(url);
    mediaUrls = [];
  }

  function clear() {
    if (ls) ls.destroy();
    ls = null;
    const node = root();
    if (node) node.replaceChildren();
  }

  // Shows the task of a "task" message (`buffers`: its media) with the `EditorClass` of the frame.
  function mount(EditorClass, msg, buffers) {
    revokeMedia();
    const task = msg.task;
    const data = { ...task.data };
    // Made in the editor's realm: its workers (audio decoding) can only read blobs of their own realm.
    const win = iframe.contentWindow;
    (msg.media || []).forEach(([key, mime], i) => {
      const url = win.URL.createObjectURL(new win.Blob([buffers[i]], { type: mime }));
      mediaUrls.push(url);
      data[key] = url;
    });
    clear();
    mark("mount");
    ls = new EditorClass(root(), {
      config: msg.config,
      task: { id: task.id, data, annotations: task.annotations, predictions: task.predictions },
      user: msg.user,
      interfaces: INTERFACES,
      instanceOptions: { reactVersion: "v18" },
      onLabelStudioLoad: (instance) => {
        mark("loaded");
        setTimeout(() => selectAnnotation(instance) && on.loaded(task), 0);
      },
      onSubmitAnnotation: (_ls, annotation) => on.submit(task, annotation),
      onUpdateAnnotation: (_ls, annotation) => on.update(task, annotation),
      onSkipTask: () => on.skip(task),
    });
    return task;
  }

  return {
    mount,
    clear,
    destroy() {
      if (ls) ls.destroy();
      ls = null;
      revokeMedia();
    },
  };
}
