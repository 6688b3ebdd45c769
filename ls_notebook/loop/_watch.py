"""``Project.watch``: new annotations as they arrive, for "retrain when N new labels arrive" loops.

A :class:`Watcher` polls :meth:`Project.pull` with ``since=`` the newest ``updated_at`` it has
delivered, and hands out a batch (a long DataFrame, the schema of :mod:`ls_notebook.annotations`)
once at least ``min_new`` new annotations have arrived. Iterate over it in a loop, or give a
``callback`` to have it called from a background thread. It stops on :meth:`Watcher.stop`, after
``timeout`` seconds, after ``max_batches`` batches, or on an interrupt (the stop button).
"""

from __future__ import annotations

import html
import threading
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pandas as pd

from ls_notebook.errors import LabelStudioError

if TYPE_CHECKING:
    from ls_notebook.client import ProjectRef

__all__ = ["Watcher", "watch"]

Callback = Callable[[pd.DataFrame], Any]


class _Status:
    """One notebook display line updated in place (nothing outside IPython, or when disabled)."""

    def __init__(self, enabled: bool) -> None:
        self._handle = None
        if not enabled:
            return
        try:
            from IPython import get_ipython
            from IPython.display import HTML, display
        except ImportError:  # pragma: no cover - IPython is a dependency of ipywidgets
            return
        if get_ipython() is None:
            return
        self._html = HTML
        self._handle = display(HTML(""), display_id=True)

    def show(self, text: str) -> None:
        if self._handle is not None:
            self._handle.update(self._html(f"<code class='lsn-watch'>{html.escape(text)}</code>"))


class Watcher:
    """Batches of new annotations of a project (see :meth:`Project.watch`).

    Attributes
    ----------
    batches : int
        Batches delivered so far.
    delivered : int
        Annotations delivered so far (distinct annotation ids).
    since : object
        Where the next poll starts: the cursor of the last delivered pull (or the ``updated_at`` of
        its newest annotation); None before anything was delivered with ``since=None``.
    error : BaseException or None
        What stopped a background watcher (an exception of the callback or of the server).

    Examples
    --------
    >>> for batch in project.watch(min_new=10, timeout=600):      # doctest: +SKIP
    ...     model.fit(*training_data(project.pull()))
    ...     project.prelabel(model, model_version=f"round-{batch.attrs['batch']}")
    """

    def __init__(
        self,
        project: ProjectRef,
        callback: Callback | None,
        *,
        interval: float,
        min_new: int,
        timeout: float | None,
        max_batches: int | None,
        since: object,
        progress: bool,
    ) -> None:
        if interval <= 0:
            raise LabelStudioError(f"interval={interval} must be positive (seconds between polls).")
        if min_new < 1:
            raise LabelStudioError(f"min_new={min_new} must be at least 1.")
        self.project = project
        self.callback = callback
        self.interval = float(interval)
        self.min_new = int(min_new)
        self.timeout = timeout
        self.max_batches = max_batches
        self.batches = 0
        self.delivered = 0
        self.error: BaseException | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._status = _Status(progress)
        self._pending = 0
        self.since = self._start_point(since)
        self._show("watching")

    # -- state ---------------------------------------------------------------------------------------
    def _start_point(self, since: object) -> Any:
        if since is None:
            return None
        if isinstance(since, str) and since == "now":
            from ls_notebook.project._pull import latest

            return self._cursor(latest(self.project, since=None))
        ts = pd.Timestamp(since)
        return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")

    @staticmethod
    def _cursor(frame: pd.DataFrame) -> Any:
        """Where the next poll starts: the pull's own cursor when it gives one, else its newest time."""
        cursor = frame.attrs.get("since")
        if cursor is not None:
            return cursor
        newest = frame["updated_at"].max() if len(frame) else None
        return None if newest is None or pd.isna(newest) else pd.Timestamp(newest)

    @property
    def running(self) -> bool:
        """True while a background watcher (one with a callback) is polling."""
        return self._thread is not None and self._thread.is_alive()

    def _show(self, state: str) -> None:
        title = self.project.title
        self._status.show(
            f"{state}: project {title!r} — {self.batches} batch(es), {self.delivered} new annotation(s) "
            f"delivered, {self._pending} waiting (batch at {self.min_new}); last check "
            f"{time.strftime('%H:%M:%S')}"
        )

    # -- polling -------------------------------------------------------------------------------------
    def poll(self) -> pd.DataFrame | None:
        """Check once: the batch of new annotations if at least ``min_new`` arrived, else None."""
        from ls_notebook.project._pull import latest

        frame = latest(self.project, since=self.since)
        submitted = frame.loc[~frame["was_cancelled"].fillna(False).astype(bool), "annotation_id"]
        self._pending = int(submitted.nunique())
        if self._pending < self.min_new:
            self._show("watching")
            return None
        self.since = self._cursor(frame)
        self.batches += 1
        self.delivered += int(frame["annotation_id"].nunique())
        self._pending = 0
        frame.attrs["batch"] = self.batches
        self._show("watching")
        return frame

    def wait(self, timeout: float | None = None) -> pd.DataFrame | None:
        """Poll until the next batch arrives and return it; None after ``timeout`` seconds or a stop.

        Examples
        --------
        >>> watcher = project.watch(min_new=10)                   # doctest: +SKIP
        >>> batch = watcher.wait(timeout=3600)                    # blocks until 10 new labels
        ... # doctest: +SKIP
        """
        deadline = None if timeout is None else time.monotonic() + float(timeout)
        while not self._stop.is_set():
            batch = self.poll()
            if batch is not None:
                return batch
            if deadline is not None and time.monotonic() >= deadline:
                return None
            pause = self.interval if deadline is None else min(self.interval, deadline - time.monotonic())
            self._stop.wait(max(pause, 0.0))
        return None

    def __iter__(self) -> Iterator[pd.DataFrame]:
        deadline = None if self.timeout is None else time.monotonic() + float(self.timeout)
        try:
            while not self._stop.is_set():
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    break
                batch = self.wait(left)
                if batch is None:
                    break
                yield batch
                if self.max_batches is not None and self.batches >= self.max_batches:
                    break
        finally:
            self._stop.set()
            self._show("stopped")

    # -- background mode -----------------------------------------------------------------------------
    def start(self) -> Watcher:
        """Poll in a background thread, calling ``callback(batch)`` for each batch; returns self."""
        if self.callback is None:
            raise LabelStudioError(
                "start() needs a callback: project.watch(callback=fn). Or iterate over the watcher."
            )
        if self.running:
            return self
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=f"lsn-watch-{self.project.id}", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        assert self.callback is not None
        try:
            for batch in self:
                self.callback(batch)
        except BaseException as exc:  # reported through .error and the status line
            self.error = exc
            self._show(f"stopped by {type(exc).__name__}: {exc}")

    def stop(self, wait: float = 30.0) -> None:
        """Stop watching (a background watcher finishes its current poll or callback first)."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(wait)

    def join(self, timeout: float | None = None) -> None:
        """Wait for a background watcher to finish (``timeout`` / ``max_batches`` reached, or stopped)."""
        if self._thread is not None:
            self._thread.join(timeout)

    def __repr__(self) -> str:
        state = "running" if self.running else ("stopped" if self._stop.is_set() else "idle")
        return (
            f"Watcher(project={self.project.id}, {state}, batches={self.batches}, "
            f"delivered={self.delivered}, min_new={self.min_new})"
        )


def watch(project: ProjectRef, callback: Callback | None, **options: Any) -> Watcher:
    """Build a :class:`Watcher` (``options`` are its keyword arguments), started in the background
    when given a ``callback``."""
    watcher = Watcher(project, callback, **options)
    return watcher.start() if callback is not None else watcher
