"""The full Label Studio web UI (projects, data manager, settings) in an iframe in the output cell.

The iframe shows the browser-facing URL of the server (through jupyter-server-proxy when one applies,
see :func:`ls_notebook._links.browser_url`). For a server started by :func:`ls_notebook.start`, the
kernel logs in with the generated credentials and hands the session cookie to the browser in a
message (never a synced trait, so it never lands in a saved notebook); the browser sets it for the
server's host, which works when the page and the server are same-site (same host, any port, or the
proxy path). Otherwise the frame shows Label Studio's login page.
"""

from __future__ import annotations

from typing import Any

import anywidget
import traitlets

from ls_notebook.client import login
from ls_notebook.errors import LabelStudioError
from ls_notebook.widgets._static import bundle as static_bundle

__all__ = ["WebUI", "open_ui"]

# One login per server and kernel: url -> (sessionid, csrftoken).
_SESSIONS: dict[str, tuple[str, str]] = {}


class WebUI(anywidget.AnyWidget):
    """An iframe showing a page of the Label Studio web app.

    Only the page URL and the height are synced (saved with the notebook); the session cookie is
    sent as a message when the frame asks for it.
    """

    _esm = static_bundle("web_ui.js")

    src = traitlets.Unicode("").tag(sync=True)
    height = traitlets.Int(720).tag(sync=True)

    def __init__(self, server: Any, path: str = "", height: int = 720, **kwargs: Any) -> None:
        super().__init__(src=server.link(path), height=int(height), **kwargs)
        self._server = server
        self.on_msg(self._handle)

    def _handle(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "session":
            try:
                cookies = self._session()
            except LabelStudioError as exc:
                self.send({"type": "session", "cookies": None, "message": str(exc)})
                return
            self.send({"type": "session", "cookies": cookies})

    def _session(self) -> dict[str, str] | None:
        server = self._server
        if server.data_dir is None:  # an attached server: we do not know a password
            return None
        from ls_notebook.server._credentials import Credentials

        if server.url not in _SESSIONS:
            creds = Credentials.load(server.data_dir)
            if creds is None:
                return None
            client = login(server.url, creds.username, creds.password)
            try:
                _SESSIONS[server.url] = (
                    client.cookies.get("sessionid", ""),
                    client.cookies.get("csrftoken", ""),
                )
            finally:
                client.close()
        sessionid, csrftoken = _SESSIONS[server.url]
        return {"sessionid": sessionid, "csrftoken": csrftoken}


def open_ui(server: Any, path: str = "", height: int = 720) -> WebUI:
    """Show ``path`` of the server's web UI (e.g. ``"projects/3/data"``) in the output cell."""
    return WebUI(server, path, height=height)
