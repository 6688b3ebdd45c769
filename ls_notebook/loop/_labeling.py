"""The kernel side of inline labeling: which tasks, in what order, and saving annotations.

:class:`LabelingSession` is what the labeling widget (:mod:`ls_notebook.widgets.labeling`) calls on
the user's behalf; code (tests, benchmarks) may call it too. Annotations are created by
:func:`ls_notebook.loop._annotate.create_annotation`, the one function that writes an annotation, so a
label from the widget and a label from :meth:`Project.annotate` take the same path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ls_notebook.errors import LabelStudioError
from ls_notebook.loop._annotate import (
    Annotator,
    annotator_id,
    create_annotation,
    known_annotator,
    resolve_annotator,
)
from ls_notebook.storage._media import fetch_media
from ls_notebook.tasks._media import media_keys

if TYPE_CHECKING:
    from ls_notebook.client import Connection, ProjectRef

__all__ = ["LabelingSession", "Order"]

Order = Literal["queue", "uncertainty", "id"]


class LabelingSession:
    """The kernel side of a labeling widget: which tasks, in what order, and saving annotations.

    The widget calls these methods on the user's behalf; they are usable from code as well (tests,
    benchmarks), so a label from the widget and a label from code take the same path.

    Parameters
    ----------
    project
        The project to label (its connection and id).
    tasks
        Task ids (in order), or ``None`` for all tasks of the project.
    annotator
        Who labels: a user's e-mail or a :class:`~ls_notebook.User`; ``None`` for the API key's user.
    order
        ``"queue"`` (task id order, starting at the first task this annotator has not labeled),
        ``"uncertainty"`` (lowest prediction score first) or ``"id"``.
    media_roots
        Local folders from which tasks' file paths may be read and sent to the browser.
    while_reading
        Called while the server reads that open the session are under way (:func:`label` opens
        the widget then, so the browser starts loading the editor meanwhile).

    The session reads the connection's ``url`` and ``sdk`` on every request, so a widget keeps
    working when a local server is restarted on another port (``ls_notebook.start()`` on the same
    data dir).
    """

    def __init__(
        self,
        project: ProjectRef,
        *,
        tasks: Sequence[int] | None = None,
        annotator: Annotator = None,
        order: Order = "queue",
        media_roots: Sequence[str | Path] = (),
        while_reading: Callable[[], None] | None = None,
    ) -> None:
        self.conn: Connection = project.conn
        self.project_id = int(project.id)
        self.media_roots = [Path(r) for r in media_roots]
        # The reads are independent: made at once, a widget opens in the time of the slowest. The
        # annotator's id is read once per connection (a key's user and a user's id never change).
        with ThreadPoolExecutor(max_workers=3, thread_name_prefix="lsn-open") as opening:
            project_read = opening.submit(self._read_project)
            user = known_annotator(self.conn, annotator)
            user_read = opening.submit(resolve_annotator, self.conn, annotator) if user is None else None
            tasks_read = opening.submit(self._list_tasks)
            backends_read = opening.submit(self._has_ml_backend)
            if while_reading is not None:
                while_reading()
            project_data = project_read.result()
            self.user = user if user_read is None else user_read.result()
            rows, listed = tasks_read.result()
            has_backend = backends_read.result()
        self.title = str(project_data.get("title") or "")
        self.config = str(project_data.get("label_config") or "")
        self._media_keys = media_keys(self.config)
        for row in rows:
            row["mine"] = self.user["id"] in row.pop("annotators")
        if tasks is not None:
            wanted = [int(t) for t in tasks]
            known = {r["id"] for r in rows}
            missing = [t for t in wanted if t not in known]
            if missing:
                raise LabelStudioError(
                    f"Tasks {missing[:5]} are not in project {self.project_id}: "
                    "pass ids of this project's tasks"
                )
            by_id = {r["id"]: r for r in rows}
            rows = [by_id[t] for t in wanted]
        if order == "uncertainty":
            rows.sort(key=lambda r: (r["score"] is None, r["score"] if r["score"] is not None else 0.0))
        elif order == "id":
            rows.sort(key=lambda r: r["id"])
        elif order != "queue":
            raise ValueError(f"order must be 'queue', 'uncertainty' or 'id', not {order!r}")
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lsn-prefetch")
        self._prefetched: dict[int, Future[tuple[dict[str, Any], list[tuple[str, str]], list[bytes]]]] = {}
        self.task_ids = [r["id"] for r in rows]
        self.labeled = {r["id"] for r in rows if r["mine"]}
        self.index = 0
        if order == "queue":
            self.index = next((i for i, t in enumerate(self.task_ids) if t not in self.labeled), 0)
        if self.task_ids:  # the widget asks for this task first: have it ready by then (as listed)
            first = self.task_ids[self.index]
            # Label Studio asks a connected ML backend for a prediction when a task without one is
            # read by id (if the project evaluates predictions automatically or shows collaborators'
            # ones): read it by id then, so the editor starts from that prediction.
            asks_backend = (
                has_backend
                and not listed[first].get("predictions")
                and bool(
                    project_data.get("evaluate_predictions_automatically")
                    or project_data.get("show_collab_predictions")
                )
            )
            if asks_backend:
                self._prefetch(first)
            else:
                self._prefetched[first] = self._pool.submit(self._load, first, listed[first])

    @property
    def url(self) -> str:
        """The server's base URL as the kernel reaches it now."""
        return self.conn.url.rstrip("/")

    # -- reading -------------------------------------------------------------------------------------
    def _get(self, path: str, doing: str, params: dict[str, Any] | None = None) -> Any:
        """GET an API path through the connection; the decoded JSON."""
        return self.conn.request("GET", path, doing, params=params)

    def _read_project(self) -> dict[str, Any]:
        return dict(self._get(f"/api/projects/{self.project_id}/", "reading the project"))

    def _has_ml_backend(self) -> bool:
        """Whether an ML backend is connected to the project (True when the server does not say)."""
        try:
            return bool(self._get("/api/ml/", "listing ML backends", {"project": self.project_id}))
        except LabelStudioError:
            return True

    def _list_tasks(self) -> tuple[list[dict[str, Any]], dict[int, dict[str, Any]]]:
        """Rows (id, annotator ids, lowest prediction score) of every task, and the tasks as listed.

        Pages of ``/api/tasks`` restricted to the fields the editor shows (the data manager then
        skips its computed columns), ended by the ``total`` the server reports rather than by an
        extra request for an empty page.
        """
        rows, listed = [], {}
        pages = self.conn.pages(
            self.project_id,
            "listing tasks",
            page_size=_PAGE,
            resolve_uri=True,  # the first task is shown from its listed copy: storage URIs resolved
            fields="all",
            include=_TASK_FIELDS,
        )
        for tasks, _total in pages:
            for task in tasks:
                annotators = {annotator_id(a) for a in task.get("annotations") or []}
                scores = [p.get("score") for p in task.get("predictions") or [] if p.get("score") is not None]
                score = min(scores) if scores else None
                rows.append({"id": int(task["id"]), "annotators": annotators, "score": score})
                listed[int(task["id"])] = task
        rows.sort(key=lambda r: r["id"])
        return rows, listed

    @property
    def total(self) -> int:
        """Number of tasks in this session."""
        return len(self.task_ids)

    def task(self, task_id: int) -> dict[str, Any]:
        """Return the task as the editor wants it: data, this annotator's annotations, predictions."""
        with self.conn.errors(f"reading task {task_id}"):
            task = self.conn.sdk.tasks.get(id=str(task_id))
        return self._editor_task(task.dict())

    def _editor_task(self, task: dict[str, Any]) -> dict[str, Any]:
        uid = self.user["id"]
        annotations = [
            _editor_annotation(a)
            for a in _dicts(task.get("annotations"))
            if annotator_id(a) == uid and not a.get("was_cancelled")
        ]
        predictions = [
            {
                "id": p.get("id"),
                "result": p.get("result") or [],
                "score": p.get("score"),
                "model_version": p.get("model_version"),
            }
            for p in _dicts(task.get("predictions"))
        ]
        return {
            "id": int(task["id"]),
            "data": dict(task.get("data") or {}),
            "annotations": annotations,
            "predictions": predictions,
        }

    def _load(
        self, task_id: int, listed: dict[str, Any] | None = None
    ) -> tuple[dict[str, Any], list[tuple[str, str]], list[bytes]]:
        task = self.task(task_id) if listed is None else self._editor_task(listed)
        described, buffers = fetch_media(task["data"], self._media_keys, self.conn, self.media_roots)
        return task, described, buffers

    def _prefetch(self, task_id: int) -> None:
        if task_id not in self._prefetched:
            self._prefetched[task_id] = self._pool.submit(self._load, task_id)

    def _take(self, task_id: int) -> tuple[dict[str, Any], list[tuple[str, str]], list[bytes]]:
        future = self._prefetched.pop(task_id, None)
        if future is not None and not future.cancelled() and future.exception() is None:
            return future.result()
        return self._load(task_id)  # not prefetched, or failed: load here so errors reach the widget

    def forget(self, task_id: int) -> None:
        """Drop a prefetched copy of ``task_id`` (its annotations changed)."""
        future = self._prefetched.pop(int(task_id), None)
        if future is not None:
            future.cancel()

    def message(self) -> tuple[dict[str, Any], list[bytes]]:
        """The message showing the current task in the widget, and its media buffers.

        The tasks the user is likely to open next (the next one, and the next unlabeled one) are
        fetched in a background thread meanwhile, so that moving on does not wait for the server.
        """
        if not self.task_ids:
            return self._done("This project has no tasks to label"), []
        task, described, buffers = self._take(self.task_ids[self.index])
        following = [self.task_ids[i] for i in (self.index + 1,) if i < self.total]
        following += [t for t in self.task_ids[self.index + 1 :] if t not in self.labeled][:1]
        for task_id in dict.fromkeys(following):
            self._prefetch(task_id)
        msg = {
            "type": "task",
            "task": task,
            "media": described,
            "config": self.config,
            "user": {"id": self.user["id"], "firstName": self.user["email"], "email": self.user["email"]},
            "index": self.index,
            "total": self.total,
            "labeled": len(self.labeled),
        }
        return msg, buffers

    def _done(self, message: str) -> dict[str, Any]:
        return {"type": "done", "message": message, "labeled": len(self.labeled), "total": self.total}

    # -- moving --------------------------------------------------------------------------------------
    def move(self, step: int) -> None:
        """Move ``step`` tasks forward (negative: back), staying within the session."""
        self.index = min(max(self.index + step, 0), max(self.total - 1, 0))

    def advance(self) -> bool:
        """Move to the next task this annotator has not labeled; False when every task is labeled."""
        n = self.total
        for k in range(1, n + 1):
            i = (self.index + k) % n
            if self.task_ids[i] not in self.labeled:
                self.index = i
                return True
        return False

    # -- writing -------------------------------------------------------------------------------------
    def submit(self, task_id: int, result: list[dict[str, Any]], lead_time: float | None = None) -> int:
        """Create an annotation of ``task_id`` as the annotator; return its id."""
        created = create_annotation(self.conn, task_id, result, user_id=self.user["id"], lead_time=lead_time)
        self.labeled.add(int(task_id))
        self.forget(task_id)
        return created

    def update(self, annotation_id: int, result: list[dict[str, Any]], lead_time: float | None = None) -> int:
        """Replace the result of an existing annotation; return its id."""
        with self.conn.errors(f"updating annotation {annotation_id}"):
            updated = self.conn.sdk.annotations.update(
                id=int(annotation_id), result=result, lead_time=lead_time
            )
        if getattr(updated, "task", None) is not None:
            self.forget(int(updated.task))
        return int(annotation_id)

    def skip(self, task_id: int) -> int:
        """Record a skip (a cancelled annotation, as Label Studio does); return its id."""
        created = create_annotation(self.conn, task_id, [], user_id=self.user["id"], was_cancelled=True)
        self.forget(task_id)
        return created


# What the session reads of each task when listing them: the editor's fields (the first task is shown
# from its listed copy) and what orders them. Names apply to nested annotations and predictions too.
_TASK_FIELDS = (
    "id,data,annotations,predictions,result,completed_by,created_at,lead_time,was_cancelled,"
    "model_version,score"
)
_PAGE = 500


def _dicts(items: Iterable[Any] | None) -> list[dict[str, Any]]:
    out = []
    for item in items or []:
        out.append(item if isinstance(item, dict) else item.dict())
    return out


def _editor_annotation(a: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": a.get("id"),
        "pk": str(a.get("id")),
        "result": a.get("result") or [],
        "created_at": str(a.get("created_at") or ""),
        "lead_time": a.get("lead_time"),
    }
