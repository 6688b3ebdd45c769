"""Inline labeling: the server's own Label Studio editor as a notebook widget, one task at a time.

Every request from the widget reaches the kernel as a message; the kernel reads tasks and media
with the SDK and creates or updates annotations as the chosen annotator, then answers the widget.
The browser never sees the API key and never talks to the Label Studio server. The editor files
(``_editor_bundle``), task data and media travel as messages and binary buffers, never as synced
traits, so a saved notebook stays small.
"""

from __future__ import annotations

import contextlib
import time
import uuid
import weakref
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import anywidget
import traitlets
from comm import DummyComm
from label_studio_sdk.core.api_error import ApiError

from ls_notebook.client import api_errors
from ls_notebook.errors import LabelStudioError
from ls_notebook.widgets._editor_bundle import EditorBundleError, load_bundle, warm_installed
from ls_notebook.widgets._media import MediaError, fetch_media, media_keys, needs_fixed_height
from ls_notebook.widgets._static import bundle as static_bundle

if TYPE_CHECKING:
    from label_studio_sdk import LabelStudio

__all__ = ["LabelingSession", "LabelingWidget", "label"]

Order = Literal["queue", "uncertainty", "id"]
# Media configs' editor height: as js/src/_editor_boot.js's MIN_EDITOR_HEIGHT, room for the side column.
_FIXED_HEIGHT = 620
# Label Studio versions whose editor files this kernel has sent unasked (see LabelingWidget._push_bundle).
_PUSHED: set[str] = set()


def _in_kernel() -> bool:
    from IPython import get_ipython

    return getattr(get_ipython(), "kernel", None) is not None


# In a kernel, this module is imported to open a widget: have the editor files read by then.
if _in_kernel():
    warm_installed()


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
    while_reading
        Called while the server reads that open the session are under way (:func:`label` opens
        the widget then, so the browser starts loading the editor meanwhile).
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
        while_reading: Callable[[], None] | None = None,
    ) -> None:
        self._server = server
        self._client = client
        self._url = server_url.rstrip("/")
        self.project_id = int(project_id)
        self.media_roots = [Path(r) for r in media_roots]
        # The reads are independent: made at once, a widget opens in the time of the slowest. The
        # annotator's id is read once per client (a key's user and a user's id never change).
        with ThreadPoolExecutor(max_workers=3, thread_name_prefix="lsn-open") as opening:
            project_read = opening.submit(self._read_project)
            user = _known_user(self.client, annotator)
            user_read = opening.submit(self._resolve_user, annotator) if user is None else None
            tasks_read = opening.submit(self._list_tasks)
            backends_read = opening.submit(self._has_ml_backend)
            if while_reading is not None:
                while_reading()
            project = project_read.result()
            self.user = user if user_read is None else user_read.result()
            rows, listed = tasks_read.result()
            has_backend = backends_read.result()
        self.title = str(project.get("title") or "")
        self.config = str(project.get("label_config") or "")
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
                    project.get("evaluate_predictions_automatically")
                    or project.get("show_collab_predictions")
                )
            )
            if asks_backend:
                self._prefetch(first)
            else:
                self._prefetched[first] = self._pool.submit(self._load, first, listed[first])

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
                return _remember_user(self.client, None, {"id": int(me.id), "email": str(me.email or "")})
            for user in self.client.users.list():
                if str(user.email or "").lower() == annotator.lower():
                    found = {"id": int(user.id), "email": str(user.email)}
                    return _remember_user(self.client, annotator, found)
        raise LabelStudioError(f"No user {annotator!r} on the server: create it first (Server.create_user)")

    def _get(self, path: str, doing: str, params: dict[str, Any] | None = None) -> Any:
        """GET an API path with the SDK's HTTP client (its base URL and key); the decoded JSON."""
        with self._errors(doing):
            response = self.client._client_wrapper.httpx_client.request(path, method="GET", params=params)
            try:
                body = response.json()
            except ValueError:
                body = response.text
            if not 200 <= response.status_code < 300:
                raise ApiError(status_code=response.status_code, headers=dict(response.headers), body=body)
            return body

    def _read_project(self) -> dict[str, Any]:
        return dict(self._get(f"api/projects/{self.project_id}/", "reading the project"))

    def _has_ml_backend(self) -> bool:
        """Whether an ML backend is connected to the project (True when the server does not say)."""
        try:
            return bool(self._get("api/ml/", "listing ML backends", {"project": self.project_id}))
        except LabelStudioError:
            return True

    def _list_tasks(self) -> tuple[list[dict[str, Any]], dict[int, dict[str, Any]]]:
        """Rows (id, annotator ids, lowest prediction score) of every task, and the tasks as listed.

        Pages of ``/api/tasks`` restricted to the fields the editor shows (the data manager then
        skips its computed columns), ended by the ``total`` the server reports rather than by an
        extra request for an empty page.
        """
        rows, listed = [], {}
        page, seen = 1, 0
        while True:
            body = self._get(
                "api/tasks/",
                "listing tasks",
                {
                    "project": self.project_id,
                    "fields": "all",
                    "include": _TASK_FIELDS,
                    "page": page,
                    "page_size": _PAGE,
                },
            )
            tasks = body.get("tasks", []) if isinstance(body, dict) else []
            for task in tasks:
                annotators = {_user_id(a) for a in task.get("annotations") or []}
                scores = [p.get("score") for p in task.get("predictions") or [] if p.get("score") is not None]
                score = min(scores) if scores else None
                rows.append({"id": int(task["id"]), "annotators": annotators, "score": score})
                listed[int(task["id"])] = task
            seen += len(tasks)
            if not tasks or seen >= int(body.get("total", 0)):
                break
            page += 1
        rows.sort(key=lambda r: r["id"])
        return rows, listed

    @property
    def total(self) -> int:
        """Number of tasks in this session."""
        return len(self.task_ids)

    def task(self, task_id: int) -> dict[str, Any]:
        """Return the task as the editor wants it: data, this annotator's annotations, predictions."""
        with self._errors(f"reading task {task_id}"):
            task = self.client.tasks.get(id=str(task_id))
        return self._editor_task(task.dict())

    def _editor_task(self, task: dict[str, Any]) -> dict[str, Any]:
        uid = self.user["id"]
        annotations = [
            _editor_annotation(a)
            for a in _dicts(task.get("annotations"))
            if _user_id(a) == uid and not a.get("was_cancelled")
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


# What the session reads of each task when listing them: the editor's fields (the first task is shown
# from its listed copy) and what orders them. Names apply to nested annotations and predictions too.
_TASK_FIELDS = (
    "id,data,annotations,predictions,result,completed_by,created_at,lead_time,was_cancelled,"
    "model_version,score"
)
_PAGE = 500

# client -> annotator (None: the key's user) -> {"id", "email"}; ids of users never change.
_USERS: weakref.WeakKeyDictionary[Any, dict[str | None, dict[str, Any]]] = weakref.WeakKeyDictionary()


def _user_key(annotator: str | None) -> str | None:
    return annotator.lower() if annotator else None  # e-mails compare case-insensitively


def _known_user(client: Any, annotator: str | None) -> dict[str, Any] | None:
    try:
        return _USERS.get(client, {}).get(_user_key(annotator))
    except TypeError:  # a client that cannot be weakly referenced
        return None


def _remember_user(client: Any, annotator: str | None, user: dict[str, Any]) -> dict[str, Any]:
    with contextlib.suppress(TypeError):  # a client that cannot be weakly referenced
        _USERS.setdefault(client, {})[_user_key(annotator)] = user
    return user


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
    # Names this widget to the page's code: its first task, sent before it is displayed, waits there.
    instance = traitlets.Unicode("").tag(sync=True)
    editor_version = traitlets.Unicode("").tag(sync=True)
    height = traitlets.Int(0).tag(sync=True)

    def __init__(
        self,
        session: LabelingSession | None,
        version: str,
        height: int | None = None,
        server_url: str | None = None,
        **kwargs: Any,
    ):
        super().__init__(editor_version=version, instance=uuid.uuid4().hex[:16], **kwargs)
        self.session: LabelingSession = None  # type: ignore[assignment]  # set by _attach
        self._server_url = server_url if session is None else session.url
        self.timings: dict[str, list[float]] = {"shown": [], "saved": []}
        self.on_msg(self._handle)
        self._push_bundle()
        if session is not None:
            self._attach(session, height)

    def _attach(self, session: LabelingSession, height: int | None) -> None:
        """Give the widget its session (:func:`label` opens the widget before the session's reads end)."""
        if height is None:
            height = _FIXED_HEIGHT if needs_fixed_height(session.config) else 0
        self.session = session
        with self.hold_sync():
            self.title = session.title
            self.height = int(height)

    def _push_first(self) -> None:
        """Send the first task before the widget is displayed: it is there when the widget renders."""
        if isinstance(self.comm, DummyComm):
            return
        try:
            msg, buffers = self.session.message()
        except (LabelStudioError, MediaError):
            return  # the widget asks when it renders and shows the error then
        self.send({**msg, "first": True}, buffers=buffers)

    def _push_bundle(self) -> bool:
        """Send the editor files unasked with the kernel's first widget; True if sent.

        The browser then loads them while the kernel is still reading the session's tasks, instead of
        asking once the cell is over. Pages that lack them when a widget renders (a reload, a second
        page, a frontend that dropped the early message) ask.
        """
        version = self.editor_version
        if version in _PUSHED or isinstance(self.comm, DummyComm):  # no frontend: nothing to send to
            return False
        sent = self._send_bundle()
        if sent:
            _PUSHED.add(version)
        return sent

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

    def _send_bundle(self) -> bool:
        """Send the editor files (or why they cannot be had); True if the files were sent."""
        try:
            url = self.session.url if self.session is not None else self._server_url
            editor = load_bundle(self.editor_version, url)
        except EditorBundleError as exc:
            self.send({"type": "bundle_error", "message": str(exc)})
            return False
        except Exception as exc:  # e.g. the server's /react-app/ files unreachable
            message = f"The editor files could not be read from {url}: {type(exc).__name__}: {exc}"
            self.send({"type": "bundle_error", "message": message})
            return False
        # Two messages: the scripts the editor starts with, then the rest (chunks, CSS, fonts, wasm),
        # which arrives while the browser evaluates the first.
        manifest = editor.manifest()
        first = manifest["runtime"]
        for names in (first, [n for n in editor.files if n not in first]):
            sent = {**manifest, "sent": time.time() * 1000}  # "sent": for traces
            buffers = [editor.files[n] for n in names]
            self.send({"type": "bundle", "manifest": sent, "names": names}, buffers=buffers)
        return True

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
    opened: list[LabelingWidget] = []

    def new_widget() -> LabelingWidget:
        return LabelingWidget(None, version=str(server.version), server_url=server.url)

    def open_widget() -> None:  # while the session reads: the browser starts the editor meanwhile
        opened.append(new_widget())

    try:
        session = LabelingSession(
            server.client,
            server.url,
            project_id,
            tasks=ids,
            annotator=annotator,
            order=order,
            media_roots=media_roots,
            server=server,
            while_reading=open_widget,
        )
    except BaseException:
        for widget in opened:
            widget.close()
        raise
    if isinstance(tasks, str) and tasks == "unlabeled":
        session.task_ids = [t for t in session.task_ids if t not in session.labeled]
        session.index = 0
    widget = opened[0] if opened else new_widget()
    widget._attach(session, height)
    widget._push_first()
    return widget


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
