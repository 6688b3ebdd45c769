// The kernel sends a widget's first task with the widget, before it is displayed: the widget model
// (`initialize`) keeps it here until the widget's first view takes it (page state: `firsts`).
import { pageState } from "./_page.js";

export function keepFirst(instance, msg, buffers) {
  if (instance) pageState().firsts.set(instance, { msg, buffers });
}

export function takeFirst(instance) {
  const firsts = pageState().firsts;
  const first = instance ? firsts.get(instance) : undefined;
  if (first) firsts.delete(instance);
  return first;
}

export function dropFirst(instance) {
  pageState().firsts.delete(instance);
}
