"""The entry points: ``start``, ``attach``, ``servers``, ``current``, ``stop``."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from ls_notebook._links import PROXY_TEMPLATE_ENV
from ls_notebook._server import Server, forget, get_current, set_current
from ls_notebook._start_progress import StartDisplay
from ls_notebook._warm import warm
from ls_notebook.client import check_auth, check_reachable, normalize_url
from ls_notebook.errors import LabelStudioError, ServerStartError
from ls_notebook.server import (
    StartFailed,
    StartLaunched,
    StartReused,
    StartTimedOut,
    default_data_dir,
    launch,
    running,
    stop_process,
)
from ls_notebook.server._credentials import Credentials
from ls_notebook.server._info import for_data_dir
from ls_notebook.server._proxy import hub_prefix, proxy_env, proxy_port


def start(
    port: int | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    username: str | None = None,
    password: str | None = None,
    timeout: float = 120,
    *,
    executable: str | os.PathLike[str] | None = None,
    database: str | None = None,
    env: Mapping[str, str] | None = None,
    progress: bool = True,
) -> Server:
    """Start a local Label Studio server (or reuse the one already running for ``data_dir``).

    The server binds 127.0.0.1 only, on a free port unless ``port`` is given, and keeps everything
    (embedded SQLite, media, exports, log, credentials) in ``data_dir``. The first start creates an
    admin account with a generated password and API key, stored in ``data_dir/ls_notebook.json``
    (mode 0600). A later ``start()`` with the same ``data_dir`` — from this kernel, a restarted one or
    another notebook — returns the running server after checking that its process is alive and
    answers ``/health``.

    Parameters
    ----------
    port : int, optional
        Port on 127.0.0.1; a free one by default.
    data_dir : path, optional
        Server folder; default ``$LS_NOTEBOOK_HOME/default`` (per-user data directory).
    username, password : str, optional
        Admin e-mail and password for a new data dir (generated when omitted).
    timeout : float
        Seconds to wait for ``/health``; a first start gets up to 600 s more to create the database.
    executable : path, optional
        A ``label-studio`` executable from another environment (also ``$LS_NOTEBOOK_SERVER_EXECUTABLE``).
    database : str, optional
        ``postgresql://user:pw@host:port/db`` to use PostgreSQL instead of the embedded SQLite.
    env : mapping, optional
        Extra environment variables for the server process (Label Studio settings).
    progress : bool
        Show the phases of a launch (creating the database, creating the admin account, starting,
        waiting for ``/health``) and the elapsed time in a progress bar. Reusing a running server
        shows nothing.

    Under JupyterHub or Binder (``$JUPYTERHUB_SERVICE_PREFIX`` set) the server listens on the port of
    the "Label Studio" jupyter-server-proxy entry (``$LS_NOTEBOOK_PROXY_PORT``, default 48080) and its
    pages live under ``<prefix>label-studio/``, so links open through the Jupyter server; see
    :mod:`ls_notebook.proxy`.

    Returns
    -------
    Server

    Raises
    ------
    ServerNotInstalledError
        Label Studio is not installed: the message names the ``pip install`` to run.
    ServerStartError
        The server failed or timed out; the message carries the tail of its log.

    Examples
    --------
    >>> import ls_notebook as lsn
    >>> server = lsn.start()          # doctest: +SKIP
    >>> server.version                # doctest: +SKIP
    '1.23.2'
    """
    folder = Path(data_dir).expanduser() if data_dir is not None else default_data_dir()
    port, env = _behind_hub(port, env)
    with StartDisplay() as display:
        outcome = launch(
            folder,
            port=port,
            username=username,
            password=password,
            timeout=timeout,
            executable=executable,
            database=database,
            env=env,
            progress=display if progress else None,
        )
        if isinstance(outcome, StartLaunched | StartReused):
            display.finish(f"Label Studio {outcome.info.version} is ready")
    if isinstance(outcome, StartLaunched | StartReused):
        server = set_current(_server_from(outcome.info, outcome.credentials))
        warm()  # in a kernel: the first label()'s editor files, read in the background
        return server
    log = f"\n--- last lines of {folder / 'server.log'} ---\n{outcome.log_tail}" if outcome.log_tail else ""
    if isinstance(outcome, StartTimedOut):
        raise ServerStartError(
            f"Label Studio did not become healthy within {outcome.timeout:.0f} s and was stopped. Try a "
            f"larger timeout=, and check the log below.{log}"
        )
    assert isinstance(outcome, StartFailed)
    raise ServerStartError(f"{outcome.message} See the log below; fix the cause and call start() again.{log}")


def _behind_hub(
    port: int | None, env: Mapping[str, str] | None
) -> tuple[int | None, Mapping[str, str] | None]:
    """Under JupyterHub/Binder, serve the browser through jupyter-server-proxy's ``label-studio`` route.

    The server listens on the proxy port and lives under ``<prefix>label-studio`` (see
    :mod:`ls_notebook.proxy`); the kernel still talks to it on 127.0.0.1 directly. Outside JupyterHub,
    or with an explicit other ``port``, nothing changes.
    """
    prefix = hub_prefix()
    if prefix is None or os.environ.get(PROXY_TEMPLATE_ENV) or port not in (None, proxy_port()):
        return port, env
    return proxy_port(), {**proxy_env(prefix), **(env or {})}


def _server_from(info, creds: Credentials) -> Server:  # type: ignore[no-untyped-def]
    return Server(info.url, creds.token, info=info, user={"email": creds.username}, version=info.version)


def attach(url: str | None = None, api_key: str | None = None) -> Server:
    """Attach to a running Label Studio server by URL and API key.

    Defaults come from ``$LABEL_STUDIO_URL`` and ``$LABEL_STUDIO_API_KEY``. Reachability and the key
    are checked right away: an unreachable URL, a URL without scheme, a refused key and a legacy
    token on a server where legacy tokens are disabled each raise their own message.

    Examples
    --------
    >>> import ls_notebook as lsn
    >>> server = lsn.attach("http://localhost:8080", api_key="...")   # doctest: +SKIP
    """
    url = normalize_url(url if url is not None else os.environ.get("LABEL_STUDIO_URL", ""))
    api_key = api_key if api_key is not None else os.environ.get("LABEL_STUDIO_API_KEY")
    check_reachable(url)
    whoami = check_auth(url, api_key)
    assert api_key is not None
    server = set_current(Server(url, api_key, user=whoami))
    warm()  # in a kernel: the first label()'s editor files, read in the background
    return server


def servers() -> list[Server]:
    """Return the running local servers started by ls_notebook (stale records are cleaned up)."""
    found = []
    for info in running():
        creds = Credentials.load(Path(info.data_dir))
        if creds is not None:
            found.append(_server_from(info, creds))
    return found


def current() -> Server:
    """Return the server this notebook is using (the last one started or attached).

    Raises
    ------
    LabelStudioError
        When no server has been started or attached in this kernel.
    """
    server = get_current()
    if server is None:
        raise LabelStudioError(
            "No Label Studio server yet: call ls_notebook.start() or ls_notebook.attach(url)."
        )
    return server


def stop(data_dir: str | os.PathLike[str] | None = None) -> bool:
    """Stop the local server of ``data_dir`` (default: the current local server). True if one ran."""
    server = get_current()
    if data_dir is None and server is not None and server.is_local:
        return server.stop()
    folder = Path(data_dir).expanduser() if data_dir is not None else default_data_dir()
    info = for_data_dir(folder.resolve())
    if info is None:
        return False
    if server is not None and server.pid == info.pid:
        forget(server)
    return stop_process(info)
