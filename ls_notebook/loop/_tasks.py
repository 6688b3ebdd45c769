"""Tasks with their predictions and annotations, from a local server's database or the API."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ls_notebook.project import _db
from ls_notebook.project._fetch import iter_tasks

if TYPE_CHECKING:
    from ls_notebook.client import ProjectRef

__all__ = ["read_tasks", "was_labeled"]


def _decoded(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def read_tasks(project: ProjectRef) -> list[dict[str, Any]]:
    """Return every task of ``project`` as ``{id, data, meta, annotations, predictions}`` dicts.

    A local server's database is read directly (read-only); any other server through ``/api/tasks``.
    Prediction ``result`` and task ``meta`` are decoded from JSON when stored as text.
    """
    db = _db.database_of(project.conn)
    tasks: list[dict[str, Any]] | None = None
    if db is not None:
        try:
            tasks = _db.read_tasks(db, project.id)[0]
        except db.dialect.errors:  # not readable as expected: ask the API
            _db.forget(db)
    if tasks is None:
        tasks = list(iter_tasks(project))
    for task in tasks:
        task["meta"] = _decoded(task.get("meta")) or {}
        for prediction in task.get("predictions") or []:
            prediction["result"] = _decoded(prediction.get("result")) or []
    return tasks


def was_labeled(task: dict[str, Any]) -> bool:
    """True when the task has at least one submitted (not skipped) annotation."""
    return any(not a.get("was_cancelled") for a in task.get("annotations") or [])
