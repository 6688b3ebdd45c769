"""``Project.push``: DataFrame rows → tasks, idempotent by key.

The push key of each row (the ``key`` column, or the index) is stored as text in the task's
``meta["ls_notebook_key"]``; ``pull()`` returns it as the ``key`` column. Before sending, the keys
already in the project are read, and rows whose key exists are skipped (or, with ``update=True``,
their task data replaced). New rows go in batches of at most ``batch_size`` tasks and
:data:`MAX_BATCH_BYTES` of JSON through Label Studio's bulk import (one transaction per batch), so
an interrupted push leaves whole batches and a re-run sends only what is missing. A batch is
encoded by one ``json.dumps`` of its task list, lazily (a batch over the byte cap is split, greedily,
from its tasks' own encodings). Label Studio's import answers when the tasks are committed, with
their ids (``return_task_ids``), so nothing is read back.

An import request costs a fixed ~40 ms (a one-task import's round trip; ~70 ms before local servers
set TCP_NODELAY) besides ~0.2 ms per short text task (Label Studio 1.23, SQLite): hence the default
``batch_size`` of :data:`BATCH_SIZE` (10,000 rows in 2 requests rather than 10).
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from ls_notebook.errors import DataError, LabelStudioError, PushInterruptedError
from ls_notebook.project._keys import existing_keys
from ls_notebook.project._upload import resolve_media
from ls_notebook.tasks import build_tasks
from ls_notebook.tasks._build import Predictions, TaskBatch

if TYPE_CHECKING:
    from ls_notebook.client import ProjectRef

__all__ = ["BATCH_SIZE", "MAX_BATCH_BYTES", "PushResult", "push"]

#: Largest JSON body of one import request (a single bigger task still goes, alone).
MAX_BATCH_BYTES = 8 * 1024 * 1024
#: Default tasks per import request.
BATCH_SIZE = 5000


@dataclass
class PushResult:
    """What a push did: counts, and ``task_ids`` mapping the DataFrame index to task ids."""

    created: int = 0
    skipped: int = 0
    updated: int = 0
    task_ids: pd.Series = field(default_factory=lambda: pd.Series(dtype="int64"))

    def __repr__(self) -> str:
        return f"PushResult(created={self.created}, skipped={self.skipped}, updated={self.updated})"

    def _repr_html_(self) -> str:
        return html.escape(repr(self))


def _progress(total: int, enabled: bool):
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="push", unit="task", disable=not enabled or total == 0, leave=False)


def _upload_media(project: ProjectRef, batch: TaskBatch, rows: list[int], progress: bool) -> None:
    """Upload the local files / bytes of ``rows`` (only those to be sent) and put their URLs in the tasks."""
    items = [item for i in rows for item in batch.media.get(i, {}).values()]
    urls = resolve_media(project, items, progress)
    for item in items:
        batch.tasks[item.position]["data"][item.column] = urls[id(item)]


def _encode(tasks: dict | list[dict]) -> bytes:
    return json.dumps(tasks, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


def _fitting(tasks: Sequence[dict], max_bytes: int) -> int:
    """How many of ``tasks`` should fit in ``max_bytes`` of JSON, judged from a spread sample of them."""
    sample = tasks[:: max(1, len(tasks) // 16)]
    mean = len(_encode(list(sample))) / len(sample)
    return max(1, int(0.9 * max_bytes / mean))


def batches(tasks: Sequence[dict], batch_size: int, max_bytes: int) -> Iterator[tuple[int, bytes]]:
    """Yield ``(count, body)``: import bodies of the next ``count`` tasks, in order, each of at most
    ``batch_size`` tasks and ``max_bytes`` (a task bigger than that alone), encoded lazily.

    A batch is encoded by one ``json.dumps`` of its tasks, sized from a sample of them to fit; one
    that still does not fit is split greedily by its tasks' own encodings.

    Examples
    --------
    >>> [n for n, _ in batches([{"t": "x" * 4}] * 5, batch_size=3, max_bytes=1000)]
    [3, 2]
    >>> list(batches([{"t": "x" * 4}, {"t": "x" * 40}, {"t": "x"}], batch_size=3, max_bytes=60))
    [(1, b'[{"t":"xxxx"}]'), (1, b'[{"t":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}]'), (1, b'[{"t":"x"}]')]
    """
    start = 0
    while start < len(tasks):
        rest = tasks[start : start + batch_size]
        chunk = rest[: _fitting(rest, max_bytes)]
        body = _encode(list(chunk))  # one C-encoder pass over the batch
        if len(body) <= max_bytes:
            yield len(chunk), body
            start += len(chunk)
            continue
        del body
        group: list[bytes] = []
        size = 1  # the body is "[" + the items joined by "," + "]"
        for item in map(_encode, chunk):
            if group and size + len(item) + 1 > max_bytes:
                yield len(group), b"[" + b",".join(group) + b"]"
                group, size = [], 1
            group.append(item)
            size += len(item) + 1
        yield len(group), b"[" + b",".join(group) + b"]"
        start += len(chunk)


def push(
    project: ProjectRef,
    df: pd.DataFrame,
    *,
    key: str | None,
    predictions: Predictions,
    model_version: str | None,
    batch_size: int,
    progress: bool,
    update: bool,
) -> PushResult:
    """Push ``df`` to ``project`` (see :meth:`Project.push`)."""
    if batch_size < 1:
        raise DataError(f"batch_size={batch_size} must be at least 1.")
    batch = build_tasks(df, project.config, key=key, predictions=predictions, model_version=model_version)
    known = existing_keys(project)
    ids: list[int | None] = [known.get(k) for k in batch.keys]
    todo = [i for i, tid in enumerate(ids) if tid is None]
    result = PushResult(skipped=len(batch.keys) - len(todo))
    sent = todo + ([i for i, tid in enumerate(ids) if tid is not None] if update else [])
    _upload_media(project, batch, sent, progress)
    if update:
        for i, tid in enumerate(ids):
            if tid is not None:
                task = batch.tasks[i]
                project.conn.request(
                    "PATCH",
                    f"/api/tasks/{tid}",
                    f"updating task {tid}",
                    json={"data": task["data"], "meta": task["meta"]},
                )
                result.updated += 1
        result.skipped -= result.updated
    done = 0
    with _progress(len(todo), progress) as bar:
        for count, content in batches([batch.tasks[i] for i in todo], batch_size, MAX_BATCH_BYTES):
            chunk = todo[done : done + count]
            done += count
            try:
                body = project.conn.request(
                    "POST",
                    f"/api/projects/{project.id}/import",
                    f"importing tasks into project {project.id}",
                    refused=DataError,
                    params={"return_task_ids": "true"},
                    content=content,
                    headers={"Content-Type": "application/json"},
                )
            except DataError:
                raise
            except (LabelStudioError, KeyboardInterrupt) as exc:
                raise PushInterruptedError(
                    f"The push stopped after {result.created} of {len(todo)} new tasks were confirmed "
                    f"({type(exc).__name__}: {exc}). Re-running the same push is safe: tasks already on "
                    "the server, confirmed or not, are recognised by their key and skipped.",
                    confirmed=result.created,
                ) from exc
            for i, tid in zip(chunk, body.get("task_ids") or [], strict=False):
                ids[i] = int(tid)
            result.created += len(chunk)
            bar.update(len(chunk))
    if any(tid is None for tid in ids):  # an old server without return_task_ids: look them up
        known = existing_keys(project)
        ids = [known.get(k) for k in batch.keys]
    result.task_ids = pd.Series(ids, index=batch.index, dtype="Int64", name="task_id")
    return result
