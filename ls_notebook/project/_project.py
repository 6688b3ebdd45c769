"""``Project``: a handle on one Label Studio project of a :class:`~ls_notebook.Server`.

Methods are thin: the work lives in small modules next to this one (push, pull, export, labeling).
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from ls_notebook.client import api_errors

if TYPE_CHECKING:
    from ls_notebook._server import Server


class Project:
    """A Label Studio project.

    Obtain one with :meth:`Server.project` (get-or-create by title) rather than constructing it.

    Parameters
    ----------
    server : Server
        The server holding the project.
    project_id : int
        Label Studio's project id.
    """

    def __init__(self, server: Server, project_id: int) -> None:
        self.server = server
        self.id = int(project_id)
        self._data: dict[str, Any] | None = None

    def _fetch(self) -> dict[str, Any]:
        with api_errors(f"reading project {self.id}", self.server.url):
            project = self.server.client.projects.get(id=self.id)
        self._data = project.dict() if hasattr(project, "dict") else dict(project)
        return self._data

    def refresh(self) -> Project:
        """Re-read the project's title, config and counts from the server."""
        self._fetch()
        return self

    @property
    def title(self) -> str:
        """The project's title."""
        return str((self._data or self._fetch()).get("title") or "")

    @property
    def config(self) -> str:
        """The project's label config (XML)."""
        return str((self._data or self._fetch()).get("label_config") or "")

    @property
    def task_count(self) -> int:
        """Number of tasks in the project (read from the server now)."""
        return int(self._fetch().get("task_number") or 0)

    @property
    def url(self) -> str:
        """Browser link to the project's data manager."""
        return self.server.link(f"projects/{self.id}/data")

    def __repr__(self) -> str:
        return f"Project(id={self.id}, title={self.title!r}, server={self.server.url!r})"

    def _repr_html_(self) -> str:
        data = self._fetch()
        rows = {
            "Project": f'<a href="{html.escape(self.url)}" target="_blank" rel="noopener">'
            f"{html.escape(self.title)}</a> (id {self.id})",
            "Tasks": str(data.get("task_number") or 0),
            "Annotations": str(data.get("total_annotations_number") or 0),
            "Server": html.escape(self.server.url),
        }
        body = "".join(f"<tr><th style='text-align:left'>{k}</th><td>{v}</td></tr>" for k, v in rows.items())
        return f"<table class='lsn-project'>{body}</table>"
