"""The labeling widget's workflow: predictions, updates, navigation, errors, isolation, saved size."""

from __future__ import annotations

import json
import uuid

import pytest

from tests.browser._helpers import (
    editor,
    make_project,
    wait_annotations,
    wait_state,
    widget,
)
from tests.browser._jupyter import panel_id
from tests.browser.test_labeling import TEXT_CLASSES, open_widget, submit

pytestmark = pytest.mark.browser


def choice(value: str) -> dict:
    return {"from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": [value]}}


def test_prediction_shown_and_accepted(cell, page, ls_server):
    task = {"data": {"text": "Great"}, "predictions": [{"result": [choice("Positive")], "score": 0.9}]}
    pid = make_project(ls_server.server, TEXT_CLASSES, [task])
    frame = open_widget(cell, page, pid)
    # The annotation starts from the prediction: the choice is already checked.
    assert frame.get_by_role("checkbox", name="Positive").is_checked()
    submit(page, frame)
    (annotation,) = wait_annotations(ls_server.server, pid, 1)
    assert annotation["result"][0]["value"]["choices"] == ["Positive"]


def test_existing_annotation_updated(cell, page, ls_server):
    task = {"data": {"text": "Meh"}, "annotations": [{"result": [choice("Positive")]}]}
    pid = make_project(ls_server.server, TEXT_CLASSES, [task])
    (before,) = wait_annotations(ls_server.server, pid, 1)
    frame = open_widget(cell, page, pid)
    assert frame.get_by_role("checkbox", name="Positive").is_checked()
    frame.locator("label", has_text="Negative").click()
    frame.locator("button", has_text="Update").click()
    wait_state(page, "saved")
    (after,) = wait_annotations(ls_server.server, pid, 1)
    assert after["id"] == before["id"]
    assert after["result"][0]["value"]["choices"] == ["Negative"]


def test_next_and_skip(cell, page, ls_server):
    pid = make_project(ls_server.server, TEXT_CLASSES, [{"text": f"task {i}"} for i in range(3)])
    frame = open_widget(cell, page, pid)
    frame.get_by_text("task 0").wait_for()
    widget(page).get_by_role("button", name="Next ›").click()
    frame.get_by_text("task 1").wait_for()
    assert "2 of 3" in widget(page).locator(".lsn-lab-task").inner_text()
    frame.get_by_role("button", name="Skip").click()
    frame.get_by_text("task 2").wait_for()
    (skipped,) = wait_annotations(ls_server.server, pid, 1)
    assert skipped["was_cancelled"] is True
    widget(page).get_by_role("button", name="‹ Prev").click()
    frame.get_by_text("task 1").wait_for()


def test_server_error_shown_and_retried(cell, page, ls_server):
    """A failed save shows the server's message; the annotation stays in the editor for a retry."""
    pid = make_project(ls_server.server, TEXT_CLASSES, [{"text": "flaky"}, {"text": "next"}])
    cell(
        f"w = label(server, {pid})\n"
        "from label_studio_sdk.core.api_error import ApiError\n"
        "_create = w.session.conn.sdk.annotations.create\n"
        "_calls = []\n"
        "def _flaky(**kw):\n"
        "    _calls.append(1)\n"
        "    if len(_calls) == 1:\n"
        "        raise ApiError(status_code=503, body={'detail': 'Service Unavailable (injected)'})\n"
        "    return _create(**kw)\n"
        "w.session.conn.sdk.annotations.create = _flaky\n"
        "w"
    )
    wait_state(page, "ready")
    frame = editor(page)
    frame.locator("label", has_text="Negative").click()
    submit(page, frame)
    wait_state(page, "error")
    assert "HTTP 503" in widget(page).locator(".lsn-lab-status").inner_text()
    assert frame.get_by_role("checkbox", name="Negative").is_checked()  # not lost
    assert wait_annotations(ls_server.server, pid, 1, timeout=1) == []
    submit(page, frame)  # retry
    (saved,) = wait_annotations(ls_server.server, pid, 1)
    assert saved["result"][0]["value"]["choices"] == ["Negative"]


def test_annotator_is_the_chosen_user(cell, page, ls_server):
    email = f"ann-{uuid.uuid4().hex[:6]}@example.com"
    user = ls_server.server.client.users.create(email=email, username=email.split("@")[0])
    pid = make_project(ls_server.server, TEXT_CLASSES, [{"text": "whose label"}])
    frame = open_widget(cell, page, pid, f", annotator={email!r}")
    frame.locator("label", has_text="Positive").click()
    submit(page, frame)
    (annotation,) = wait_annotations(ls_server.server, pid, 1)
    assert annotation["completed_by"] == user.id


def test_script_payload_shown_as_text(cell, page, ls_server):
    payload = '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">'
    pid = make_project(ls_server.server, TEXT_CLASSES, [{"text": payload}])
    frame = open_widget(cell, page, pid)
    # The editor's own sanitizer drops the <script> element and the handler (as in Label Studio's
    # app); what remains is shown as literal text, not as markup.
    line = frame.locator(".lsf-richtext__line").first
    assert '<img src="x"' in line.inner_text()
    frames = [f for f in page.frames if f.url == "about:srcdoc"]
    assert frames and all(f.evaluate("() => window.__xss") is None for f in frames)
    assert page.evaluate("() => window.__xss") is None
    assert frame.locator("img[src='x']").count() == 0


def test_ctrl_enter_submits_and_does_not_rerun_the_cell(cell, page, ls_server):
    pid = make_project(ls_server.server, TEXT_CLASSES, [{"text": "hotkeys"}, {"text": "second"}])
    frame = open_widget(cell, page, pid)
    prompt = page.locator(".jp-InputPrompt").first.inner_text()
    frame.locator("label", has_text="Positive").click()
    frame.locator(".lsf-richtext__line").first.click()
    page.keyboard.press("Control+Enter")
    (annotation,) = wait_annotations(ls_server.server, pid, 1)
    assert annotation["result"][0]["value"]["choices"] == ["Positive"]
    wait_state(page, "ready")
    assert page.locator(".jp-InputPrompt").first.inner_text() == prompt  # the cell did not run again
    assert page.locator(".lsn-lab").count() == 1


def test_two_widgets_do_not_interfere(cell, page, ls_server):
    p1 = make_project(ls_server.server, TEXT_CLASSES, [{"text": "first widget"}])
    p2 = make_project(ls_server.server, TEXT_CLASSES, [{"text": "second widget"}])
    cell(f"display(label(server, {p1}))\ndisplay(label(server, {p2}))")
    wait_state(page, "ready", nth=0)
    wait_state(page, "ready", nth=1)
    first, second = editor(page, 0), editor(page, 1)
    # Hotkey "2" (Negative) pressed in the second editor must not touch the first.
    second.locator(".lsf-richtext__line").first.click()
    page.keyboard.press("2")
    assert second.get_by_role("checkbox", name="Negative").is_checked()
    assert not first.get_by_role("checkbox", name="Negative").is_checked()
    first.locator("label", has_text="Positive").click()
    first.get_by_role("button", name="Submit").click()
    second.get_by_role("button", name="Submit").click()
    (a1,) = wait_annotations(ls_server.server, p1, 1)
    (a2,) = wait_annotations(ls_server.server, p2, 1)
    assert a1["result"][0]["value"]["choices"] == ["Positive"]
    assert a2["result"][0]["value"]["choices"] == ["Negative"]


def test_saved_notebook_is_small_and_has_no_key(notebook, jupyter, ls_server):
    pid = make_project(ls_server.server, TEXT_CLASSES, [{"text": "save me"}])
    cells = [
        "import ls_notebook as lsn\nserver = lsn.attach()\n"
        "label = lambda server, pid, **options: lsn.Project(server, pid).label(**options)",
        f"label(server, {pid})",
    ]
    name = f"saved-{uuid.uuid4().hex[:6]}.ipynb"
    page = notebook(cells, name=name)
    # Other notebooks of the session hold widgets too: look inside this notebook's own panel.
    panel = panel_id(page, name)
    page.evaluate("(id) => window.jupyterapp.shell.activateById(id)", panel)
    page.wait_for_function(
        "(id) => { const w = document.getElementById(id);"
        " const lab = w && w.querySelector('.lsn-lab'); return lab && lab.dataset.state === 'ready'; }",
        arg=panel,
        timeout=120_000,
    )
    before = (jupyter.root / name).stat().st_size
    # Save with widget state, the heaviest way a notebook can be saved.
    page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
    page.wait_for_function("() => !window.jupyterapp.shell.currentWidget.context.model.dirty", timeout=20_000)
    text = (jupyter.root / name).read_text()
    assert len(text.encode()) - before < 50_000
    assert ls_server.api_key not in text
    assert "sessionid" not in text
    json.loads(text)


def test_page_without_the_editor_files_takes_each_part_once(cell, page, ls_server):
    """A page that lacks the editor files when a widget renders (a reload, a second page) asks the
    kernel for them; each part of the answer is processed once, by the widget's model only."""
    pid = make_project(ls_server.server, TEXT_CLASSES, [{"text": "first"}])
    open_widget(cell, page, pid)  # the kernel has sent its files by now, and sends them unasked no more
    page.evaluate(
        "() => { document.querySelectorAll('.lsn-lab-spares').forEach((e) => e.remove());"
        " delete globalThis.__lsNotebook; globalThis.__lsnTrace = []; }"
    )
    try:
        frame = open_widget(cell, page, pid)
        steps = page.evaluate("() => globalThis.__lsnTrace.map(([, step]) => step)")
    finally:
        page.evaluate("() => { delete globalThis.__lsnTrace; }")
    frame.get_by_text("first").wait_for()
    received = [s for s in steps if s.startswith("bundle-received")]
    assert len(received) == 2, steps  # two parts: the startup scripts, then the rest
