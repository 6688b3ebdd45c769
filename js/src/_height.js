// Text configs: the frame follows the height of its page (at least MIN_EDITOR_HEIGHT while a task is
// shown, see frameHtml in _editor_boot.js). Media configs keep a fixed height: an image fits itself
// to its container, so a frame sized to the image would shrink it step by step.

// Sizes `iframe` to its content whenever the content resizes; returns the function doing it (to call
// when the widget changes what it shows). `loading()`: true while the next task loads, when the
// editor is briefly empty and the frame must not shrink (the page would jump).
export function followContentHeight(iframe, loading) {
  const win = iframe.contentWindow;
  const body = win.document.body;
  const refit = () => {
    const h = Math.min(Math.max(body.scrollHeight, 160), 2000);
    if (loading() && h < iframe.offsetHeight) return;
    if (Math.abs(iframe.offsetHeight - h) > 4) iframe.style.height = `${h}px`;
  };
  new win.ResizeObserver(refit).observe(body);
  return refit;
}
