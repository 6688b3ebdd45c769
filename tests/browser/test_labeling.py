"""The inline editor in real JupyterLab: label with mouse and keyboard, check what the server holds."""

from __future__ import annotations

import pytest

from tests.browser._helpers import (
    editor,
    label_cells,
    make_project,
    screenshot,
    wait_annotations,
    wait_state,
)

pytestmark = pytest.mark.browser

TEXT_CLASSES = """<View>
  <Text name="text" value="$text"/>
  <Choices name="sentiment" toName="text" choice="single">
    <Choice value="Positive"/><Choice value="Negative"/>
  </Choices>
</View>"""


def test_text_classification_submit(notebook, ls_server):
    pid = make_project(ls_server.server, TEXT_CLASSES, [{"text": "I love it"}, {"text": "I hate it"}])
    page = notebook(label_cells(pid))
    wait_state(page, "ready", timeout=20_000)
    frame = editor(page)
    frame.locator("label", has_text="Positive").click()
    screenshot(page, "text-classification")
    frame.get_by_role("button", name="Submit").click()
    wait_state(page, "ready")  # the next task is shown after the save
    found = wait_annotations(ls_server.server, pid, 1)
    assert len(found) == 1
    result = found[0]["result"]
    assert [r["value"]["choices"] for r in result] == [["Positive"]]
    assert result[0]["from_name"] == "sentiment"
    assert not page.page_errors
