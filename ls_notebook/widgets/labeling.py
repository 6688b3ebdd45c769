"""Inline labeling: the server's own Label Studio editor as a notebook widget, one task at a time.

Every request from the widget reaches the kernel as a message; the kernel reads tasks and media
with the SDK and creates or updates annotations as the chosen annotator, then answers the widget.
The browser never sees the API key and never talks to the Label Studio server. The editor files
(``_editor_bundle``), task data and media travel as messages and binary buffers, never as synced
traits, so a saved notebook stays small.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import anywidget
import traitlets

from ls_notebook.client import api_errors
from ls_notebook.errors import LabelStudioError
from ls_notebook.widgets._editor_bundle import EditorBundleError, load_bundle
from ls_notebook.widgets._media import MediaError, fetch_media, media_keys, needs_fixed_height
from ls_notebook.widgets._static import bundle as static_bundle

if TYPE_CHECKING:
    from label_studio_sdk import LabelStudio

__all__ = ["LabelingSession", "LabelingWidget", "label"]

Order = Literal["queue", "uncertainty", "id"]
# Media configs' editor height: as js/src/_editor_frame.js's MIN_EDITOR_HEIGHT, room for the side column.
_FIXED_HEIGHT = 620


class LabelingSession:
    """The kernel side of a labeling widget: which tasks, in what order, and saving annotations.

    The widget calls these methods on the user's behalf; they are usable from code as well (tests,
    benchmarks), so a label from the widget and a label from code take the same path.

    Parameters
    ----------
    client
        An authenticated ``label_studio_sdk.LabelStudio`` client.
    server_url
        The server's base URL as the kernel reaches it.
    project_id
        The project to label.
    tasks
        Task ids (in order), or ``None`` for all tasks of the project.
    annotator
        E-mail of the user the annotations are created for; ``None`` for the API key's user.
    order
        ``"queue"`` (task id order, starting at the first task this annotator has not labeled),
        ``"uncertainty"`` (lowest prediction score first) or ``"id"``.
    media_roots
        Local folders from which tasks' file paths may be read and sent to the browser.
    server
        The :class:`~ls_notebook.Server` the client belongs to, if any: the session then reads its
        ``client`` and ``url`` on every request, so a widget keeps working when a local server is
        restarted on another port (``ls_notebook.start()`` on the same data dir).
    """

    def __init__(
        self,
        client: LabelStudio,
        server_url: str,
        project_id: int,
        tasks: Sequence[int] | None = None,
        annotator: str | None = None,
        order: Order = "queue",
        media_roots: Sequence[str | Path] = (),
        server: Any = None,
    ) -> None:
        self._server = server
        self._client = client
        self._url = server_url.rstrip("/")
        self.project_id = int(project_id)
        self.media_roots = [Path(r) for r in media_roots]
        # The three reads are independent: made at once, a widget opens in the time of the slowest.
        with ThreadPoolExecutor(max_workers=3, thread_name_prefix="lsn-open") as opening:
            project_read = opening.submit(self._read_project)
            user_read = opening.submit(self._resolve_user, annotator)
            tasks_read = opening.submit(self._list_tasks)
            project = project_read.result()
            self.user = user_read.result()
            rows = tasks_read.result()
        self.title = str(project.title or "")
        self.config = str(project.label_config or "")
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
        if self.task_ids:  # the widget asks for this task first: have it ready by then
            self._prefetch(self.task_ids[self.index])

    @property
    def client(self) -> LabelStudio:
        """The SDK client (the server's current one when the session follows a :class:`Server`)."""
        return self._server.client if self._server is not None else self._client

    @property
    def url(self) -> str:
        """The server's base URL as the kernel reaches it now."""
        return self._server.url.rstrip("/") if self._server is not None else self._url

    # -- reading -------------------------------------------------------------------------------------
    def _errors(self, doing: str) -> Any:
        return api_errors(doing, self.url)

    def _resolve_user(self, annotator: str | None) -> dict[str, Any]:
        with self._errors("reading users"):
            if annotator is None:
                me = self.client.users.whoami()
                return {"id": int(me.id), "email": str(me.email or "")}
            for user in self.client.users.list():
                if str(user.email or "").lower() == annotator.lower():
                    return {"id": int(user.id), "email": str(user.email)}
        raise LabelStudioError(f"No user {annotator!r} on the server: create it first (Server.create_user)")

    def _read_project(self) -> Any:
        with self._errors("reading the project"):
            return self.client.projects.get(id=self.project_id)

    def _list_tasks(self) -> list[dict[str, Any]]:
        rows = []
        with self._errors("listing tasks"):
            for task in self.client.tasks.list(project=self.project_id, fields="all"):
                annotators = {_user_id(a) for a in task.annotations or []}
                scores = [p.get("score") for p in _dicts(task.predictions) if p.get("score") is not None]
                score = min(scores) if scores else None
                rows.append({"id": int(task.id), "annotators": annotators, "score": score})
        rows.sort(key=lambda r: r["id"])
        return rows

    @property
    def total(self) -> int:
        """Number of tasks in this session."""
        return len(self.task_ids)

    def task(self, task_id: int) -> dict[str, Any]:
        """Return the task as the editor wants it: data, this annotator's annotations, predictions."""
        with self._errors(f"reading task {task_id}"):
            task = self.client.tasks.get(id=str(task_id))
        uid = self.user["id"]
        annotations = [
            _editor_annotation(a)
            for a in _dicts(task.annotations)
            if _user_id(a) == uid and not a.get("was_cancelled")
        ]
        predictions = [
            {
                "id": p.get("id"),
                "result": p.get("result") or [],
                "score": p.get("score"),
                "model_version": p.get("model_version"),
            }
            for p in _dicts(task.predictions)
        ]
        return {
            "id": int(task.id),
            "data": dict(task.data or {}),
            "annotations": annotations,
            "predictions": predictions,
        }

    def _load(self, task_id: int) -> tuple[dict[str, Any], list[tuple[str, str]], list[bytes]]:
        task = self.task(task_id)
        described, buffers = fetch_media(
            task["data"],
            self._media_keys,
            self.url,
            self.client._client_wrapper.get_headers(),
            self.media_roots,
        )
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
        with self._errors(f"saving the annotation of task {task_id}"):
            created = self.client.annotations.create(
                id=int(task_id),
                result=result,
                completed_by=self.user["id"],
                lead_time=lead_time,
                was_cancelled=False,
            )
        self.labeled.add(int(task_id))
        self.forget(task_id)
        return int(created.id)

    def update(self, annotation_id: int, result: list[dict[str, Any]], lead_time: float | None = None) -> int:
        """Replace the result of an existing annotation; return its id."""
        with self._errors(f"updating annotation {annotation_id}"):
            updated = self.client.annotations.update(
                id=int(annotation_id), result=result, lead_time=lead_time
            )
        if getattr(updated, "task", None) is not None:
            self.forget(int(updated.task))
        return int(annotation_id)

    def skip(self, task_id: int) -> int:
        """Record a skip (a cancelled annotation, as Label Studio does); return its id."""
        with self._errors(f"skipping task {task_id}"):
            created = self.client.annotations.create(
                id=int(task_id), result=[], completed_by=self.user["id"], was_cancelled=True
            )
        self.forget(task_id)
        return int(created.id)


def _dicts(items: Iterable[Any] | None) -> list[dict[str, Any]]:
    out = []
    for item in items or []:
        out.append(item if isinstance(item, dict) else item.dict())
    return out


def _user_id(annotation: Any) -> int | None:
    a = annotation if isinstance(annotation, dict) else annotation.dict()
    by = a.get("completed_by")
    if isinstance(by, dict):
        by = by.get("id")
    return int(by) if by is not None else None


def _editor_annotation(a: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": a.get("id"),
        "pk": str(a.get("id")),
        "result": a.get("result") or [],
        "created_at": str(a.get("created_at") or ""),
        "lead_time": a.get("lead_time"),
    }


class LabelingWidget(anywidget.AnyWidget):
    """Label Studio's editor in the notebook, for the tasks of one project.

    Build it with :meth:`Project.label`. The synced state holds only the project title, the server's
    version and a height; the editor, tasks, media and annotations travel as messages.

    Attributes
    ----------
    session : LabelingSession
        The kernel side: task order, current position, saving.
    timings : dict
        Figures the widget reports: ``shown`` (ms from receiving a task to an interactive editor) and
        ``saved`` (ms the kernel spent creating an annotation on the server), most recent last.
    """

    _esm = static_bundle("labeling.js")

    title = traitlets.Unicode("").tag(sync=True)
    editor_version = traitlets.Unicode("").tag(sync=True)
    height = traitlets.Int(0).tag(sync=True)

    def __init__(self, session: LabelingSession, version: str, height: int | None = None, **kwargs: Any):
        if height is None:
            height = _FIXED_HEIGHT if needs_fixed_height(session.config) else 0
        super().__init__(title=session.title, editor_version=version, height=int(height), **kwargs)
        self.session = session
        self.timings: dict[str, list[float]] = {"shown": [], "saved": []}
        self.on_msg(self._handle)

    # -- messages ------------------------------------------------------------------------------------
    def _handle(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        kind = content.get("type")
        rid = content.get("rid")
        try:
            if kind == "bundle":
                self._send_bundle()
            elif kind == "show":
                self._show()
            elif kind == "nav":
                self.session.move(int(content.get("step", 1)))
                self._show()
            elif kind in ("submit", "update"):
                self._save(kind, content, rid)
            elif kind == "skip":
                self.session.skip(int(content["task_id"]))
                self.send({"type": "skipped", "rid": rid})
                self.session.move(1)
                self._show()
            elif kind == "shown":
                self.timings["shown"].append(float(content.get("ms") or 0))
        except (LabelStudioError, MediaError) as exc:
            self.send({"type": "error", "rid": rid, "message": str(exc)})

    def _send_bundle(self) -> None:
        try:
            editor = load_bundle(self.editor_version, self.session.url)
        except EditorBundleError as exc:
            self.send({"type": "bundle_error", "message": str(exc)})
            return
        self.send({"type": "bundle", "manifest": editor.manifest()}, buffers=list(editor.files.values()))

    def _show(self) -> None:
        msg, buffers = self.session.message()
        self.send(msg, buffers=buffers)

    def _save(self, kind: str, content: dict[str, Any], rid: Any) -> None:
        start = time.perf_counter()
        result = content.get("result") or []
        lead = content.get("lead_time")
        if kind == "update" and content.get("annotation_id"):
            annotation_id = self.session.update(int(content["annotation_id"]), result, lead)
            message = f"Updated annotation {annotation_id}"
        else:
            annotation_id = self.session.submit(int(content["task_id"]), result, lead)
            message = f"Saved annotation {annotation_id}"
        self.timings["saved"].append((time.perf_counter() - start) * 1000)
        self.send({"type": "saved", "rid": rid, "annotation_id": annotation_id, "message": message})
        if kind == "submit":
            if self.session.advance():
                self._show()
            else:
                self.send(self.session._done("Every task is labeled"))

    # -- code API ------------------------------------------------------------------------------------
    def show_task(self, task_id: int) -> None:
        """Jump to ``task_id`` (it must be one of the session's tasks)."""
        self.session.index = self.session.task_ids.index(int(task_id))
        self._show()


def label(
    server: Any,
    project_id: int,
    tasks: Any = None,
    annotator: str | None = None,
    order: Order = "queue",
    height: int | None = None,
    media_roots: Sequence[str | Path] = (),
) -> LabelingWidget:
    """Open the inline editor on a project's tasks (the body of :meth:`Project.label`).

    Parameters
    ----------
    server
        A :class:`~ls_notebook.Server` (anything with ``client``, ``url`` and ``version``).
    project_id
        The project's id.
    tasks
        ``None`` (all tasks), ``"unlabeled"``, task ids, or a DataFrame with a ``task_id`` column
        or index (e.g. a slice of :meth:`Project.pull`).
    annotator
        E-mail of the user to label as (``None``: the API key's user).
    order
        ``"queue"``, ``"uncertainty"`` or ``"id"`` (see :class:`LabelingSession`).
    height
        Editor height in pixels; ``None`` sizes text configs to their content (at least 620 px,
        the room the editor's side column needs) and gives media configs a fixed 620 px.
    media_roots
        Local folders from which tasks' file paths may be sent to the browser.
    """
    ids = _task_ids(tasks)
    session = LabelingSession(
        server.client,
        server.url,
        project_id,
        tasks=ids,
        annotator=annotator,
        order=order,
        media_roots=media_roots,
        server=server,
    )
    if isinstance(tasks, str) and tasks == "unlabeled":
        session.task_ids = [t for t in session.task_ids if t not in session.labeled]
        session.index = 0
    return LabelingWidget(session, version=str(server.version), height=height)


def _task_ids(tasks: Any) -> list[int] | None:
    if tasks is None or isinstance(tasks, str):
        if tasks not in (None, "unlabeled"):
            raise ValueError(f"tasks must be None, 'unlabeled', task ids or a DataFrame, not {tasks!r}")
        return None
    columns = getattr(tasks, "columns", None)
    if columns is not None:
        if "task_id" in columns:
            return [int(t) for t in dict.fromkeys(tasks["task_id"].tolist())]
        if getattr(tasks.index, "name", None) in ("task_id", "id"):
            return [int(t) for t in dict.fromkeys(tasks.index.tolist())]
        raise ValueError("a DataFrame passed as tasks needs a 'task_id' column or index")
    return [int(t) for t in tasks]
