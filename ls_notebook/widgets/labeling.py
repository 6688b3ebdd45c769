"""Inline labeling: the server's own Label Studio editor as a notebook widget, one task at a time.

Every request from the widget reaches the kernel as a message; the kernel reads tasks and media
with the SDK and creates or updates annotations as the chosen annotator, then answers the widget.
The browser never sees the API key and never talks to the Label Studio server. The editor files
(``_editor_bundle``), task data and media travel as messages and binary buffers, never as synced
traits, so a saved notebook stays small.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anywidget
import traitlets
from comm import DummyComm

from ls_notebook.errors import LabelStudioError
from ls_notebook.loop._labeling import LabelingSession, Order
from ls_notebook.loop._select import task_selection
from ls_notebook.tasks._media import FILE_TAGS, config_tags
from ls_notebook.widgets._editor_bundle import EditorBundleError, load_bundle
from ls_notebook.widgets._static import bundle as static_bundle

if TYPE_CHECKING:
    from ls_notebook.client import ProjectRef
    from ls_notebook.loop._annotate import Annotator

__all__ = ["LabelingSession", "LabelingWidget", "label"]

# Configs whose editor gets a fixed height: an image-like object would shrink in an auto-sized frame
# (every tag whose value is a file, but Paragraphs, which is text with an optional audio track).
_FIXED_TAGS = FILE_TAGS - {"paragraphs"}
# Media configs' editor height: as js/src/_editor_boot.js's MIN_EDITOR_HEIGHT, room for the side column.
_FIXED_HEIGHT = 620
# Label Studio versions whose editor files this kernel has sent unasked (see LabelingWidget._push_bundle).
_PUSHED: set[str] = set()


def needs_fixed_height(config: str) -> bool:
    """True for configs with an image-like object (an auto-sized frame would shrink it in a loop)."""
    return any(tag.tag.lower() in _FIXED_TAGS for tag in config_tags(config))


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
        except LabelStudioError:
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
        except LabelStudioError as exc:
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
    project: ProjectRef,
    *,
    tasks: Any,
    annotator: Annotator,
    order: Order,
    height: int | None,
    media_roots: Sequence[str | Path],
) -> LabelingWidget:
    """Open the inline editor on a project's tasks (the body of :meth:`Project.label`, which documents
    the options)."""
    ids, unlabeled = task_selection(tasks)
    conn = project.conn
    opened: list[LabelingWidget] = []

    def new_widget() -> LabelingWidget:
        return LabelingWidget(None, version=str(conn.version), server_url=conn.url)

    def open_widget() -> None:  # while the session reads: the browser starts the editor meanwhile
        opened.append(new_widget())

    try:
        session = LabelingSession(
            project,
            tasks=ids,
            annotator=annotator,
            order=order,
            media_roots=media_roots,
            while_reading=open_widget,
        )
    except BaseException:
        for widget in opened:
            widget.close()
        raise
    if unlabeled:
        session.task_ids = [t for t in session.task_ids if t not in session.labeled]
        session.index = 0
    widget = opened[0] if opened else new_widget()
    widget._attach(session, height)
    widget._push_first()
    return widget
