"""Browser-facing links: through a proxy URL template or JupyterHub/Binder, else the server URL.

The kernel always talks to the server directly (``Server.url``); only what is shown to the browser
goes through these links.
"""

from __future__ import annotations

import os

from ls_notebook.server._proxy import hub_prefix, proxy_port, route_prefix

PROXY_TEMPLATE_ENV = "LS_NOTEBOOK_PROXY_URL"


def browser_url(server_url: str, port: int | None, path: str = "") -> str:
    """Return the URL a browser should use for ``path`` on a server.

    ``$LS_NOTEBOOK_PROXY_URL`` (e.g. ``https://host/proxy/{port}/``) wins; behind JupyterHub/Binder
    (``$JUPYTERHUB_SERVICE_PREFIX``) local servers are reached through jupyter-server-proxy: at
    ``<prefix>label-studio/`` for the server on the proxy port (what ``start()`` uses there), else at
    ``<prefix>proxy/<port>/``. Remote servers (``port=None``) keep their own URL.

    Examples
    --------
    >>> browser_url("http://127.0.0.1:8080", None, "projects/1")
    'http://127.0.0.1:8080/projects/1'
    """
    path = path.lstrip("/")
    if port is not None:
        template = os.environ.get(PROXY_TEMPLATE_ENV)
        if template:
            return template.format(port=port).rstrip("/") + "/" + path
        prefix = hub_prefix()
        if prefix:
            if port == proxy_port():  # the server of the "Label Studio" proxy entry (see ls_notebook.proxy)
                return f"{route_prefix(prefix)}/{path}"
            return f"{prefix.rstrip('/')}/proxy/{port}/{path}"
    return f"{server_url.rstrip('/')}/{path}"
