"""Binder imitation: JupyterLab under ``/user/test/`` with ``$JUPYTERHUB_SERVICE_PREFIX``, Chromium
reaching Label Studio only through jupyter-server-proxy's ``label-studio`` route (ls_notebook.proxy).

Checks the launcher tile, the login form (CSRF), the project page and the labeling page, with every
static asset loaded through the proxy, and that ``ls_notebook.start()`` in a kernel-like process
shares the proxied server and links to the route. Then the quickstart as a Binder user runs it, in
a notebook of that JupyterLab: ``lsn.start()`` in the kernel, a push, ``project.label()`` (label and
submit) and ``project.open()`` (the web UI, logged in, in the output cell), with the browser sending
every request to the Jupyter server only.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests._fixtures import TEST_ROOT, copy_data_dir
from tests.browser._helpers import Requests, editor, wait_state, widget
from tests.browser._jupyter import Jupyter, free_port, open_notebook, run_all, start_jupyter, write_notebook

pytestmark = [pytest.mark.browser, pytest.mark.server, pytest.mark.slow]

PREFIX = "/user/test/"


class BinderLab:
    """JupyterLab under :data:`PREFIX`, and the ``LS_NOTEBOOK_HOME`` its Label Studio runs from."""

    def __init__(self, jupyter: Jupyter, home: Path) -> None:
        self.jupyter, self.home = jupyter, home
        self.url, self.token, self.env = jupyter.url, jupyter.token, jupyter.env


@pytest.fixture(scope="module")
def binder_lab(template_dir: Path) -> Iterator[BinderLab]:
    home = TEST_ROOT / f"binder-{uuid.uuid4().hex[:6]}" / "home"
    home.mkdir(parents=True)
    shutil.move(str(copy_data_dir(template_dir, f"binder-default-{uuid.uuid4().hex[:6]}")), home / "default")
    env = {
        "LS_NOTEBOOK_HOME": str(home),
        "LS_NOTEBOOK_PROXY_PORT": str(free_port()),
        "JUPYTERHUB_SERVICE_PREFIX": PREFIX,
    }
    try:
        # stopping JupyterLab stops jupyter-server-proxy's launcher, which stops Label Studio
        with start_jupyter(home.parent, base_url=PREFIX, env=env) as lab:
            yield BinderLab(lab, home)
    finally:
        import ls_notebook as lsn

        lsn.stop(data_dir=home / "default")  # in case the launcher process was killed first


def test_label_studio_through_the_proxy_only(browser: object, binder_lab: BinderLab) -> None:
    creds = json.loads((binder_lab.home / "default" / "ls_notebook.json").read_text())
    context = browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    requests = Requests(page)
    failed: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.on("requestfailed", lambda r: failed.append(f"failed {r.url}"))
    try:
        # the launcher lists the tile
        page.goto(f"{binder_lab.url}/lab?token={binder_lab.token}&reset")
        page.locator(".jp-LauncherCard", has_text="Label Studio").first.wait_for(timeout=180_000)

        # first visit starts Label Studio through the launcher process; redirects keep the prefix once
        route = f"{binder_lab.url}/label-studio"
        page.goto(f"{route}/", timeout=600_000, wait_until="commit")
        page.wait_for_url(f"{route}/user/login/**", timeout=120_000, wait_until="commit")
        page.wait_for_selector('input[name="email"]', timeout=120_000)
        page.fill('input[name="email"]', creds["username"])
        page.fill('input[name="password"]', creds["password"])
        page.click('button[type="submit"]')
        page.wait_for_selector("text=Create Project", timeout=120_000)  # the home page, logged in

        # a kernel behind the hub: start() reuses the proxied server, links go to the route
        import ls_notebook as lsn

        saved = {
            k: os.environ.get(k)
            for k in ("LS_NOTEBOOK_HOME", "LS_NOTEBOOK_PROXY_PORT", "JUPYTERHUB_SERVICE_PREFIX")
        }
        os.environ.update({k: binder_lab.env[k] for k in saved})
        try:
            server = lsn.start(timeout=300)
            assert server.port == int(binder_lab.env["LS_NOTEBOOK_PROXY_PORT"])
            project = server.project(
                f"binder {uuid.uuid4().hex[:6]}", lsn.configs.text_classification(["a", "b"])
            )
            import pandas as pd

            result = project.push(pd.DataFrame({"text": ["one", "two"]}), progress=False)
            link = project.url  # computed while the kernel sees $JUPYTERHUB_SERVICE_PREFIX
            assert link == f"{PREFIX}label-studio/projects/{project.id}/data"
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v

        origin = binder_lab.url[: -len(PREFIX.rstrip("/"))]
        page.goto(origin + link, wait_until="commit")
        page.wait_for_selector("text=one", timeout=120_000)
        task = int(result.task_ids.iloc[0])
        page.goto(origin + link + f"?task={task}", wait_until="commit")
        page.wait_for_selector(".lsf-choices, [class*='choices']", timeout=120_000)
        requests.wait_answered()  # the labeling page's remaining assets
        assets = [f for f in failed if "/static/" in f or "/react-app/" in f or PREFIX not in f]
        assets = [f for f in assets if not f.endswith("/heidi-tips")]  # a tips panel fetched from the root
        assert not assets, assets
        assert not [f for f in failed if f.startswith("5")], failed
    finally:
        context.close()


QUICKSTART = [
    "import ls_notebook as lsn\nimport pandas as pd\n\nserver = lsn.start(timeout=600)\nserver.port",
    "project = server.project({title!r}, lsn.configs.text_classification(['positive', 'negative']))\n"
    "reviews = pd.DataFrame({{'text': ['Loved every minute', 'Dull and far too long']}})\n"
    "project.push(reviews, progress=False).created",
    "w = project.label()\nw",
    "project.open(height=600)",
]


def test_quickstart_through_the_proxied_lab_only(browser: object, binder_lab: BinderLab) -> None:
    origin = binder_lab.jupyter.origin
    context = browser.new_context(viewport={"width": 1280, "height": 1000})  # type: ignore[attr-defined]
    page = context.new_page()
    requests = Requests(page)
    elsewhere: list[str] = []  # requests to anything but the Jupyter server
    failed: list[str] = []
    page.on(
        "request",
        lambda r: (
            elsewhere.append(r.url)
            if r.url.split(":", 1)[0] in ("http", "https", "ws", "wss") and not r.url.startswith(origin + "/")
            else None
        ),
    )
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.on("requestfailed", lambda r: failed.append(f"failed {r.url}"))
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    title = f"binder quickstart {uuid.uuid4().hex[:6]}"
    try:
        page.goto(f"{binder_lab.url}/lab?token={binder_lab.token}&reset")
        page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell", timeout=180_000)
        page.wait_for_selector(".jp-LauncherCard", timeout=180_000)
        write_notebook(
            binder_lab.jupyter.root / "quickstart.ipynb", [c.format(title=title) for c in QUICKSTART]
        )
        open_notebook(page, "quickstart.ipynb")
        run_all(page)

        # project.label(): the editor comes through the kernel; label the first review and submit.
        wait_state(page, "ready", timeout=600_000)  # the first start() may create the server
        frame = editor(page)
        frame.get_by_text("Loved every minute").wait_for()
        frame.locator("label", has_text="positive").click()
        frame.get_by_role("button", name="Submit").click()
        wait_state(page, "ready")
        frame.get_by_text("Dull and far too long").wait_for()
        assert "1 / 2 labeled" in widget(page).locator(".lsn-lab-progress").inner_text()

        # The server holds the annotation (read directly, as the kernel does, with the generated key).
        import ls_notebook as lsn

        creds = json.loads((binder_lab.home / "default" / "ls_notebook.json").read_text())
        server = lsn.attach(f"http://127.0.0.1:{binder_lab.env['LS_NOTEBOOK_PROXY_PORT']}", creds["token"])
        [project] = [p for p in server.client.projects.list() if p.title == title]
        labels = server.project(id=project.id).pull(progress=False)
        assert labels[["data.text", "label"]].values.tolist() == [["Loved every minute", "positive"]]

        # project.open(): the web UI through the proxy route, logged in by the kernel's session.
        ui = page.locator(".lsn-webui-frame").first
        ui.wait_for(timeout=120_000)
        ui.scroll_into_view_if_needed()
        src = ui.get_attribute("src")
        assert src.removeprefix(origin) == f"{PREFIX}label-studio/projects/{project.id}/data", src
        web = page.frame_locator(".lsn-webui-frame").first
        web.get_by_text("Dull and far too long").first.wait_for(timeout=120_000)  # the data manager
        assert web.locator("input[name=password]").count() == 0
        requests.wait_answered()  # the web UI's remaining assets

        assert not elsewhere, elsewhere
        assets = [f for f in failed if "/static/" in f or "/react-app/" in f or "/label-studio/" in f]
        assets = [f for f in assets if not f.endswith("/heidi-tips")]  # a tips panel fetched from the root
        assert not assets, assets
        assert not [f for f in failed if f.startswith("5")], failed
        # Saved as the user would: no password, key or session in the file.
        page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
        page.wait_for_function(
            "() => !window.jupyterapp.shell.currentWidget.context.model.dirty", timeout=60_000
        )
        saved = (binder_lab.jupyter.root / "quickstart.ipynb").read_text()
        for secret in (creds["password"], creds["token"], "sessionid", "csrftoken"):
            assert secret not in saved
    finally:
        context.close()
