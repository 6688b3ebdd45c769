"""Relations in the inline editor, made as a user makes them in Label Studio 1.23's editor.

Two NER spans are dragged over the text; the first is selected (click), Alt+R ("Create relation
between regions") starts linking and a click on the second span ends it; in the Relations tab the
relation's "Show Relation Labels" button opens a label picker. After Submit the server must hold two
``labels`` results and one ``relation`` result from the first span's id to the second's, and
``pull()`` must return the relation with ``region_id``/``parent_id`` pointing at the spans' rows.
"""

from __future__ import annotations

import pytest

from tests.browser._helpers import drag_over_text, make_project, screenshot, user_id, wait_annotations
from tests.browser.test_labeling import open_widget, submit

pytestmark = pytest.mark.browser


def test_relation_between_two_spans(cell, page, ls_server):
    import ls_notebook as lsn

    text = "Ada Lovelace works for Analytical Engines"
    config = lsn.configs.relation_extraction(["PER", "ORG"], ["works_for", "founded"])
    pid = make_project(ls_server.server, config, [{"text": text}])
    frame = open_widget(cell, page, pid)

    frame.locator(".lsf-label", has_text="PER").first.click()
    drag_over_text(page, frame, "Ada Lovelace")
    frame.locator(".htx-highlight", has_text="Ada Lovelace").first.wait_for()
    frame.locator(".lsf-label", has_text="ORG").first.click()
    drag_over_text(page, frame, "Analytical Engines")
    frame.locator(".htx-highlight", has_text="Analytical Engines").first.wait_for()

    # Select the first span, Alt+R, click the second span: a relation from the first to the second.
    frame.locator(".htx-highlight", has_text="Ada Lovelace").first.click()
    page.keyboard.press("Alt+r")
    frame.locator(".htx-highlight", has_text="Analytical Engines").first.click()
    frame.get_by_text("Relations", exact=True).first.click()
    frame.get_by_text("Relations (1)").wait_for()

    # Label it: the relation's "Show Relation Labels" button, then the picker.
    relation = frame.locator(".lsf-relations__item").first
    relation.hover()
    relation.get_by_role("button", name="Show Relation Labels").click()
    frame.get_by_text("Select labels").click()
    frame.get_by_text("works_for", exact=True).last.click()
    page.keyboard.press("Escape")
    screenshot(page, "relations")
    submit(page, frame)

    (annotation,) = wait_annotations(ls_server.server, pid, 1)
    assert annotation["completed_by"] == user_id(ls_server.server)
    result = annotation["result"]
    spans = {r["value"]["text"]: r for r in result if r["type"] == "labels"}
    relations = [r for r in result if r["type"] == "relation"]
    assert sorted(spans) == ["Ada Lovelace", "Analytical Engines"], result
    assert spans["Ada Lovelace"]["value"]["labels"] == ["PER"]
    assert spans["Analytical Engines"]["value"]["labels"] == ["ORG"]
    assert (spans["Ada Lovelace"]["value"]["start"], spans["Ada Lovelace"]["value"]["end"]) == (0, 12)
    assert len(relations) == 1, result
    (rel,) = relations
    assert rel["from_id"] == spans["Ada Lovelace"]["id"]
    assert rel["to_id"] == spans["Analytical Engines"]["id"]
    assert rel["direction"] == "right"
    assert rel["labels"] == ["works_for"]

    # pull(): the relation row points at the spans' rows (region_id = from, parent_id = to).
    pulled = lsn.attach(ls_server.url, ls_server.api_key).project(id=pid).pull(progress=False)
    assert len(pulled) == 3
    span_rows = pulled[pulled["type"] == "labels"].set_index("text")
    (rel_row,) = pulled[pulled["type"] == "relation"].itertuples()
    assert rel_row.region_id == span_rows.loc["Ada Lovelace", "region_id"]
    assert rel_row.parent_id == span_rows.loc["Analytical Engines", "region_id"]
    assert rel_row.value == "right"
    assert list(rel_row.labels) == ["works_for"] and rel_row.label == "works_for"
    assert span_rows.loc["Ada Lovelace", "label"] == "PER"
    org = span_rows.loc["Analytical Engines"]
    assert (org["start"], org["end"]) == (23, 41)
    assert not page.page_errors
