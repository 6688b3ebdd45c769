// The full Label Studio web UI in an iframe (Server.open / Project.open). See ls_notebook/widgets/web_ui.py.
//
// 1. The frame's URL is made same-site with this page: a loopback server is addressed with the page's
//    own loopback name (`localhost` and `127.0.0.1` are different sites, and Label Studio's
//    SameSite=Lax cookies are not sent to a cross-site frame).
// 2. The browser must reach the server: checked with a `/health` request first; when it cannot, the
//    cell says so and why instead of showing a blank or browser-error frame.
// 3. The kernel answers a "login" message: a one-time ticket this page exchanges at the server's
//    `ls-notebook/login` for the login cookie (servers ls_notebook starts), or a session cookie to set
//    here (older servers), or nothing (attached servers: Label Studio's login page). Never part of
//    the widget's state.

const LOOPBACK_NAMES = new Set(["localhost", "127.0.0.1"]);
const KERNEL_WAIT_MS = 30000;
const SHADOWED =
  "An older Label Studio cookie of this host is in the way (page scripts cannot replace it): log in " +
  "inside the frame, or restart the server with this version of ls_notebook, which logs the frame in " +
  "through the server.";

export function frameUrl(src, page = location) {
  const url = new URL(src, page.href);
  if (LOOPBACK_NAMES.has(url.hostname) && LOOPBACK_NAMES.has(page.hostname)) url.hostname = page.hostname;
  return url;
}

function sameSite(url, page = location) {
  return url.hostname === page.hostname && url.protocol === page.protocol;
}

async function reachable(root) {
  try {
    await fetch(new URL("health", root), { mode: "no-cors", credentials: "omit", cache: "no-store" });
    return true;
  } catch {
    return false;
  }
}

function setSession(value) {
  document.cookie = `sessionid=${value}; path=/; SameSite=Lax`;
  return document.cookie.split(";").some((c) => c.trim() === `sessionid=${value}`);
}

// Exchange a one-time ticket for the server's login cookie (set by the server's HTTP response, which
// also replaces an older HttpOnly cookie of this host that a page script could not).
async function redeem(root, ticket, path) {
  const url = new URL(path, root);
  url.searchParams.set("ticket", ticket);
  try {
    const response = await fetch(url, { mode: "no-cors", credentials: "include", cache: "no-store" });
    return response.type === "opaque" || response.ok;
  } catch {
    return false;
  }
}

function unreachableText(root) {
  const mixed = location.protocol === "https:" && root.protocol === "http:";
  return (
    `This browser cannot reach Label Studio at ${root.href}` +
    (mixed ? " (this page is https and the server plain http, which browsers block)" : "") +
    ". If the server is running, the kernel can still reach it, so project.label() labels inline. " +
    "To show the full web UI here, open Jupyter on the machine that runs the server " +
    "(http://localhost:…), or use JupyterHub/Binder with jupyter-server-proxy, where " +
    "ls_notebook.start() serves Label Studio through Jupyter itself."
  );
}

function askLogin(model) {
  return new Promise((resolve) => {
    const timer = setTimeout(() => finish({ mode: "timeout" }), KERNEL_WAIT_MS);
    const onMessage = (msg) => {
      if (msg && msg.type === "login") finish(msg);
    };
    function finish(msg) {
      clearTimeout(timer);
      model.off("msg:custom", onMessage);
      resolve(msg);
    }
    model.on("msg:custom", onMessage);
    model.send({ type: "login" });
  });
}

function render({ model, el }) {
  const box = document.createElement("div");
  box.className = "lsn-webui";
  box.style.cssText = "border:1px solid #d0d0d0;border-radius:6px;overflow:hidden;background:#fff";
  const bar = document.createElement("div");
  bar.style.cssText =
    "display:flex;gap:8px;align-items:center;padding:4px 8px;font:13px system-ui;" +
    "background:#f5f5f7;color:#1f1f1f;border-bottom:1px solid #e0e0e0";
  const link = document.createElement("a");
  link.target = "_blank";
  link.rel = "noopener noreferrer";
  link.textContent = "Open in a new tab";
  const note = document.createElement("span");
  note.className = "lsn-webui-note";
  note.style.cssText = "color:#555;margin-left:auto";
  bar.append(link, note);
  box.append(bar);
  el.append(box);

  const src = frameUrl(model.get("src"));
  const root = frameUrl(model.get("root") || model.get("src"));
  link.href = src.href;
  let alive = true;

  const showFrame = (url) => {
    const frame = document.createElement("iframe");
    frame.className = "lsn-webui-frame";
    frame.title = "Label Studio";
    frame.style.cssText = `display:block;width:100%;border:0;height:${model.get("height")}px`;
    frame.src = url.href;
    box.append(frame);
  };
  const showMessage = (text) => {
    const msg = document.createElement("div");
    msg.className = "lsn-webui-unreachable";
    msg.setAttribute("role", "alert");
    msg.style.cssText = "padding:16px;font:14px/1.5 system-ui;color:#7a2e0e;background:#fff7ed";
    msg.textContent = text; // text, never HTML
    box.append(msg);
  };
  const settle = (state, text, url) => {
    if (!alive) return;
    note.textContent = text;
    box.dataset.login = state;
    if (url) showFrame(url);
  };

  (async () => {
    note.textContent = "Connecting to Label Studio…";
    if (!(await reachable(root))) {
      if (!alive) return;
      showMessage(unreachableText(root));
      settle("unreachable", "");
      return;
    }
    if (!sameSite(root)) {
      settle(
        "cross-site",
        `Label Studio is on another site (${root.host}): browsers do not send its login cookie to a ` +
          "frame here; open it in a new tab.",
        src,
      );
      return;
    }
    note.textContent = "Logging in…";
    const reply = await askLogin(model);
    if (reply.mode === "ticket") {
      if (await redeem(root, reply.ticket, reply.path)) settle("ticket", "", src);
      else settle("none", "Logging in failed: log in inside the frame, or run the cell again.", src);
    } else if (reply.mode === "cookie") {
      if (setSession(reply.sessionid)) settle("cookie", "", src);
      else settle("shadowed", SHADOWED, src);
    } else if (reply.mode === "timeout") {
      settle("timeout", "The kernel did not answer (busy?): log in inside the frame, or run the cell again.", src);
    } else {
      settle("none", reply.message || "", src);
    }
  })();

  return () => {
    alive = false;
  };
}

export default { render };
