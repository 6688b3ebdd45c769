"""Binder imitation: JupyterLab under ``/user/test/`` with ``$JUPYTERHUB_SERVICE_PREFIX``, Chromium
reaching Label Studio only through jupyter-server-proxy's ``label-studio`` route (ls_notebook.proxy).

Checks the launcher tile, the login form (CSRF), the project page and the labeling page, with every
static asset loaded through the proxy, and that ``ls_notebook.start()`` in a kernel-like process
shares the proxied server and links to the route.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser._jupyter import Jupyter, free_port, start_jupyter
from tests.conftest import TEST_ROOT, copy_data_dir

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
        page.wait_for_timeout(3000)  # let the remaining assets of the labeling page finish
        assets = [f for f in failed if "/static/" in f or "/react-app/" in f or PREFIX not in f]
        assets = [f for f in assets if not f.endswith("/heidi-tips")]  # a tips panel fetched from the root
        assert not assets, assets
        assert not [f for f in failed if f.startswith("5")], failed
    finally:
        context.close()
