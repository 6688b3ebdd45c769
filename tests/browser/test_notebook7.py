"""The inline editor in the Notebook 7 UI (``/notebooks/...`` of the session's Jupyter server).

Notebook 7 is installed next to JupyterLab (dev extra), so the same Jupyter server serves both UIs.
The page is driven as a user does: open the notebook, Run > Run All Cells, click a choice, Submit;
the server must then hold that annotation, made by the chosen annotator.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest

from tests._support import wait_for
from tests.browser._helpers import editor, make_project, wait_annotations, wait_state, widget
from tests.browser._jupyter import write_notebook
from tests.browser.test_labeling import TEXT_CLASSES

pytestmark = pytest.mark.browser


@pytest.fixture
def notebook7(browser, jupyter) -> Iterator[object]:
    """A fresh Chromium page for the Notebook 7 UI; the kernels it starts are shut down afterwards."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.page_errors = []
    page.on("pageerror", lambda exc: page.page_errors.append(f"{exc}\n{exc.stack}"))
    before = {s["id"] for s in _sessions(jupyter)}
    yield page
    context.close()
    for session in _sessions(jupyter):
        if session["id"] not in before:
            httpx.delete(f"{jupyter.url}/api/sessions/{session['id']}?token={jupyter.token}", timeout=10)


def _notebook7_own_error(error: str) -> bool:
    """Notebook 7's shortcuts plugin reads a settings schema before it is loaded, on any page (also
    without a widget): jupyter/notebook#7862. Anything else fails the test."""
    return error.startswith("Cannot read properties of undefined (reading 'schema')") and all(
        "/static/notebook/notebook_core." in line for line in error.splitlines()[2:] if "http" in line
    )


def _wait_kernel_connected(jupyter, path: str, timeout: float = 120) -> None:
    """Wait until the notebook's kernel is idle with the page connected to it."""

    def connected() -> bool:
        for session in _sessions(jupyter):
            kernel = session.get("kernel") or {}
            idle = kernel.get("execution_state") == "idle"
            if session.get("path") == path and idle and kernel.get("connections"):
                return True
        return False

    assert wait_for(connected, timeout, every=0.3), (
        f"no connected idle kernel for {path}: {_sessions(jupyter)}"
    )


def _sessions(jupyter) -> list[dict]:
    return httpx.get(f"{jupyter.url}/api/sessions?token={jupyter.token}", timeout=10).json()


def test_label_in_notebook7(notebook7, jupyter, ls_server):
    page = notebook7
    email = f"nb7-{uuid.uuid4().hex[:6]}@example.com"
    user = ls_server.server.client.users.create(email=email, username=email.split("@")[0])
    pid = make_project(ls_server.server, TEXT_CLASSES, [{"text": "labeled in Notebook 7"}, {"text": "next"}])
    name = f"nb7-{uuid.uuid4().hex[:6]}.ipynb"
    write_notebook(
        jupyter.root / name,
        [
            "import ls_notebook as lsn\nserver = lsn.attach()",
            f"p = server.project(id={pid})\np.label(annotator={email!r})",
        ],
    )
    page.goto(f"{jupyter.url}/notebooks/{name}?token={jupyter.token}")
    # Notebook 7, not JupyterLab: its own shell and no JupyterLab side panels.
    page.locator("#main-panel .jp-Notebook").wait_for(timeout=120_000)
    assert page.locator(".jp-LabShell").count() == 0
    _wait_kernel_connected(jupyter, name)
    page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for(timeout=120_000)

    # Run the two cells with Shift+Enter, as a user does.
    page.locator(".jp-Cell .jp-InputPrompt").first.click()
    page.keyboard.press("Shift+Enter")
    page.locator(".jp-Cell .jp-InputPrompt", has_text="[1]").wait_for(timeout=120_000)
    page.keyboard.press("Shift+Enter")
    wait_state(page, "ready", timeout=120_000)
    frame = editor(page)
    frame.get_by_text("labeled in Notebook 7").wait_for()
    frame.locator("label", has_text="Negative").click()
    frame.get_by_role("button", name="Submit").click()

    (annotation,) = wait_annotations(ls_server.server, pid, 1)
    assert annotation["completed_by"] == user.id
    result = [(r["from_name"], r["value"]["choices"]) for r in annotation["result"]]
    assert result == [("sentiment", ["Negative"])]
    wait_state(page, "ready")  # the widget moved on to the next task
    frame.get_by_text("next").first.wait_for()
    assert "1 / 2 labeled" in widget(page).locator(".lsn-lab-progress").inner_text()
    errors = [e for e in page.page_errors if not _notebook7_own_error(e)]
    assert not errors, "\n\n".join(errors)
