// Receiving the editor files the kernel sends (ls_notebook/widgets/_editor_bundle.py), once per
// Label Studio version per page. Each file becomes a blob: URL.
//
// The kernel sends them in two messages: first the scripts the editor starts with
// (`manifest.runtime`), which the frames start evaluating while the rest (chunks, style sheets,
// fonts, wasm) arrives. Only the widget model (`initialize` in labeling.js) handles these messages,
// so each part is processed once however many views the widget has.
import { mark, pageState } from "./_page.js";

const TYPES = { js: "text/javascript", css: "text/css", wasm: "application/wasm", ttf: "font/ttf" };

function blobUrl(buffer, name) {
  const ext = name.split(".").pop();
  return URL.createObjectURL(new Blob([buffer], { type: TYPES[ext] || "application/octet-stream" }));
}

// A bundle being received: `urls` fills in as parts arrive; `complete` resolves with the last one.
function newBundle(manifest) {
  const bundle = { manifest, urls: {}, fontCss: new Set(manifest.font_css || []), done: false };
  bundle.complete = new Promise((resolve) => (bundle.finish = resolve)).then(() => (bundle.done = true));
  return bundle;
}

// Turns one part's buffers into blob URLs (a file already here is skipped); style sheets naming the
// fonts are rewritten once the fonts have theirs (the kernel says which sheets: decoding the others,
// 1.6 MB, would be wasted).
function addPart(bundle, names, buffers) {
  const { urls, fontCss } = bundle;
  const fresh = names.map((name, i) => [name, buffers[i]]).filter(([name]) => !(name in urls));
  for (const [name, buffer] of fresh) if (!fontCss.has(name)) urls[name] = blobUrl(buffer, name);
  const decoder = new TextDecoder();
  for (const [name, buffer] of fresh) {
    if (!fontCss.has(name)) continue;
    const css = decoder
      .decode(buffer)
      .replace(/url\(\/static\/fonts\/([\w.-]+)\)/g, (m, f) => (urls[`fonts/${f}`] ? `url(${urls[`fonts/${f}`]})` : m));
    urls[name] = blobUrl(new TextEncoder().encode(css), name);
  }
  if (bundle.manifest.names.every((n) => n in urls)) bundle.finish();
}

// The page's entry for `version`. The kernel sends the files unasked with its first widget, before
// the widget is displayed; a widget that renders while the page has none of them (a reload, a second
// page, a frontend that dropped the early message) asks, once per page (`request`; null: don't ask).
export function getBundle(version, request) {
  const bundles = pageState().bundles;
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
  const entry = pageState().bundles[manifest.version];
  if (!entry || (entry.bundle && entry.bundle.done)) return;
  mark(`bundle-received ${names.length}`);
  if (manifest.sent) mark(`transfer=${(performance.timeOrigin + performance.now() - manifest.sent).toFixed(0)}`);
  const bundle = (entry.bundle ||= newBundle(manifest));
  addPart(bundle, names, buffers);
  mark("bundle-urls");
  if (manifest.runtime.every((n) => n in bundle.urls)) entry.resolve(bundle);
}

export function rejectBundle(version, message) {
  const entry = pageState().bundles[version];
  if (entry && !entry.bundle) entry.reject(new Error(message));
}
