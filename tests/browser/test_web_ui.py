"""The full Label Studio web UI in an iframe (``Server.open`` / ``Project.open``)."""

from __future__ import annotations

import pytest

from tests.browser._helpers import make_project
from tests.browser.test_labeling import TEXT_CLASSES

pytestmark = pytest.mark.browser


def test_project_page_in_an_iframe(cell, page, ls_server):
    """The shared kernel is attached (``lsn.attach()``): it knows no password, so Label Studio asks
    for a login inside the frame, and nothing of a session lands in the notebook."""
    pid = make_project(ls_server.server, TEXT_CLASSES, [{"text": "in the data manager"}])
    cell(f"p = server.project(id={pid})\np.open()")
    frame_el = page.locator(".lsn-webui-frame").first
    frame_el.wait_for()
    frame = page.frame_locator(".lsn-webui-frame").first
    frame.locator("input[name=email], input[type=email]").first.wait_for(timeout=60_000)
    src = frame_el.get_attribute("src")
    assert src.endswith(f"/projects/{pid}/data")
    text = page.evaluate("() => JSON.stringify(window.jupyterapp.shell.currentWidget.context.model.toJSON())")
    assert "sessionid" not in text
