"""``ProjectRef``: what the layers under the ``Project`` facade know of a project.

The helpers that do a project's work (push, pull, loop, model, storage, labeling) take a
:class:`ProjectRef` rather than the :class:`~ls_notebook.Project` facade, so that imports point down
only: the facade builds the reference and calls them, never the other way round.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ls_notebook.client._connection import Connection

__all__ = ["ProjectRef"]


@dataclass(frozen=True)
class ProjectRef:
    """A project of a server: its connection, its id, and its settings read on demand.

    Parameters
    ----------
    conn : Connection
        The server's connection.
    id : int
        Label Studio's project id.
    read : callable, optional
        Returns the project's settings as the API gives them (``title``, ``label_config``...); the
        facade passes its cached copy. Default: read from the server on each call.

    Examples
    --------
    >>> from ls_notebook.client import Connection
    >>> ref = ProjectRef(Connection("http://127.0.0.1:8080", "key"), 3, read=lambda: {"title": "Demo"})
    >>> ref.id, ref.title
    (3, 'Demo')
    """

    conn: Connection
    id: int
    read: Callable[[], Mapping[str, Any]] | None = field(default=None, repr=False, compare=False)

    def settings(self) -> Mapping[str, Any]:
        """The project as the API describes it (cached by the facade when it gave ``read``)."""
        if self.read is not None:
            return self.read()
        return self.conn.request("GET", f"/api/projects/{self.id}/", f"reading project {self.id}")

    @property
    def config(self) -> str:
        """The project's label config (XML)."""
        return str(self.settings().get("label_config") or "")

    @property
    def title(self) -> str:
        """The project's title."""
        return str(self.settings().get("title") or "")
