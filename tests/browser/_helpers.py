"""Shared steps of the browser tests: projects through the SDK, the widget in the page."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

from tests._support import wait_for

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"


class Requests:
    """The requests a page sent that are still unanswered (from Playwright's request events)."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.pending: set[Any] = set()
        page.on("request", lambda r: self.pending.add(r))  # (Playwright takes Python functions only)
        page.on("requestfinished", lambda r: self.pending.discard(r))
        page.on("requestfailed", lambda r: self.pending.discard(r))

    def wait_answered(self, timeout: float = 120) -> None:
        """Wait until every request sent so far has been answered or has failed (later ones may run)."""
        sent = set(self.pending)
        deadline = time.monotonic() + timeout
        while sent & self.pending:
            assert time.monotonic() < deadline, f"unanswered: {[r.url for r in sent & self.pending]}"
            self.page.wait_for_timeout(50)  # lets Playwright deliver the page's events


def make_project(server: Any, config: str, tasks: list[dict[str, Any]], prefix: str = "widget") -> int:
    """Create a uniquely titled project with ``tasks``; return its id."""
    client = server.client
    project = client.projects.create(title=f"{prefix} {uuid.uuid4().hex[:8]}", label_config=config)
    if tasks:
        client.projects.import_tasks(id=project.id, request=tasks)
    return int(project.id)


def label_cells(project_id: int, extra: str = "") -> list[str]:
    """Notebook cells opening the inline editor on a project (the kernel attaches via the env)."""
    return [
        "import ls_notebook as lsn\nserver = lsn.attach()\n"
        "label = lambda server, pid, **options: lsn.Project(server, pid).label(**options)",
        f"w = label(server, {project_id}{extra})\nw",
    ]


def user_id(server: Any, email: str | None = None) -> int:
    """Id of the user with ``email`` (default: the API key's user)."""
    if email is None:
        return int(server.client.users.whoami().id)
    return next(int(u.id) for u in server.client.users.list() if u.email == email)


def drag_over_text(page: Any, frame: Any, words: str) -> None:
    """Select ``words`` in the editor's text with a mouse drag, as a user does."""
    box = frame.locator(".lsf-richtext__line", has_text=words).first
    box.wait_for()
    # Character rectangles of the words, measured in the iframe, in the page's coordinates.
    rect = box.evaluate(
        """(el, words) => {
          // the text node holding the words (earlier spans split the line into several nodes)
          const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
          let node = walker.nextNode();
          while (node && !node.textContent.includes(words)) node = walker.nextNode();
          if (!node) throw new Error(`no text node holds ${words}`);
          const at = node.textContent.indexOf(words);
          const r = document.createRange(); r.setStart(node, at); r.setEnd(node, at + words.length);
          const b = r.getBoundingClientRect();
          return {x0: b.left, x1: b.right, y: (b.top + b.bottom) / 2};
        }""",
        words,
    )
    origin = page.locator(".lsn-lab-frame").first.bounding_box()
    y = origin["y"] + rect["y"]
    page.mouse.move(origin["x"] + rect["x0"] + 1, y)
    page.mouse.down()
    page.mouse.move(origin["x"] + rect["x1"] - 1, y, steps=8)
    page.mouse.up()


def widget(page: Any, nth: int = 0) -> Any:
    """The nth labeling widget in the page."""
    return page.locator(".lsn-lab").nth(nth)


def wait_state(page: Any, state: str, nth: int = 0, timeout: float = 60_000) -> None:
    """Wait until the nth widget reports ``state`` (loading, ready, saving, saved, error, done)."""
    page.wait_for_function(
        "([n, s]) => { const w = document.querySelectorAll('.lsn-lab')[n];"
        " return w && w.dataset.state === s; }",
        arg=[nth, state],
        timeout=timeout,
    )


def editor(page: Any, nth: int = 0) -> Any:
    """Frame locator of the nth widget's editor iframe."""
    return page.frame_locator(".lsn-lab-frame").nth(nth)


_LAYOUT = """(frame) => {
  const doc = frame.contentDocument;
  const rect = (e) => e.getBoundingClientRect();
  const editor = doc.querySelector('.lsf-editor');
  const annotation = doc.querySelector('.lsf-main-view__annotation');
  const bar = doc.querySelector('.lsf-bottombar');
  const panels = [...doc.querySelectorAll('.lsf-sidepanels__wrapper_align_right .lsf-tabs-panel')];
  const clipped = [];
  for (const panel of panels) {
    const bottom = rect(panel).bottom;
    if (bottom > frame.clientHeight + 1) {
      clipped.push(`a panel ends at ${bottom}, below the frame (${frame.clientHeight})`);
    }
    for (const e of panel.querySelectorAll('*')) {
      const hidden = e.scrollHeight - e.clientHeight;
      if (e.clientHeight > 0 && hidden > 12 && getComputedStyle(e).overflowY !== 'visible') {
        clipped.push(`${e.className}: ${hidden} px of its ${e.scrollHeight} px hidden`);
      }
    }
  }
  return {
    frame: frame.offsetHeight,
    editor_bottom: editor ? rect(editor).bottom : null,
    content: annotation && bar ? rect(annotation).bottom + bar.offsetHeight : null,
    panels: panels.length,
    clipped,
  };
}"""


def editor_layout(page: Any, nth: int = 0) -> dict[str, Any]:
    """Sizes in the nth widget's editor frame, in CSS pixels.

    ``frame``: the frame's height; ``editor_bottom``: where Label Studio's editor ends in it;
    ``content``: the height the main column needs (the task's objects and controls, then the bottom
    bar); ``panels``: how many panels the side column (Info/History, Regions/Relations) shows;
    ``clipped``: what of those panels is cut off or scrolled away (empty when all is visible).
    """
    return page.locator(".lsn-lab-frame").nth(nth).evaluate(_LAYOUT)


def annotations(server: Any, project_id: int) -> list[dict[str, Any]]:
    """The project's annotations as the server holds them (one dict per annotation)."""
    out = []
    for task in server.client.tasks.list(project=project_id, fields="all"):
        for a in task.annotations or []:
            d = a if isinstance(a, dict) else a.dict()
            d["task"] = int(task.id)
            out.append(d)
    return out


def wait_annotations(server: Any, project_id: int, count: int, timeout: float = 20) -> list[dict[str, Any]]:
    """Poll until the project has ``count`` annotations; return them (fewer if it never had)."""
    found: list[dict[str, Any]] = []

    def enough() -> bool:
        found[:] = annotations(server, project_id)
        return len(found) >= count

    wait_for(enough, timeout, every=0.2)
    return found


def screenshot(page: Any, name: str) -> Path:
    """Save a screenshot of the first widget as a test artifact (used in the README)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    widget(page).screenshot(path=str(path))
    return path


def make_image(path: Path, size: tuple[int, int] = (640, 400)) -> Path:
    """Write a PNG with a few shapes to ``path``."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, (235, 240, 245))
    draw = ImageDraw.Draw(image)
    draw.rectangle((80, 80, 260, 220), fill=(200, 60, 60))
    draw.ellipse((360, 120, 520, 300), fill=(60, 120, 200))
    image.save(path)
    return path


def upload_task(server: Any, project_id: int, path: Path) -> None:
    """Import a file as a task, as the Label Studio UI's upload does (stored under /data/upload/)."""
    import httpx

    with path.open("rb") as handle:
        response = httpx.post(
            f"{server.url}/api/projects/{project_id}/import",
            headers={k: v for k, v in server.connection.headers().items() if k == "Authorization"},
            files={"file": (path.name, handle, "image/png")},
            timeout=60,
        )
    response.raise_for_status()


def image_box(frame: Any) -> dict[str, float]:
    """Page coordinates of the image shown in the editor."""
    image = frame.locator(".konvajs-content").first
    image.wait_for()
    return image.bounding_box()
