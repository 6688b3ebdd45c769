"""Server status card: URL, version, projects, running state. Holds no secret in its state."""

from __future__ import annotations

from typing import Any, Protocol

import anywidget
import traitlets

from ls_notebook.widgets._static import bundle


class _Reports(Protocol):
    """What the card needs of a server (:meth:`ls_notebook.Server.status`)."""

    def status(self) -> dict[str, Any]: ...


class StatusCard(anywidget.AnyWidget):
    """A card showing a server's public facts; its Refresh button asks the kernel by message."""

    _esm = bundle("status.js")

    url = traitlets.Unicode("").tag(sync=True)
    link = traitlets.Unicode("").tag(sync=True)
    version = traitlets.Unicode("").tag(sync=True)
    mode = traitlets.Unicode("").tag(sync=True)
    running = traitlets.Bool(False).tag(sync=True)
    projects = traitlets.Int(-1).tag(sync=True)
    user = traitlets.Unicode("").tag(sync=True)
    data_dir = traitlets.Unicode("").tag(sync=True)
    pid = traitlets.Int(0).tag(sync=True)

    def __init__(self, server: _Reports, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._server = server
        self.on_msg(self._handle)
        self.refresh()

    def refresh(self) -> None:
        """Re-read the server's status into the card."""
        facts = self._server.status()
        with self.hold_sync():
            for name in ("url", "link", "version", "mode", "running", "projects", "user", "data_dir", "pid"):
                setattr(self, name, facts[name])

    def _handle(self, _widget: Any, content: dict[str, Any], _buffers: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "refresh":
            self.refresh()
