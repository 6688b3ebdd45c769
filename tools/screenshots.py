"""Regenerate the README screenshots in ``docs/`` with the real thing.

A real Label Studio (started once, like ``ls_notebook.start()`` does), a real JupyterLab and
Debian's Chromium driven by Playwright, through the browser tests' helpers
(``tests/browser/_jupyter.py``, ``tests/browser/_helpers.py``). Each scene writes a notebook, runs
it, does what a user does with the mouse (choose a class, drag a span, draw boxes), and captures the
notebook's cells at 1200 px wide; the PNGs are quantised to 256 colours to stay small.

Usage::

    python tools/screenshots.py               # every scene, into docs/
    python tools/screenshots.py --only ner    # some scenes
    make screenshots

``$LSN_TEST_TEMPLATE`` (an initialised Label Studio data dir) saves the first start's database
creation; ``$LSN_CHROMIUM`` overrides ``/usr/bin/chromium``. Nothing outlives the run: JupyterLab,
its kernels, Chromium and Label Studio are stopped and the temp folder removed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests._support import CHROMIUM, launch_chromium  # noqa: E402
from tests.browser._helpers import drag_over_text, editor, image_box, make_image, wait_state  # noqa: E402
from tests.browser._jupyter import (  # noqa: E402
    Jupyter,
    close_notebooks,
    open_notebook,
    run_all,
    start_jupyter,
    wait_idle,
    write_notebook,
)

WIDTH = 1200  # pixels of every screenshot

# Shown in the screenshots: the cells a user would write.
START = "import ls_notebook as lsn\nimport pandas as pd\n\nserver = lsn.start()"
REVIEWS = """reviews = pd.DataFrame({
    "id": ["r1", "r2", "r3", "r4", "r5", "r6"],
    "text": ["Loved every minute of it", "Dull and far too long", "A charming little film",
             "The plot makes no sense", "Great cast, great music", "I want my money back"],
})
config = lsn.configs.text_classification(["positive", "negative", "neutral"])
project = server.project("Movie reviews", config)
project.push(reviews, key="id", progress=False)"""
NEWS = """news = pd.DataFrame({"text": [
    "Ada Lovelace met Charles Babbage in London in 1833.",
    "Grace Hopper joined the Harvard Computation Lab in 1944.",
]})
project = server.project("People and places", lsn.configs.ner(["PER", "ORG", "LOC"]))
project.push(news, key="text", progress=False)"""
IMAGES = """images = pd.DataFrame({"image": ["shapes.png"]})   # local files are uploaded to the server
project = server.project("Shapes", lsn.configs.object_detection(["Red", "Blue"]))
project.push(images, key="image", progress=False)"""
ANNOTATORS = """%matplotlib inline
# Three annotators label twelve reviews (simulated here through the SDK).
config = lsn.configs.text_classification(["positive", "negative", "neutral"])
project = server.project("Review agreement", config)
project.push(pd.DataFrame({"text": [f"review {i}" for i in range(12)]}), key="text", progress=False)
tasks = sorted(int(t) for t in project.pull(include_unannotated=True, progress=False)["task_id"].unique())
says = {
    "ann@example.org": "pos pos neg neg neu pos neg pos neu neg pos neg",
    "bob@example.org": "pos pos neg neu neu pos neg pos neg neg pos neg",
    "cat@example.org": "pos neg neg neg neu pos neg neu neu neg pos pos",
}
full = {"pos": "positive", "neg": "negative", "neu": "neutral"}
for email, labels in says.items():
    user = server.create_user(email)
    project.annotate(dict(zip(tasks, [full[x] for x in labels.split()])), annotator=user)"""
REPORT = "report = lsn.agreement(project.pull(progress=False))\nreport.plot()"

HIDE_CHROME = """
.jp-cell-toolbar, .jp-Toolbar.jp-cell-toolbar { display: none !important; }
.jp-Notebook .jp-Cell .jp-Collapser, .jp-Notebook .jp-Cell .jp-Collapser-child {
  background: transparent !important; border: 0 !important; box-shadow: none !important;
}
.jp-Notebook .jp-Cell.jp-mod-selected { background: transparent !important; }
"""


class Scenes:
    """The browser page, the JupyterLab, and the output folder of one run."""

    def __init__(self, page: Any, jupyter: Jupyter, out: Path) -> None:
        self.page, self.jupyter, self.out = page, jupyter, out
        self.written: list[Path] = []

    # -- plumbing ----------------------------------------------------------------------------------
    def notebook(self, name: str, cells: list[str]) -> None:
        write_notebook(self.jupyter.root / name, cells)
        open_notebook(self.page, name)
        run_all(self.page)

    def wait_cells_done(self, timeout: float = 300_000) -> None:
        """Wait until every cell of the current notebook has run (an execution count) and the kernel idles."""
        self.page.wait_for_function(
            "() => { const nb = window.jupyterapp.shell.currentWidget.content;"
            " return nb.widgets.every(c => c.model.type !== 'code' || c.model.executionCount); }",
            timeout=timeout,
        )
        wait_idle(self.page, timeout=timeout)

    def fit_width(self) -> None:
        """Resize the viewport so that the notebook's cells are exactly :data:`WIDTH` pixels wide."""
        for _ in range(3):
            width = self.page.locator(".jp-Notebook .jp-Cell").first.bounding_box()["width"]
            if round(width) == WIDTH:
                return
            size = self.page.viewport_size
            self.page.set_viewport_size(
                {"width": size["width"] + WIDTH - round(width), "height": size["height"]}
            )
            self.page.wait_for_timeout(300)

    def shoot(self, name: str, first: int, last: int) -> Path:
        """Capture cells ``first..last`` of the current notebook into ``out/name.png``."""
        page = self.page
        page.mouse.move(1, 1)
        page.evaluate("() => document.activeElement && document.activeElement.blur()")
        cells = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell")
        cells.nth(first).scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        top, bottom = cells.nth(first).bounding_box(), cells.nth(last).bounding_box()
        clip = {
            "x": top["x"],
            "y": top["y"],
            "width": top["width"],
            "height": bottom["y"] + bottom["height"] - top["y"],
        }
        raw = self.out / f".{name}.raw.png"
        page.screenshot(path=str(raw), clip=clip)
        path = self.out / f"{name}.png"
        _optimise(raw, path)
        raw.unlink()
        self.written.append(path)
        print(f"{path}: {_size(path)}", flush=True)
        return path

    def done(self, name: str) -> None:
        close_notebooks(self.page, self.jupyter, [name])

    # -- scenes ------------------------------------------------------------------------------------
    def text_classification(self) -> None:
        name = "text_classification.ipynb"
        self.notebook(name, [START, REVIEWS, "project.label()"])
        wait_state(self.page, "ready", timeout=300_000)
        frame = editor(self.page)
        frame.get_by_text("Loved every minute of it").wait_for()
        frame.locator("label", has_text="positive").click()
        self.wait_cells_done()
        self.fit_width()
        self.shoot("inline-text-classification", 1, 2)
        self.done(name)

    def ner(self) -> None:
        name = "ner.ipynb"
        self.notebook(name, [START, NEWS, "project.label()"])
        wait_state(self.page, "ready", timeout=300_000)
        frame = editor(self.page)
        for label, words in (("PER", "Ada Lovelace"), ("PER", "Charles Babbage"), ("LOC", "London")):
            frame.locator(".lsf-label", has_text=label).first.click()
            drag_over_text(self.page, frame, words)
            self.page.keyboard.press("Escape")  # unselect the new span before the next label
        self.page.wait_for_timeout(300)
        self.wait_cells_done()
        self.fit_width()
        self.shoot("inline-ner", 1, 2)
        self.done(name)

    def bounding_boxes(self) -> None:
        name = "boxes.ipynb"
        make_image(self.jupyter.root / "shapes.png")
        self.notebook(name, [START, IMAGES, "project.label()"])
        wait_state(self.page, "ready", timeout=300_000)
        frame = editor(self.page)
        page = self.page
        # The shapes of make_image(): a red rectangle and a blue ellipse, as fractions of 640 x 400.
        for label, (x0, y0, x1, y1) in (
            ("Red", (0.11, 0.18, 0.42, 0.57)),
            ("Blue", (0.55, 0.28, 0.83, 0.77)),
        ):
            frame.locator(".lsf-label", has_text=label).first.click()
            box = image_box(frame)
            page.mouse.move(box["x"] + box["width"] * x0, box["y"] + box["height"] * y0)
            page.mouse.down()
            page.mouse.move(box["x"] + box["width"] * x1, box["y"] + box["height"] * y1, steps=10)
            page.mouse.up()
            page.keyboard.press("Escape")
        page.wait_for_timeout(500)
        self.wait_cells_done()
        self.fit_width()
        self.shoot("inline-bounding-boxes", 1, 2)
        self.done(name)

    def agreement(self) -> None:
        name = "agreement.ipynb"
        self.notebook(name, [START, ANNOTATORS, REPORT])
        self.wait_cells_done()
        self.page.locator(".jp-OutputArea-output img").first.wait_for()
        self.fit_width()
        self.shoot("agreement-report", 2, 2)
        self.done(name)

    def web_ui(self) -> None:
        name = "web_ui.ipynb"
        self.notebook(name, [START, REVIEWS, "project.open(height=560)"])
        self.wait_cells_done()
        frame = self.page.frame_locator(".lsn-webui-frame").first
        frame.get_by_text("Dull and far too long").first.wait_for(timeout=120_000)  # the data manager
        self.page.wait_for_timeout(2000)  # fonts and icons
        self.fit_width()
        self.shoot("web-ui", 2, 2)
        self.done(name)


SCENES: dict[str, Callable[[Scenes], None]] = {
    "text-classification": Scenes.text_classification,
    "ner": Scenes.ner,
    "bounding-boxes": Scenes.bounding_boxes,
    "agreement": Scenes.agreement,
    "web-ui": Scenes.web_ui,
}


def _optimise(source: Path, target: Path) -> None:
    """Quantise to an adaptive 256-colour palette (UI screenshots barely change) and compress."""
    from PIL import Image

    with Image.open(source) as image:
        image = image.convert("RGB")
        if image.width > WIDTH:
            image = image.resize((WIDTH, round(image.height * WIDTH / image.width)), Image.Resampling.LANCZOS)
        quantised = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        quantised.save(target, optimize=True)


def _size(path: Path) -> str:
    from PIL import Image

    with Image.open(path) as image:
        return f"{image.width}x{image.height}, {path.stat().st_size / 1024:.0f} kB"


def _start_label_studio(home: Path) -> Any:
    """Start the server the kernels' ``lsn.start()`` will reuse (a copy of $LSN_TEST_TEMPLATE if set)."""
    import ls_notebook as lsn

    data_dir = home / "default"
    template = os.environ.get("LSN_TEST_TEMPLATE")
    if template and Path(template, "ls_notebook.json").exists():
        shutil.copytree(template, data_dir, ignore=shutil.ignore_patterns("server.log", ".ls_notebook.lock"))
    else:
        print("Creating a Label Studio database (set $LSN_TEST_TEMPLATE to skip this)...", flush=True)
    return lsn.start(data_dir=data_dir, timeout=900)


def main(argv: list[str] | None = None) -> int:
    """Run the scenes; return a process exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs", help="folder for the PNGs (default docs/)")
    parser.add_argument("--only", nargs="+", choices=sorted(SCENES), help="scenes to run (default all)")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"No Chromium at {CHROMIUM}: apt-get install chromium, or set $LSN_CHROMIUM", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="lsn-screenshots-"))
    home = tmp / "home"
    os.environ["LS_NOTEBOOK_HOME"] = str(home)  # this process and the kernels share one server record
    env = {"LS_NOTEBOOK_HOME": str(home), "MPLBACKEND": "module://matplotlib_inline.backend_inline"}
    started = time.monotonic()
    server = None
    try:
        server = _start_label_studio(home)
        from playwright.sync_api import sync_playwright

        with start_jupyter(tmp, env=env) as jupyter, sync_playwright() as pw:
            browser = launch_chromium(pw)
            try:
                context = browser.new_context(viewport={"width": 1280, "height": 1400}, device_scale_factor=1)
                page = context.new_page()
                page.goto(f"{jupyter.url}/lab?token={jupyter.token}&reset")
                page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell", timeout=180_000)
                page.wait_for_selector(".jp-LauncherCard", timeout=180_000)
                page.evaluate(
                    "() => { const app = window.jupyterapp;"
                    " if (!app.shell.leftCollapsed) app.commands.execute('application:toggle-left-area'); }"
                )
                page.add_style_tag(content=HIDE_CHROME)
                scenes = Scenes(page, jupyter, args.out)
                for key in args.only or list(SCENES):
                    SCENES[key](scenes)
            finally:
                browser.close()
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"done in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
