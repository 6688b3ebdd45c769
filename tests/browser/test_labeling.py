"""The inline editor in real JupyterLab: label with mouse and keyboard, check what the server holds.

Each test creates its own project through the SDK, opens the widget in the shared notebook
(``cell``), does what a user does, presses Submit, and reads the annotation back from the server.
"""

from __future__ import annotations

import pytest

from tests.browser._helpers import (
    drag_over_text,
    editor,
    make_project,
    screenshot,
    user_id,
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

MULTI_LABEL = """<View>
  <Text name="text" value="$text"/>
  <Choices name="topics" toName="text" choice="multiple">
    <Choice value="Sports"/><Choice value="Politics"/><Choice value="Tech"/>
  </Choices>
</View>"""

NER = """<View>
  <Labels name="label" toName="text">
    <Label value="PER"/><Label value="ORG"/>
  </Labels>
  <Text name="text" value="$text"/>
</View>"""

TEXT_AREA = """<View>
  <Text name="text" value="$text"/>
  <TextArea name="summary" toName="text" rows="2" editable="true"/>
</View>"""

RATING = """<View>
  <Text name="text" value="$text"/>
  <Rating name="stars" toName="text" maxRating="5"/>
</View>"""


def open_widget(cell, page, pid: int, extra: str = "") -> object:
    cell(f"w = label(server, {pid}{extra})\nw")
    wait_state(page, "ready")
    return editor(page)


def submit(page, frame) -> None:
    frame.get_by_role("button", name="Submit").click()


def only_result(ls_server, pid: int, count: int = 1) -> list[dict]:
    found = wait_annotations(ls_server.server, pid, count)
    assert len(found) == count, found
    me = user_id(ls_server.server)
    assert all(a["completed_by"] == me for a in found)
    return found[-1]["result"]


def test_text_classification(cell, page, ls_server):
    pid = make_project(ls_server.server, TEXT_CLASSES, [{"text": "I love it"}, {"text": "I hate it"}])
    frame = open_widget(cell, page, pid)
    frame.locator("label", has_text="Positive").click()
    screenshot(page, "text-classification")
    submit(page, frame)
    result = only_result(ls_server, pid)
    assert [(r["from_name"], r["value"]["choices"]) for r in result] == [("sentiment", ["Positive"])]
    # After the save the widget shows the next task, with the progress line updated.
    wait_state(page, "ready")
    assert "1 / 2 labeled" in page.locator(".lsn-lab-progress").inner_text()
    assert not page.page_errors


def test_multi_label(cell, page, ls_server):
    pid = make_project(ls_server.server, MULTI_LABEL, [{"text": "The match was streamed on a new app"}])
    frame = open_widget(cell, page, pid)
    frame.locator("label", has_text="Sports").click()
    frame.locator("label", has_text="Tech").click()
    submit(page, frame)
    result = only_result(ls_server, pid)
    assert sorted(result[0]["value"]["choices"]) == ["Sports", "Tech"]


def test_ner_span_by_mouse_drag(cell, page, ls_server):
    text = "Ada Lovelace worked with Charles Babbage"
    pid = make_project(ls_server.server, NER, [{"text": text}])
    frame = open_widget(cell, page, pid)
    frame.locator(".lsf-label", has_text="PER").first.click()
    drag_over_text(page, frame, "Ada Lovelace")
    frame.locator(".htx-highlight").first.wait_for()
    screenshot(page, "ner")
    submit(page, frame)
    result = only_result(ls_server, pid)
    spans = [(r["value"]["start"], r["value"]["end"], r["value"]["labels"]) for r in result]
    assert spans == [(0, 12, ["PER"])]
    assert result[0]["value"]["text"] == "Ada Lovelace"


def test_text_area_typing(cell, page, ls_server):
    pid = make_project(ls_server.server, TEXT_AREA, [{"text": "Long text to summarise"}])
    frame = open_widget(cell, page, pid)
    box = frame.locator("textarea").first
    box.click()
    box.type("short summary")
    submit(page, frame)
    result = only_result(ls_server, pid)
    assert result[0]["value"]["text"] == ["short summary"]


def test_rating(cell, page, ls_server):
    pid = make_project(ls_server.server, RATING, [{"text": "Rate me"}])
    frame = open_widget(cell, page, pid)
    frame.locator(".ant-rate-star").nth(3).click()
    submit(page, frame)
    result = only_result(ls_server, pid)
    assert result[0]["value"]["rating"] == 4
