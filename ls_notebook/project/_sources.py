"""The two places the pull cache reads changes from: the API, or a local server's own database."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import ExitStack
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from ls_notebook.project import _db, _fetch

if TYPE_CHECKING:
    from ls_notebook.client import ProjectRef

__all__ = ["ApiDelta", "DatabaseDelta"]

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _stamp(us: int, fmt: str) -> str:
    return (_EPOCH + timedelta(microseconds=us)).strftime(fmt)


class ApiDelta:
    """Changes through the API: one counts request, one filtered data-manager request (paged)."""

    kind = "api"

    def __init__(self, project: ProjectRef) -> None:
        self.project = project

    def __enter__(self) -> ApiDelta:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def counts(self) -> tuple[int, int, int]:
        return _fetch.counts(self.project)

    def tasks(self, after: int | None, progress: bool) -> Iterator[Mapping[str, Any]]:
        # the data manager's datetime filter parses exactly %Y-%m-%dT%H:%M:%S.%fZ
        since = None if after is None else _stamp(after, "%Y-%m-%dT%H:%M:%S.%fZ")
        return _fetch.iter_tasks(self.project, since, progress and after is None, include=_fetch.INCLUDE)

    def users(self, known: Mapping[int, str], wanted: set[int]) -> dict[int, str]:
        return _fetch.users(self.project)


class DatabaseDelta:
    """Changes read from a local server's own database (SQLite or PostgreSQL, read-only).

    A context manager: counts and changed tasks of one pull come from one snapshot.
    """

    kind = "db"

    def __init__(self, db: _db.Database, project_id: int) -> None:
        self.db, self.project_id = db, project_id
        self._stack = ExitStack()
        self._snap: _db.Snapshot | None = None

    def __enter__(self) -> DatabaseDelta:
        self._snap = self._stack.enter_context(_db.snapshot(self.db))
        return self

    def __exit__(self, *exc: object) -> None:
        self._snap = None
        self._stack.close()

    @property
    def snap(self) -> _db.Snapshot:
        if self._snap is None:
            raise RuntimeError("use DatabaseDelta in a with block")
        return self._snap

    def counts(self) -> tuple[int, int, int]:
        return self.snap.counts(self.project_id)

    def tasks(self, after: int | None, progress: bool) -> Iterator[Mapping[str, Any]]:
        return self.snap.tasks(self.project_id, after)

    def users(self, known: Mapping[int, str], wanted: set[int]) -> dict[int, str]:
        return self.snap.users()
