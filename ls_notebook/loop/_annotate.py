"""``Project.annotate``: create annotations from labels in code (existing labels, simulated annotators).

Labels are given per task in the simple forms of :mod:`ls_notebook.tasks` (a choice, spans, boxes,
polygons...) and converted exactly as predictions are. Annotations are created by the server's
admin key on behalf of ``annotator`` (``completed_by``), the path the inline editor's kernel side
takes too. Tasks the annotator has already annotated are skipped, so re-running is harmless. The
workflow notebooks use it to stand in for people's clicks in unattended runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from ls_notebook.client import api_errors
from ls_notebook.configs import interface
from ls_notebook.errors import DataError
from ls_notebook.loop._tasks import read_tasks
from ls_notebook.tasks import as_pandas, is_frame, to_prediction

if TYPE_CHECKING:
    from ls_notebook._users import User
    from ls_notebook.project._project import Project

__all__ = ["annotate"]


def _by_task(labels: Any) -> dict[int, Any]:
    if is_frame(labels):
        labels = as_pandas(labels, "annotate()")
        if not {"task_id", "label"} <= set(labels.columns):
            raise DataError("labels as a DataFrame needs 'task_id' and 'label' columns.")
        return {int(t): _plain(v) for t, v in zip(labels["task_id"], labels["label"], strict=True)}
    if isinstance(labels, pd.Series):
        return {int(t): v for t, v in labels.items()}
    if isinstance(labels, Mapping):
        return {int(t): v for t, v in labels.items()}
    raise DataError(
        "labels must be {task_id: label}, a Series indexed by task id, or a frame (pandas, polars, "
        f"pyarrow...) with task_id and label columns; got {type(labels).__name__}."
    )


def _plain(value: Any) -> Any:
    """A label read from an Arrow-backed column as plain Python (tuples of spans/boxes stay lists)."""
    return value.tolist() if hasattr(value, "tolist") and not isinstance(value, str) else value


def _user_id(annotation: dict[str, Any]) -> int | None:
    by = annotation.get("completed_by")
    if isinstance(by, dict):
        by = by.get("id")
    return int(by) if by is not None else None


def annotate(
    project: Project,
    labels: Any,
    annotator: User | None = None,
    lead_time: float | None = None,
    ground_truth: bool = False,
) -> int:
    """Create one annotation per task from ``labels`` (see :meth:`Project.annotate`); return the count."""
    wanted = _by_task(labels)
    li = interface(project.config)
    server = project.server
    if annotator is None:
        with api_errors("reading the current user", server.url):
            me = server.client.users.whoami()
        user_id = int(me.id)
    else:
        user_id = int(annotator.id)
    tasks = {t["id"]: t for t in read_tasks(project)}
    unknown = [t for t in wanted if t not in tasks]
    if unknown:
        raise DataError(f"Tasks {unknown[:5]} are not in project {project.id}.")
    created = 0
    for task_id, simple in wanted.items():
        task = tasks[task_id]
        if any(_user_id(a) == user_id for a in task.get("annotations") or []):
            continue
        converted = to_prediction(simple, li, task.get("data") or {}, task_id)
        if converted is None:
            continue
        extra = {"lead_time": float(lead_time)} if lead_time is not None else {}
        with api_errors(f"annotating task {task_id}", server.url):
            server.client.annotations.create(
                id=task_id,
                result=converted["result"],
                completed_by=user_id,
                was_cancelled=False,
                ground_truth=ground_truth,
                **extra,
            )
        created += 1
    return created
