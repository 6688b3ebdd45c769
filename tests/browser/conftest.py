"""Real JupyterLab in real headless Chromium, against a real Label Studio.

Fixtures:

- ``ls_server``: the Label Studio server the kernels attach to: one started through
  ``ls_notebook.start()`` from a copy of the template data dir (``tests/_fixtures.py``), or an
  already running one given by ``$LSN_TEST_SERVER_URL`` and ``$LSN_TEST_SERVER_KEY`` (faster while
  developing).
- ``jupyter``: JupyterLab on a free 127.0.0.1 port in a temp dir, token-authenticated, stopped in
  teardown (``tests/browser/_jupyter.py``, shared with the Binder imitation). Its kernels get the
  server URL and key through the environment (``LABEL_STUDIO_URL``/``LABEL_STUDIO_API_KEY``), so no
  key is ever written into a notebook.
- ``browser`` / ``page``: Debian's Chromium driven by Playwright.
- ``notebook``: write a notebook, open it in JupyterLab and run its cells.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests._fixtures import TEST_ROOT, copy_data_dir
from tests._support import CHROMIUM, START_TIMEOUT, launch_chromium
from tests.browser._helpers import ARTIFACTS
from tests.browser._jupyter import (
    Jupyter,
    close_notebooks,
    open_notebook,
    panel_id,
    run_all,
    start_jupyter,
    wait_idle,
    write_notebook,
)


@dataclass
class LSServer:
    """What a kernel needs to attach to the Label Studio server under test."""

    url: str
    api_key: str
    server: object  # an ls_notebook.Server for checks through the SDK


@pytest.fixture(scope="session")
def ls_server(request: pytest.FixtureRequest) -> LSServer:
    import ls_notebook as lsn

    url, key = os.environ.get("LSN_TEST_SERVER_URL"), os.environ.get("LSN_TEST_SERVER_KEY")
    if url and key:
        return LSServer(url, key, lsn.attach(url, key))
    from ls_notebook.server._credentials import Credentials

    srv = request.getfixturevalue("_session_ls_server")
    return LSServer(srv.url, Credentials.load(srv.data_dir).token, srv)


@pytest.fixture(scope="session")
def _session_ls_server(template_dir: Path) -> Iterator[object]:
    import ls_notebook as lsn

    srv = lsn.start(data_dir=copy_data_dir(template_dir, "browser-server"), timeout=START_TIMEOUT)
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def jupyter(ls_server: LSServer) -> Iterator[Jupyter]:
    env = {"LABEL_STUDIO_URL": ls_server.url, "LABEL_STUDIO_API_KEY": ls_server.api_key}
    with start_jupyter(TEST_ROOT, env=env) as lab:
        yield lab


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium, or set $LSN_CHROMIUM)")
    with sync_playwright() as pw:
        chromium = launch_chromium(pw)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def lab(browser: object, jupyter: Jupyter) -> Iterator[object]:
    """One JupyterLab page for the session (loading JupyterLab takes ~20 s on 2 cores)."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000})  # type: ignore[attr-defined]
    pg = context.new_page()
    pg.page_errors = []  # type: ignore[attr-defined]
    pg.console_messages = []  # type: ignore[attr-defined]
    pg.on("pageerror", lambda exc: pg.page_errors.append(str(exc)))  # type: ignore[attr-defined]
    pg.on("console", lambda m: pg.console_messages.append(f"{m.type}: {m.text}"))  # type: ignore[attr-defined]
    pg.goto(f"{jupyter.url}/lab?token={jupyter.token}&reset")
    pg.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell", timeout=120_000)
    pg.wait_for_selector(".jp-LauncherCard", timeout=120_000)
    yield pg
    context.close()


@pytest.fixture
def page(lab: object, jupyter: Jupyter, request: pytest.FixtureRequest) -> Iterator[object]:
    """The session's JupyterLab page, with this test's page errors and console messages."""
    lab.page_errors.clear()  # type: ignore[attr-defined]
    lab.console_messages.clear()  # type: ignore[attr-defined]
    yield lab
    if request.node.rep_call.failed if hasattr(request.node, "rep_call") else False:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        lab.screenshot(path=str(ARTIFACTS / f"FAILED-{request.node.name}.png"))  # type: ignore[attr-defined]
        log = lab.page_errors + lab.console_messages  # type: ignore[attr-defined]
        (ARTIFACTS / f"FAILED-{request.node.name}.log").write_text("\n".join(log))


SETUP_CELL = (
    "import ls_notebook as lsn\nserver = lsn.attach()\n"
    "label = lambda server, pid, **options: lsn.Project(server, pid).label(**options)"
)

_RUN_ONLY = """async (src) => {
  const app = window.jupyterapp;
  const panel = app.shell.currentWidget;
  const nb = panel.content;
  const shared = nb.model.sharedModel;
  shared.transact(() => {
    shared.deleteCellRange(0, shared.cells.length);
    shared.insertCell(0, {cell_type: 'code', source: src});
  });
  nb.activeCellIndex = 0;
  await app.commands.execute('notebook:run-cell');
}"""


@pytest.fixture(scope="session")
def _shared_notebook(lab: object, jupyter: Jupyter) -> str:
    name = "shared.ipynb"
    write_notebook(jupyter.root / name, [SETUP_CELL])
    open_notebook(lab, name)
    run_all(lab)
    wait_idle(lab)
    return name


@pytest.fixture
def cell(page: object, _shared_notebook: str) -> Callable[[str], object]:
    """Run ``source`` as the only cell of a notebook whose kernel is attached to the server.

    The kernel (and ``server``, ``label``) persists across tests; the previous cells and their
    widgets are removed first, so each test sees only its own output.
    """

    def run(source: str) -> object:
        page.evaluate("(id) => window.jupyterapp.shell.activateById(id)", panel_id(page, _shared_notebook))  # type: ignore[attr-defined]
        wait_idle(page)
        page.evaluate(_RUN_ONLY, source)  # type: ignore[attr-defined]
        return page

    return run


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture
def notebook(jupyter: Jupyter, page: object) -> Iterator[Callable[..., object]]:
    """Open a new notebook of ``cells`` in JupyterLab and run all cells; returns the page.

    Each notebook starts its own kernel (several seconds): prefer ``cell`` where a test allows.
    The notebooks are closed and their kernels shut down in teardown.
    """
    opened: list[str] = []

    def open_and_run(cells: list[str], name: str | None = None, run: bool = True) -> object:
        name = name or f"nb-{uuid.uuid4().hex[:8]}.ipynb"
        write_notebook(jupyter.root / name, cells)
        open_notebook(page, name)
        opened.append(name)
        if run:
            run_all(page)
        return page

    yield open_and_run
    close_notebooks(page, jupyter, opened)
