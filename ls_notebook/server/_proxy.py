"""Label Studio under a path prefix, behind jupyter-server-proxy (JupyterHub, Binder). No IPython.

Label Studio serves pages and assets under a prefix only when ``LABEL_STUDIO_HOST`` is an absolute
URL that includes the prefix (a path alone is ignored). The browser's origin is not known when the
server starts (Binder), so the URL uses :data:`PLACEHOLDER_ORIGIN`; the proxy hook in
:mod:`ls_notebook.proxy` rewrites it to the origin the browser used. Behind JupyterHub the server
listens on one port (:func:`proxy_port`) and is reached at ``<prefix>label-studio/``, the route of the
``label-studio`` entry of ``jupyter_serverproxy_servers``, whether the launcher tile or
``ls_notebook.start()`` started it.
"""

from __future__ import annotations

import os

__all__ = [
    "PLACEHOLDER_ORIGIN",
    "PORT_ENV",
    "ROUTE",
    "hub_prefix",
    "proxy_env",
    "proxy_port",
    "route_prefix",
    "trusted_origins",
]

#: Origin written into ``LABEL_STUDIO_HOST``; replaced by the browser's origin in proxied responses.
PLACEHOLDER_ORIGIN = "http://ls-notebook.invalid"
#: Path of the jupyter-server-proxy entry, under the Jupyter base URL.
ROUTE = "label-studio"
#: Environment variable choosing the port of the proxied server.
PORT_ENV = "LS_NOTEBOOK_PROXY_PORT"
DEFAULT_PORT = 48080
_ORIGIN_ENVS = ("LS_NOTEBOOK_PUBLIC_ORIGIN", "JUPYTERHUB_PUBLIC_URL", "JUPYTERHUB_EXTERNAL_URL")


def hub_prefix() -> str | None:
    """The Jupyter server's base URL under JupyterHub/Binder (``$JUPYTERHUB_SERVICE_PREFIX``), or None."""
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX")
    return "/" + prefix.strip("/") + "/" if prefix else None


def proxy_port() -> int:
    """The port the proxied server listens on (``$LS_NOTEBOOK_PROXY_PORT``, default 48080)."""
    return int(os.environ.get(PORT_ENV) or DEFAULT_PORT)


def route_prefix(base_url: str) -> str:
    """The path Label Studio lives under for a Jupyter ``base_url``.

    Examples
    --------
    >>> route_prefix("/user/ann/")
    '/user/ann/label-studio'
    """
    return "/" + "/".join(p for p in (base_url.strip("/"), ROUTE) if p)


def _origin(url: str) -> str | None:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def trusted_origins() -> list[str]:
    """Origins whose form posts (the login form) Label Studio accepts behind the proxy.

    The placeholder, the public origin when the environment names it (``$LS_NOTEBOOK_PUBLIC_ORIGIN``,
    ``$JUPYTERHUB_PUBLIC_URL``...), and the Binder federation's hosts on Binder.

    Examples
    --------
    >>> "http://ls-notebook.invalid" in trusted_origins()
    True
    """
    found = [PLACEHOLDER_ORIGIN]
    for name in _ORIGIN_ENVS:
        origin = _origin(os.environ.get(name, ""))
        if origin:
            found.append(origin)
    if any(k.startswith("BINDER_") for k in os.environ):
        found += ["https://*.mybinder.org", "https://*.mybinder.ovh", "https://*.2i2c.cloud"]
    return list(dict.fromkeys(found))


def proxy_env(base_url: str) -> dict[str, str]:
    """Environment for a Label Studio served at ``<base_url>label-studio/`` through the proxy.

    Examples
    --------
    >>> proxy_env("/user/ann/")["LABEL_STUDIO_HOST"]
    'http://ls-notebook.invalid/user/ann/label-studio'
    """
    return {
        "LABEL_STUDIO_HOST": PLACEHOLDER_ORIGIN + route_prefix(base_url),
        "LABEL_STUDIO_CSRF_TRUSTED_ORIGINS": ",".join(trusted_origins()),
    }
