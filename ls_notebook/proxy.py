"""Label Studio in JupyterLab's launcher and behind JupyterHub/Binder, through jupyter-server-proxy.

``pyproject.toml`` registers :func:`setup_label_studio` under the ``jupyter_serverproxy_servers``
entry point, so a Jupyter server with jupyter-server-proxy shows a "Label Studio" launcher tile and
serves Label Studio at ``<base_url>label-studio/``. The process it supervises is
``python -m ls_notebook.proxy PORT BASE_URL``: it starts (or reuses) the server of the default data
dir — the same one ``ls_notebook.start()`` uses — on a fixed port (``$LS_NOTEBOOK_PROXY_PORT``), so
the tile and the notebook share one server, one database and one login.

What the proxy needs from Label Studio 1.23, found by trying it:

- Label Studio honours a path prefix only when ``LABEL_STUDIO_HOST`` is an absolute URL; the origin
  is unknown at launch on Binder, so a placeholder origin is used and :func:`rewrite_response`
  replaces it with the browser's (``X-Forwarded-Proto``/``X-Forwarded-Host``, else the request's).
- jupyter-server-proxy 4.5 and later add the proxy prefix to ``Location`` headers of redirects that
  already carry it (jupyterhub/jupyter-server-proxy#574): the hook strips it first, so every redirect
  ends up with the prefix once; with 4.4 and earlier it leaves ``Location`` alone.
- Label Studio's CSS loads its fonts from root-relative ``url(/static/...)``: the hook prefixes those.
- ``absolute_url`` must be False, and the first start (database creation) takes up to a few minutes
  on a small machine, hence the generous ``timeout``.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from ls_notebook.server._proxy import PLACEHOLDER_ORIGIN, ROUTE, proxy_env, proxy_port

__all__ = ["main", "rewrite_response", "setup_label_studio"]

#: Seconds jupyter-server-proxy waits for the port (a first start creates the database).
LAUNCH_TIMEOUT = 420
_ICON = Path(__file__).parent / "proxy-icon.svg"


def _version_tuple(text: str) -> tuple[int, ...]:
    out = []
    for part in text.split(".")[:3]:
        digits = "".join(ch for ch in part if ch.isdigit())
        out.append(int(digits or 0))
    return tuple(out)


def readds_location_prefix(proxy_version: str | None = None) -> bool:
    """True when the installed jupyter-server-proxy re-prefixes ``Location`` headers (4.5 and later).

    Examples
    --------
    >>> readds_location_prefix("4.4.0"), readds_location_prefix("4.6.0")
    (False, True)
    """
    if proxy_version is None:
        try:
            proxy_version = version("jupyter-server-proxy")
        except PackageNotFoundError:
            return False
    return _version_tuple(proxy_version) >= (4, 5)


def _context(request_path: str) -> str:
    """The prefix up to and including ``/label-studio`` in a proxied request's path."""
    marker = f"/{ROUTE}"
    at = request_path.find(marker + "/")
    if at < 0 and request_path.endswith(marker):
        at = len(request_path) - len(marker)
    return request_path[: at + len(marker)] if at >= 0 else ""


def strip_location(location: str, context: str) -> str:
    """Remove ``context`` (the proxy prefix) from the start of a path-only ``Location``.

    Examples
    --------
    >>> strip_location("/user/a/label-studio/user/login/", "/user/a/label-studio")
    '/user/login/'
    >>> strip_location("https://example.org/x", "/user/a/label-studio")
    'https://example.org/x'
    """
    if context and location.startswith(context + "/"):
        return location[len(context) :]
    if context and location == context:
        return "/"
    return location


def public_origin(request: Any) -> str:
    """The origin the browser used, from ``X-Forwarded-*`` headers or the request itself."""
    headers = request.headers
    proto = (headers.get("X-Forwarded-Proto") or request.protocol or "http").split(",")[0].strip()
    host = (headers.get("X-Forwarded-Host") or request.host or "").split(",")[0].strip()
    return f"{proto}://{host}"


def rewrite_response(response: Any, request: Any) -> None:
    """jupyter-server-proxy hook: fix ``Location`` for the proxy version and the placeholder origin."""
    origin = public_origin(request)
    location = response.headers.get("Location")
    if location:
        location = location.replace(PLACEHOLDER_ORIGIN, origin)
        if readds_location_prefix():
            location = strip_location(location, _context(request.path))
        response.headers["Location"] = location
    body = response.body
    placeholder = PLACEHOLDER_ORIGIN.encode()
    if body and placeholder in body:
        body = response.body = body.replace(placeholder, origin.encode())
    context = _context(request.path)
    if body and context and "css" in str(response.headers.get("Content-Type", "")):
        response.body = prefix_css_urls(body, context)


def prefix_css_urls(css: bytes, context: str) -> bytes:
    """Put the proxy prefix in front of root-relative ``url(/static/...)`` of Label Studio's CSS (fonts).

    Examples
    --------
    >>> prefix_css_urls(b"src: url(/static/fonts/a.woff)", "/user/a/label-studio")
    b'src: url(/user/a/label-studio/static/fonts/a.woff)'
    """
    for quote in (b"", b'"', b"'"):
        css = css.replace(b"url(" + quote + b"/static/", b"url(" + quote + context.encode() + b"/static/")
    return css


def setup_label_studio() -> dict[str, Any]:
    """The ``jupyter_serverproxy_servers`` entry: the "Label Studio" launcher tile and route.

    Examples
    --------
    >>> config = setup_label_studio()
    >>> config["absolute_url"], config["timeout"] >= 60, config["launcher_entry"]["title"]
    (False, True, 'Label Studio')
    """
    entry: dict[str, Any] = {"enabled": True, "title": "Label Studio"}
    if _ICON.exists():
        entry["icon_path"] = str(_ICON)
    return {
        "command": [sys.executable, "-m", "ls_notebook.proxy", "{port}", "{base_url}"],
        "port": proxy_port(),
        "timeout": LAUNCH_TIMEOUT,
        "absolute_url": False,
        "new_browser_tab": True,
        "launcher_entry": entry,
        "rewrite_response": rewrite_response,
    }


def main(argv: list[str] | None = None) -> int:
    """Run the default data dir's server for the proxy until terminated (``python -m ls_notebook.proxy``)."""
    from ls_notebook.server import StartLaunched, StartReused, default_data_dir, launch, stop_process

    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 2:
        print("usage: python -m ls_notebook.proxy PORT BASE_URL", file=sys.stderr)
        return 2
    port, base_url = int(args[0]), args[1]
    data_dir = Path(os.environ.get("LS_NOTEBOOK_PROXY_DATA_DIR") or default_data_dir())
    outcome = launch(data_dir, port=port, env=proxy_env(base_url), timeout=LAUNCH_TIMEOUT)
    if not isinstance(outcome, StartLaunched | StartReused):
        print(f"ls_notebook: Label Studio did not start: {outcome}", file=sys.stderr)
        return 1
    print(
        f"ls_notebook: Label Studio for {data_dir} on port {port}; log in as {outcome.credentials.username} "
        f"(password in {data_dir / 'ls_notebook.json'})",
        flush=True,
    )
    done = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: done.set())
    while not done.wait(5.0):
        if outcome.info.process() is None:
            return 1
    if isinstance(outcome, StartLaunched):  # stop only what this process started
        stop_process(outcome.info)
    return 0


if __name__ == "__main__":
    sys.exit(main())
