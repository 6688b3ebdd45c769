// Server status card: URL (clickable), version, projects, running state. Never receives a secret:
// the kernel syncs only public facts. `refresh` is a command sent as a message, not a trait.
import { el, styleElement } from "./_dom.js";
import css from "./status.css";

function render({ model, el: root }) {
  const card = el("div", "lsn-card");
  root.append(styleElement(css), card);

  const draw = () => {
    card.replaceChildren();
    const running = model.get("running");
    const head = el("div", "lsn-head");
    head.append(el("span", running ? "lsn-dot lsn-up" : "lsn-dot lsn-down"));
    head.append(el("strong", "", "Label Studio"));
    head.append(el("span", "lsn-muted", model.get("version") ? ` ${model.get("version")}` : ""));
    head.append(el("span", "lsn-state", running ? "running" : "stopped"));
    card.append(head);

    const rows = el("table", "lsn-rows");
    const add = (name, value) => {
      const tr = el("tr");
      tr.append(el("th", "", name));
      const td = el("td");
      if (value instanceof Node) td.append(value);
      else td.textContent = String(value);
      tr.append(td);
      rows.append(tr);
    };
    const url = model.get("url");
    const link = el("a", "", url);
    link.href = model.get("link") || url;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    add("URL", link);
    add("Mode", model.get("mode"));
    add("Projects", model.get("projects") < 0 ? "–" : model.get("projects"));
    if (model.get("user")) add("User", model.get("user"));
    if (model.get("data_dir")) add("Data", model.get("data_dir"));
    if (model.get("pid")) add("PID", model.get("pid"));
    card.append(rows);

    const button = el("button", "lsn-btn", "Refresh");
    button.addEventListener("click", () => model.send({ type: "refresh" }));
    card.append(button);
  };

  draw();
  model.on("change", draw);
  return () => model.off("change", draw);
}

export default { render };
