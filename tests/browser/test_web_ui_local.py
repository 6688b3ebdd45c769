"""``Project.open()`` for a server the notebook's own kernel started with ``ls_notebook.start()``.

The frame must show the project's data manager logged in (the kernel logs in with the generated
credentials and hands the session to the browser), ``task=`` must open the labeling page, a stopped
server must give a readable message instead of a blank frame, and the saved notebook must hold
neither the password, the API key nor a session id.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests._fixtures import copy_data_dir
from tests.browser._jupyter import panel_id, wait_idle

pytestmark = pytest.mark.browser

_APPEND_AND_RUN = """async (src) => {
  const app = window.jupyterapp;
  const nb = app.shell.currentWidget.content;
  const shared = nb.model.sharedModel;
  shared.insertCell(shared.cells.length, {cell_type: 'code', source: src});
  nb.activeCellIndex = shared.cells.length - 1;
  await app.commands.execute('notebook:run-cell');
}"""


@pytest.fixture
def own_data_dir(template_dir: Path, lab: object) -> Iterator[Path]:
    """A data dir for the kernel's own server; stopped, and its login forgotten by the shared browser.

    Copies of one template share the secret key and the admin's id, so a login cookie of this server
    would log later tests' frames in on the session's server too.
    """
    import ls_notebook as lsn

    data = copy_data_dir(template_dir, f"webui-{uuid.uuid4().hex[:6]}")
    yield data
    lsn.stop(data_dir=data)
    lab.context.clear_cookies(name="sessionid")  # type: ignore[attr-defined]


def _session_ids(context: object) -> set[str]:
    return {c["value"] for c in context.cookies() if c["name"] == "sessionid"}  # type: ignore[attr-defined]


def _webui(page: object, panel: str, nth: int) -> tuple[object, object]:
    """The nth web UI widget of the notebook panel and its frame."""
    box = page.locator(f"#{panel} .lsn-webui").nth(nth)  # type: ignore[attr-defined]
    box.wait_for(timeout=60_000)
    box.scroll_into_view_if_needed()
    return box, page.frame_locator(f"#{panel} .lsn-webui-frame").nth(nth)  # type: ignore[attr-defined]


def test_open_is_logged_in_for_a_server_the_kernel_started(notebook, jupyter, own_data_dir):
    import ls_notebook as lsn

    name = f"webui-{uuid.uuid4().hex[:6]}.ipynb"
    page = notebook(
        [
            "import ls_notebook as lsn\nimport pandas as pd\n"
            f"server = lsn.start(data_dir={str(own_data_dir)!r}, timeout=300)\n"
            "p = server.project('web ui', lsn.configs.text_classification(['yes', 'no']))\n"
            "r = p.push(pd.DataFrame({'text': ['shown in the data manager']}), progress=False)\n"
            "task = int(r.task_ids.iloc[0])",
        ],
        name=name,
    )
    wait_idle(page, timeout=600_000)
    server = lsn.start(data_dir=own_data_dir)  # the kernel's server (reused), for its URL and secrets
    creds = json.loads((own_data_dir / "ls_notebook.json").read_text())
    panel = panel_id(page, name)
    context = page.context
    seen = set()

    # A user who once clicked the server's link (and saw its login page) holds an HttpOnly anonymous
    # session cookie for the host, which no page script can overwrite: the hand-over must survive it.
    other = context.new_page()
    other.goto(f"{server.url}/user/login/")
    other.close()
    assert any(c["name"] == "sessionid" and c["httpOnly"] for c in context.cookies())
    seen |= _session_ids(context)

    page.evaluate(_APPEND_AND_RUN, "p.open()")
    box, frame = _webui(page, panel, 0)
    frame.get_by_text("shown in the data manager").first.wait_for(timeout=120_000)
    frame.get_by_role("button", name="Label All Tasks").wait_for()  # the data manager's toolbar
    assert box.get_attribute("data-login") == "ticket"
    assert frame.locator("input[name=password]").count() == 0
    seen |= _session_ids(context)

    page.evaluate(_APPEND_AND_RUN, "p.open(task=task)")
    _, task_frame = _webui(page, panel, 1)
    # Chromium does not render an off-screen cross-origin frame: scroll to it, as a user does.
    page.locator(f"#{panel} .lsn-webui-frame").nth(1).scroll_into_view_if_needed()
    task_frame.locator(".lsf-choices").first.wait_for(timeout=120_000)  # the labeling page's editor
    task_frame.get_by_text("shown in the data manager").first.wait_for()
    seen |= _session_ids(context)

    seen.discard("")
    assert seen

    # Save with the widget state, the heaviest way a notebook is saved.
    toggled = page.evaluate(
        "() => window.jupyterapp.commands.isToggled('@jupyter-widgets/jupyterlab-manager:saveWidgetState')"
    )
    if not toggled:
        page.evaluate(
            "() => window.jupyterapp.commands.execute('@jupyter-widgets/jupyterlab-manager:saveWidgetState')"
        )
    try:
        page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
        page.wait_for_function(
            "() => !window.jupyterapp.shell.currentWidget.context.model.dirty", timeout=30_000
        )
    finally:
        if not toggled:
            page.evaluate(
                "() => window.jupyterapp.commands.execute("
                "'@jupyter-widgets/jupyterlab-manager:saveWidgetState')"
            )
    text = (jupyter.root / name).read_text()
    state = json.loads(text)["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"]
    assert "/projects/" in json.dumps(state)  # the web UI widgets' state was saved...
    for secret in [creds["password"], creds["token"], *seen]:  # ...without a secret
        assert secret not in text
    assert "ticket=" not in text

    # The server is gone: the widget says so instead of showing a blank or error frame.
    page.evaluate(_APPEND_AND_RUN, "server.stop()\np.open()")
    message = page.locator(f"#{panel} .lsn-webui-unreachable").first
    message.wait_for(timeout=120_000)
    assert "cannot reach Label Studio" in message.text_content()
    assert page.locator(f"#{panel} .lsn-webui").nth(2).locator("iframe").count() == 0
