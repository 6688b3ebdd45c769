"""``Project.annotate``: create annotations from labels in code (existing labels, simulated annotators).

Labels are given per task in the simple forms of :mod:`ls_notebook.tasks` (a choice, spans, boxes,
polygons...) and converted exactly as predictions are. Annotations are created by the server's
admin key on behalf of ``annotator`` (``completed_by``), the path the inline editor's kernel side
takes too. Tasks the annotator has already annotated are skipped, so re-running is harmless. The
workflow notebooks use it to stand in for people's clicks in unattended runs.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Union

import pandas as pd

from ls_notebook._users import User
from ls_notebook.configs import interface
from ls_notebook.errors import DataError, LabelStudioError
from ls_notebook.loop._tasks import read_tasks
from ls_notebook.tasks import as_pandas, is_frame, to_prediction

if TYPE_CHECKING:
    from ls_notebook.client import Connection, ProjectRef

__all__ = ["Annotator", "annotate", "annotator_id", "create_annotation", "resolve_annotator"]

#: Who labels: a :class:`~ls_notebook.User`, a user's e-mail, or ``None`` for the API key's user.
Annotator = Union[User, str, None]  # noqa: UP007 - a runtime alias, also for Python 3.10 readers


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


def annotator_id(annotation: Any) -> int | None:
    """The id of the user who made ``annotation`` (a dict or an SDK object; ``completed_by`` id or dict)."""
    a = annotation if isinstance(annotation, dict) else annotation.dict()
    by = a.get("completed_by")
    if isinstance(by, dict):
        by = by.get("id")
    return int(by) if by is not None else None


# connection -> annotator key (None: the key's user) -> {"id", "email"}; ids of users never change.
_USERS: weakref.WeakKeyDictionary[Any, dict[str | None, dict[str, Any]]] = weakref.WeakKeyDictionary()


def _user_key(annotator: str | None) -> str | None:
    return annotator.lower() if annotator else None  # e-mails compare case-insensitively


def known_annotator(conn: Connection, annotator: Annotator) -> dict[str, Any] | None:
    """The ``{"id", "email"}`` of ``annotator`` if known without asking the server."""
    if isinstance(annotator, User):
        return {"id": int(annotator.id), "email": annotator.email}
    if annotator is not None and not isinstance(annotator, str):
        raise LabelStudioError(
            f"annotator must be a user's e-mail or a ls_notebook.User, not {type(annotator).__name__}."
        )
    return _USERS.get(conn, {}).get(_user_key(annotator))


def resolve_annotator(conn: Connection, annotator: Annotator) -> dict[str, Any]:
    """``{"id", "email"}`` of ``annotator``: a :class:`~ls_notebook.User`, an e-mail, or ``None``.

    ``None`` is the API key's user. Looked up once per connection.
    """
    known = known_annotator(conn, annotator)
    if known is not None:
        return known
    with conn.errors("reading users"):
        if annotator is None:
            me = conn.sdk.users.whoami()
            found = {"id": int(me.id), "email": str(me.email or "")}
        else:
            match = [u for u in conn.sdk.users.list() if str(u.email or "").lower() == annotator.lower()]
            if not match:
                raise LabelStudioError(
                    f"No user {annotator!r} on the server: create it first (Server.create_user)"
                )
            found = {"id": int(match[0].id), "email": str(match[0].email)}
    _USERS.setdefault(conn, {})[_user_key(annotator)] = found
    return found


def create_annotation(
    conn: Connection,
    task_id: int,
    result: list[dict[str, Any]],
    *,
    user_id: int,
    lead_time: float | None = None,
    was_cancelled: bool = False,
    ground_truth: bool = False,
) -> int:
    """Create one annotation of ``task_id`` on behalf of ``user_id``; return its id.

    The one place the package writes an annotation: the inline editor (submit, skip) and
    :meth:`Project.annotate` both call it. A skip is a cancelled annotation with an empty result.
    """
    extra = {"lead_time": float(lead_time)} if lead_time is not None else {}
    doing = f"skipping task {task_id}" if was_cancelled else f"saving the annotation of task {task_id}"
    with conn.errors(doing):
        created = conn.sdk.annotations.create(
            id=int(task_id),
            result=result,
            completed_by=int(user_id),
            was_cancelled=was_cancelled,
            ground_truth=ground_truth,
            **extra,
        )
    return int(created.id)


def annotate(
    project: ProjectRef,
    labels: Any,
    *,
    annotator: Annotator,
    lead_time: float | None,
    ground_truth: bool,
) -> int:
    """Create one annotation per task from ``labels`` (see :meth:`Project.annotate`); return the count."""
    wanted = _by_task(labels)
    li = interface(project.config)
    user_id = resolve_annotator(project.conn, annotator)["id"]
    tasks = {t["id"]: t for t in read_tasks(project)}
    unknown = [t for t in wanted if t not in tasks]
    if unknown:
        raise DataError(f"Tasks {unknown[:5]} are not in project {project.id}.")
    created = 0
    for task_id, simple in wanted.items():
        task = tasks[task_id]
        if any(annotator_id(a) == user_id for a in task.get("annotations") or []):
            continue
        converted = to_prediction(simple, li, task.get("data") or {}, task_id)
        if converted is None:
            continue
        create_annotation(
            project.conn,
            task_id,
            converted["result"],
            user_id=user_id,
            lead_time=lead_time,
            ground_truth=ground_truth,
        )
        created += 1
    return created
