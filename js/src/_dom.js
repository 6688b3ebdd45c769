// DOM helpers shared by the widgets' views.

/** A new element with an optional class name and text (set as text, never parsed as HTML). */
export function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** A <style> element holding `css` (each widget view carries its own, as anywidget views do). */
export function styleElement(css) {
  const style = el("style");
  style.textContent = css;
  return style;
}

/** A plain button calling `onClick`. */
export function button(label, title, onClick, cls = "lsn-lab-btn") {
  const b = el("button", cls, label);
  b.type = "button";
  b.title = title;
  b.addEventListener("click", onClick);
  return b;
}
