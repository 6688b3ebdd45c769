// Boots Label Studio's own editor inside a same-origin <iframe srcdoc> from the files the kernel
// sent (`_bundle.js`). The server's web app is a webpack build: we load its runtime, keep main.js's
// startup from booting the app, get the runtime's require through a dummy chunk, and require the
// editor module the way the app does. Chunk and module ids come from the kernel (found in main.js).
import { mark } from "./_page.js";

// Label Studio's editor lays itself out in the height of its container: its side column (Info/History
// over Regions/Relations) splits that height between its panels, whose contents need ~300 px each.
// An auto-sized frame is therefore never shorter than this while it shows a task.
export const MIN_EDITOR_HEIGHT = 620;

// The frame's page. Its <html> class says how it is sized: "lsn-fixed", the editor fills a frame of a
// set height (image, audio); "lsn-auto", the frame follows the editor's height (`_height.js`), at
// least MIN_EDITOR_HEIGHT. Label Studio's CSS gives <body> `min-height: 100vh; width: 100vw` (it
// expects to own the window): in an auto-sized frame the body could then never be shorter than the
// frame, which could only grow.
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

// Media reach the editor as blob: URLs. Its audio loader appends `?lsref=1` to the URL it requests,
// which no blob: URL resolves: drop a query from blob: URLs at the request.
function blobUrlsWithoutQuery(win) {
  const open = win.XMLHttpRequest.prototype.open;
  win.XMLHttpRequest.prototype.open = function (method, url, ...rest) {
    const u = String(url);
    return open.call(this, method, u.startsWith("blob:") ? u.replace(/\?.*$/, "") : url, ...rest);
  };
}

// Evaluates the editor inside `win` (the iframe's window); resolves with its LabelStudio class.
// `wait()` returns a promise to pause on between steps (or null): spare frames yield to widgets
// waiting for a task.
export async function bootEditor(win, bundle, wait = () => null) {
  const { manifest, urls } = bundle;
  const doc = win.document;
  blobUrlsWithoutQuery(win);
  const styles = manifest.names.filter((n) => n.endsWith(".css"));
  mark("boot");
  // The style sheets load while the scripts run: the editor needs them only when it renders a task.
  const styled = bundle.complete.then(() => Promise.all(styles.map((n) => loadStyle(doc, urls[n], n))));
  const [runtime, ...startup] = manifest.runtime; // runtime.js, then vendor.js and main.js
  await loadScript(doc, urls[runtime]);
  const chunks = win.webpackChunklabelstudio;
  const push = chunks.push;
  // main.js's startup callback would boot the whole app: drop it, keep its modules.
  chunks.push = (chunk) => push.call(chunks, chunk[0][0] === "lsn" ? chunk : chunk.slice(0, 2));
  await wait();
  for (const name of startup) {
    await loadScript(doc, urls[name]);
    mark(name.replace(/\.js$/, ""));
  }
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
