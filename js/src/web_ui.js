// The full Label Studio web UI in an iframe. Before loading it, ask the kernel for a session (a local
// server started by ls_notebook: the kernel logged in with the generated credentials). The cookie
// arrives in a message, is set for the server's host when that is same-site with this page, and is
// never stored in the widget's state.

function sameSite(url) {
  try {
    const u = new URL(url, location.href);
    return u.hostname === location.hostname;
  } catch {
    return false;
  }
}

function render({ model, el }) {
  const box = document.createElement("div");
  box.className = "lsn-webui";
  box.style.cssText = "border:1px solid #d0d0d0;border-radius:6px;overflow:hidden;background:#fff";
  const bar = document.createElement("div");
  bar.style.cssText = "display:flex;gap:8px;align-items:center;padding:4px 8px;font:13px system-ui;" +
    "background:#f5f5f7;color:#1f1f1f;border-bottom:1px solid #e0e0e0";
  const link = document.createElement("a");
  link.target = "_blank";
  link.rel = "noopener noreferrer";
  link.textContent = "Open in a new tab";
  const note = document.createElement("span");
  note.className = "lsn-webui-note";
  note.style.cssText = "color:#555;margin-left:auto";
  bar.append(link, note);
  const frame = document.createElement("iframe");
  frame.className = "lsn-webui-frame";
  frame.title = "Label Studio";
  frame.style.cssText = "display:block;width:100%;border:0";
  box.append(bar, frame);
  el.append(box);

  const src = model.get("src");
  link.href = src;
  frame.style.height = `${model.get("height")}px`;
  let done = false;

  const show = () => {
    if (done) return;
    done = true;
    frame.src = src;
  };

  const onMessage = (msg) => {
    if (msg.type !== "session" || done) return;
    const cookies = msg.cookies;
    if (cookies && cookies.sessionid && sameSite(src)) {
      for (const [name, value] of Object.entries(cookies)) {
        if (value) document.cookie = `${name}=${value}; path=/; SameSite=Lax`;
      }
    } else if (msg.message) {
      note.textContent = msg.message;
    } else if (!sameSite(src)) {
      note.textContent = "Label Studio is on another site: log in inside the frame, or open it in a new tab.";
    }
    show();
  };
  model.on("msg:custom", onMessage);
  model.send({ type: "session" });
  const timer = setTimeout(show, 5000); // an unresponsive kernel must not keep the frame empty
  return () => {
    clearTimeout(timer);
    model.off("msg:custom", onMessage);
  };
}

export default { render };
