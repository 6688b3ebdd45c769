// The labeling widget's box: a bar (title, Prev/Next, progress, the task shown, a status line) over
// the editor frame. `box.dataset.state` (loading, ready, saving, saved, error, done) and
// `box.dataset.taskId` say what the widget shows; tests and benchmarks wait on them.
import { button, el } from "./_dom.js";

export function toolbar(title, nav) {
  const box = el("div", "lsn-lab");
  box.dataset.state = "loading";
  const bar = el("div", "lsn-lab-bar");
  const progress = el("span", "lsn-lab-progress", "");
  const taskLabel = el("span", "lsn-lab-task", "");
  const status = el("span", "lsn-lab-status", "Loading the editor…");
  status.setAttribute("role", "status");
  const prev = button("‹ Prev", "Previous task", () => nav(-1));
  const next = button("Next ›", "Next task", () => nav(1));
  bar.append(el("span", "lsn-lab-title", title), prev, next, progress, taskLabel, status);
  box.append(bar);
  return {
    box,
    state: () => box.dataset.state,
    setState(state, message, isError = false) {
      box.dataset.state = state;
      status.textContent = message || "";
      status.classList.toggle("lsn-lab-error", isError);
    },
    // `msg`: a "task" or "done" message of the kernel (counts; for a task, its place in the list).
    showProgress(msg) {
      progress.textContent = `${msg.labeled} / ${msg.total} labeled`;
      if (msg.task === undefined) return;
      taskLabel.textContent = `task ${msg.task.id} (${msg.index + 1} of ${msg.total})`;
      prev.disabled = msg.index <= 0;
      next.disabled = msg.index >= msg.total - 1;
    },
    // The task whose editor is ready (null: none).
    showTask(id) {
      if (id == null) delete box.dataset.taskId;
      else box.dataset.taskId = String(id);
    },
  };
}
