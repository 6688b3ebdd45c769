"""The full Label Studio web UI (projects, data manager, settings) in an iframe in the output cell.

How the frame gets logged in
----------------------------
Label Studio logs a browser in only through a ``sessionid`` cookie (``HttpOnly``, ``SameSite=Lax``)
that its CSRF-protected login form sets; there is no token login for pages. So:

1. The frame shows the browser-facing URL of the server (:func:`ls_notebook._links.browser_url`: the
   jupyter-server-proxy route behind JupyterHub/Binder, ``$LS_NOTEBOOK_PROXY_URL`` when set, else the
   server's own URL). A loopback server is addressed with the page's own loopback name (``localhost``
   or ``127.0.0.1``): the two are different sites, and a cross-site frame gets no Label Studio cookie.
2. Before loading the frame, the browser checks that it can reach the server (``/health``). When it
   cannot (the kernel runs on another machine, the page is https and the server plain http, the
   server was stopped) the cell shows a message saying so and what to do, not a blank frame.
3. For a server started by :func:`ls_notebook.start` the kernel knows the data dir. It writes a
   one-time ticket there (owner-only file, valid 2 minutes) and sends it in a message; the page
   requests ``<server>/ls-notebook/login?ticket=...``, which the server (started with ls_notebook's
   Django settings, ``ls_notebook/server/_django``) exchanges for a login as the server's admin: its
   response sets the session cookie, then the frame loads the page. Because the cookie comes from an
   HTTP response it also replaces the older ``HttpOnly`` cookie that any earlier visit to a Label
   Studio on that host leaves (a login page is enough), which no page script can overwrite. A server
   started by an older ls_notebook has no such endpoint: the kernel then logs in through the login
   form and sends the session cookie for the page to set, which works unless such an older cookie is
   in the way (the cell then says so).
4. A server attached by URL and API key (:func:`ls_notebook.attach`): the kernel knows no password,
   so Label Studio's own login page shows in the frame.

Tickets and sessions travel only in messages, never in synced traits: neither they, the password nor
the API key are in the widget state or the outputs of a saved notebook. Cookies belong to a host, not
a port: two Label Studio servers on one host share one login cookie in the browser, so the frame of
the server opened last is the one logged in.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anywidget
import traitlets

from ls_notebook.client import handover_supported, login
from ls_notebook.errors import LabelStudioError
from ls_notebook.server import _handover
from ls_notebook.widgets._static import bundle as static_bundle

__all__ = ["WebUI", "open_ui"]


class WebUI(anywidget.AnyWidget):
    """An iframe showing a page of the Label Studio web app, logged in for servers ls_notebook started.

    Only the page URL, the server's root URL and the height are synced (saved with the notebook); the
    login travels in a message when the frame asks for it. What the user sees:

    - a server started by :func:`ls_notebook.start`: the page, logged in as the server's admin;
    - an attached server: Label Studio's login page in the frame;
    - a server on another site than the page: the frame, with a note to open it in a new tab
      (browsers do not send its login cookie to a cross-site frame);
    - a server this browser cannot reach: a message naming the URL and what to do, no frame.
    """

    _esm = static_bundle("web_ui.js")

    src = traitlets.Unicode("").tag(sync=True)
    root = traitlets.Unicode("").tag(sync=True)
    height = traitlets.Int(720).tag(sync=True)

    def __init__(self, server: Any, path: str = "", height: int = 720, **kwargs: Any) -> None:
        super().__init__(src=server.link(path), root=server.link(""), height=int(height), **kwargs)
        self._server = server
        self.on_msg(self._handle)

    def _handle(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "login":
            try:
                reply = self._login()
            except LabelStudioError as exc:
                reply = {"mode": "none", "message": str(exc)}
            self.send({"type": "login", **reply})

    def _login(self) -> dict[str, Any]:
        server = self._server
        if server.data_dir is None:  # an attached server: we know no password
            return {"mode": "none"}
        from ls_notebook.server._credentials import Credentials

        creds = Credentials.load(Path(server.data_dir))
        if creds is None:
            return {"mode": "none"}
        if handover_supported(server.url):
            return {
                "mode": "ticket",
                "ticket": _handover.write_ticket(Path(server.data_dir), creds.username),
                "path": _handover.HANDOVER_PATH,
            }
        client = login(server.url, creds.username, creds.password)
        try:
            return {"mode": "cookie", "sessionid": client.cookies.get("sessionid", "")}
        finally:
            client.close()


def open_ui(server: Any, path: str = "", height: int = 720) -> WebUI:
    """Show ``path`` of the server's web UI (e.g. ``"projects/3/data"``) in the output cell.

    Parameters
    ----------
    server : Server
        A started or attached server.
    path : str
        Page of the web app, relative to the server's root.
    height : int
        Height of the frame in pixels.

    Returns
    -------
    WebUI
        The widget; see :class:`WebUI` for how it logs in and what it shows.
    """
    return WebUI(server, path, height=height)
