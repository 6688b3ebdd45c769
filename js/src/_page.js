// The labeling widgets' page-global state, in one place.
//
// anywidget imports a widget's module afresh for every widget model (from a new blob: URL), so
// module-level variables are not shared between the widgets of a page. What the widgets of one page
// share lives in one object, `globalThis.__lsNotebook`, created by the first widget:
//
//   bundles  Label Studio version -> the editor files' entry (`_bundle.js`): `promise` resolves with
//            the bundle once its startup scripts are here; `bundle` fills in as the parts arrive.
//   spares   version -> the hidden editor frame booting (or booted) for the page's next widget.
//   holder   the hidden element spare frames boot in (`_editor_frame.js`).
//   booting  the `ready` promises of the frames still booting.
//   waiting  views waiting for a task they asked for; `quiet`: the paused spare boots to resume when
//            none is left (`awaitingTask`).
//   firsts   widget instance id -> the first task the kernel sent before the widget was displayed,
//            until the widget's first view takes it (`_first_task.js`).
//
// One more global is read, never created, here: a benchmark sets `globalThis.__lsnTrace = []` to
// receive `[time, step]` pairs from `mark` (benchmarks/widget.py --trace). Inside each editor frame,
// `window.__lsnErrors` lists the errors raised there (tests read it).

const KEY = "__lsNotebook";

export function pageState() {
  return (globalThis[KEY] ||= {
    bundles: {},
    spares: {},
    holder: null,
    booting: new Set(),
    waiting: new Set(),
    quiet: [],
    firsts: new Map(),
  });
}

/** Records when a step of a widget's start happened, when a benchmark asks (`__lsnTrace`). */
export function mark(name) {
  const trace = globalThis.__lsnTrace;
  if (trace) trace.push([performance.now(), name]);
}
