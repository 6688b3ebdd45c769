"""Start a real JupyterLab for the browser tests (and ``tools/screenshots.py``), stop it afterwards,
and drive its notebooks from a Playwright page.

One place for the command line, the isolated config/runtime/settings folders, the readiness poll and
the teardown, used by the ``jupyter`` fixture (JupyterLab at ``/``) and by the Binder imitation
(JupyterLab under ``/user/test/`` with ``$JUPYTERHUB_SERVICE_PREFIX``). No pytest here: the
screenshot script imports it too.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from tests._support import wait_for

VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Jupyter:
    """A running JupyterLab: its URL (with the base URL, no trailing slash), token and root folder.

    ``env`` is the environment the server and its kernels run with; ``home`` the temp folder that
    holds the root, the config/runtime/settings folders and ``jupyter.log``.
    """

    url: str
    token: str
    root: Path
    process: subprocess.Popen[bytes]
    env: dict[str, str] = field(default_factory=dict)
    home: Path | None = None

    def lab_url(self, path: str) -> str:
        """URL opening ``path`` (relative to the root folder) in JupyterLab, logged in by token."""
        return f"{self.url}/lab/tree/{path}?token={self.token}&reset"

    @property
    def origin(self) -> str:
        """``http://127.0.0.1:PORT``: the URL without the base URL."""
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}"


@contextmanager
def start_jupyter(
    parent: Path,
    base_url: str = "/",
    env: Mapping[str, str] | None = None,
    timeout: float = 180,
    extra_args: tuple[str, ...] = (),
) -> Iterator[Jupyter]:
    """Run JupyterLab on a free 127.0.0.1 port in a new folder under ``parent``; stop it on exit.

    Parameters
    ----------
    parent : Path
        Folder in which a ``jupyter-XXXXXX`` folder is created (root ``work/``, settings, log).
    base_url : str
        Jupyter's ``ServerApp.base_url`` (``"/user/test/"`` imitates JupyterHub/Binder).
    env : mapping, optional
        Extra environment for the server and its kernels (e.g. ``LABEL_STUDIO_URL``).
    timeout : float
        Seconds to wait for ``/api/status`` before giving up with the end of the log.
    extra_args : tuple of str
        More command-line options for ``jupyter lab``.

    Yields
    ------
    Jupyter
        The running server; it is stopped (process group SIGTERM, then SIGKILL) and its folder
        removed when the ``with`` block ends.
    """
    home = parent / f"jupyter-{uuid.uuid4().hex[:6]}"
    root = home / "work"
    root.mkdir(parents=True)
    port, token = free_port(), secrets.token_hex(16)
    full_env = dict(os.environ)
    full_env.update(
        {
            "JUPYTER_CONFIG_DIR": str(home / "config"),
            "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
            "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
            "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
            "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        }
    )
    full_env.update(env or {})
    # A plain, light JupyterLab (no "what's new" popups, no news fetches).
    settings = home / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    base_url = "/" + base_url.strip("/") + "/" if base_url.strip("/") else "/"
    log_path = home / "jupyter.log"
    log = open(log_path, "wb")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        [
            str(VENV_BIN / "jupyter"),
            "lab",
            "--no-browser",
            f"--port={port}",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.base_url={base_url}",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={root}",
            "--LabApp.expose_app_in_browser=True",
            "--ServerApp.port_retries=0",
            "--allow-root",
            *extra_args,
        ],
        env=full_env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}{base_url.rstrip('/')}"
    try:

        def answers() -> bool:
            try:
                return (
                    httpx.get(f"{url}/api/status?token={token}", timeout=2, trust_env=False).status_code
                    == 200
                )
            except httpx.HTTPError:
                return False

        wait_for(lambda: answers() or process.poll() is not None, timeout, every=0.3)
        if not answers():
            raise RuntimeError(f"JupyterLab did not start: {log_path.read_text()[-2000:]}")
        yield Jupyter(url, token, root, process, env=full_env, home=home)
    finally:
        _stop(process)
        log.close()
        shutil.rmtree(home, ignore_errors=True)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the server's process group (kernels, proxied processes), SIGKILL if it lingers."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(5)


# -- notebooks in the page (JupyterLab started with expose_app_in_browser) ------------------------
def panel_id(page: object, name: str) -> str:
    """Id of the JupyterLab main-area widget showing the document ``name``."""
    return page.evaluate(  # type: ignore[attr-defined]
        "(name) => Array.from(window.jupyterapp.shell.widgets('main'))"
        ".find(w => w.context && w.context.path === name).id",
        name,
    )


def open_notebook(page: object, name: str) -> None:
    """Open ``name`` (relative to the root folder) in JupyterLab and wait for its kernel."""
    page.evaluate(  # type: ignore[attr-defined]
        "async (path) => { await window.jupyterapp.commands.execute('docmanager:open', {path}); }", name
    )
    page.wait_for_function(  # type: ignore[attr-defined]
        "(name) => { const w = window.jupyterapp.shell.currentWidget;"
        " return w && w.context && w.context.path === name; }",
        arg=name,
        timeout=60_000,
    )
    wait_idle(page)


def write_notebook(path: Path, cells: list[str]) -> None:
    """Write a notebook with one code cell per source string."""
    nb = {
        "cells": [
            {"cell_type": "code", "metadata": {}, "source": src, "outputs": [], "execution_count": None}
            for src in cells
        ],
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(nb))


def run_all(page: object) -> None:
    """Run every cell of the current notebook (as Run > Run All Cells)."""
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")  # type: ignore[attr-defined]


def wait_idle(page: object, timeout: float = 60_000) -> None:
    """Wait until the current notebook's kernel is connected and idle."""
    page.wait_for_function(  # type: ignore[attr-defined]
        "() => { const w = window.jupyterapp.shell.currentWidget;"
        " const k = w && w.sessionContext && w.sessionContext.session"
        " && w.sessionContext.session.kernel;"
        " return k && k.connectionStatus === 'connected' && k.status === 'idle'; }",
        timeout=timeout,
    )


def kernel_exec(page: object, code: str, timeout: float = 60_000) -> None:
    """Run ``code`` in the current notebook's kernel without touching its cells or outputs."""
    page.evaluate(  # type: ignore[attr-defined]
        """async (code) => {
          const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
          const reply = await kernel.requestExecute({code, store_history: false}).done;
          if (reply.content.status !== 'ok') throw new Error(reply.content.evalue || 'kernel error');
        }""",
        code,
    )


def close_notebooks(page: object, jupyter: Jupyter, names: list[str]) -> None:
    """Close the notebooks ``names`` without saving and shut their kernels down."""
    page.evaluate(  # type: ignore[attr-defined]
        """(names) => {
             for (const w of Array.from(window.jupyterapp.shell.widgets('main'))) {
               if (w.context && names.includes(w.context.path)) {
                 w.context.model.dirty = false;
                 w.dispose();
               }
             } }""",
        names,
    )
    sessions = httpx.get(
        f"{jupyter.url}/api/sessions?token={jupyter.token}", timeout=10, trust_env=False
    ).json()
    for session in sessions:
        if session.get("path") in names:
            httpx.delete(
                f"{jupyter.url}/api/sessions/{session['id']}?token={jupyter.token}",
                timeout=10,
                trust_env=False,
            )


def wait_all_run(page: object, timeout: float = 600_000) -> list[str]:
    """Wait until every code cell of the current notebook has run and its kernel is idle.

    Returns the error outputs (``ename: evalue``) of the notebook's cells, empty when none failed.
    """
    page.wait_for_function(  # type: ignore[attr-defined]
        "() => { const w = window.jupyterapp.shell.currentWidget;"
        " const k = w.sessionContext.session && w.sessionContext.session.kernel;"
        " const cells = Array.from(w.content.model.cells).filter(c => c.type === 'code');"
        " return k && k.status === 'idle' && cells.every(c => c.executionCount !== null); }",
        timeout=timeout,
    )
    return page.evaluate(  # type: ignore[attr-defined]
        "() => Array.from(window.jupyterapp.shell.currentWidget.content.model.cells)"
        ".filter(c => c.type === 'code').flatMap(c => Array.from({length: c.outputs.length},"
        " (_, i) => c.outputs.get(i).toJSON())).filter(o => o.output_type === 'error')"
        ".map(o => `${o.ename}: ${o.evalue}`)"
    )
