"""Task text with an HTML/JS payload, shown by every notebook view ls_notebook renders (server and
project cards, push result, pulled tables, the status card widget) in real JupyterLab: shown as
text, never run. The inline editor has its own payload test in ``test_labeling_flow.py``."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

CELL = """
import uuid
import pandas as pd
from IPython.display import display
P = '<img src=x onerror="window.__lsn_xss=1">'
proj = server.project(P + " " + uuid.uuid4().hex[:6], lsn.configs.text_classification(["a", "b"]))
res = proj.push(pd.DataFrame({"text": [P, "plain"]}), progress=False)
choice = [{"from_name": "label", "to_name": "text", "type": "choices", "value": {"choices": ["a"]}}]
server.client.annotations.create(id=int(res.task_ids.iloc[0]), result=choice)
display(server, proj, res, proj.pull(progress=False), proj.pull(shape="wide", progress=False), server.card())
print("views-done")
"""


# A trusted image with the payload's broken source and an inline handler, put after the views: once
# its handler ran, inline handlers run in this page and a payload's would have run by then.
CANARY = """() => {
  const img = document.createElement('img');
  img.className = 'lsn-canary';
  img.setAttribute('onerror', 'window.__lsn_canary = 1');
  img.src = 'x';
  document.querySelector('.jp-OutputArea-output:last-child').append(img);
}"""


def test_payload_in_cards_and_tables_is_text(cell, page) -> None:  # type: ignore[no-untyped-def]
    cell(CELL)
    page.locator(".jp-OutputArea-output", has_text="views-done").last.wait_for(timeout=120_000)
    page.locator(".lsn-card").last.wait_for(timeout=60_000)
    outputs = page.locator(".jp-OutputArea")
    text = outputs.last.inner_text()
    assert text.count('<img src=x onerror="window.__lsn_xss=1">') >= 3  # title, task text in both tables
    assert outputs.locator("img[src='x']").count() == 0  # parsed as HTML, a payload would be an element now
    page.evaluate(CANARY)
    try:
        page.wait_for_function("() => window.__lsn_canary === 1", timeout=30_000)
        assert page.evaluate("window.__lsn_xss || 0") == 0, "a payload's onerror handler ran"
    finally:
        page.evaluate("() => { document.querySelectorAll('.lsn-canary').forEach((e) => e.remove()); }")
