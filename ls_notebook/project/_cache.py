"""Incremental pull cache: the flattened project kept in memory and on disk, refreshed with changed tasks.

Where: ``ls_notebook_cache/`` in the data dir of a local server, ``~/.cache/ls_notebook/<host>/`` for
attached ones. Files per project: ``project-<id>.parquet`` (the base table: predictions and
unannotated tasks included), ``project-<id>.d<generation>.parquet`` (delta files: the complete new
rows of the tasks changed by one pull) and ``project-<id>.json`` (the state: watermark, delta list,
users). A pull appends one small delta file and rewrites the small JSON; the base is rewritten only
when deltas pile up (:data:`COMPACT_DELTAS` files, or more rows than :data:`COMPACT_FRACTION` of
the table and :data:`COMPACT_MIN_ROWS`). The table also stays in memory for as long as the server's
:class:`~ls_notebook.client.Connection` lives (:data:`_STATES`), so a repeated pull in the same kernel
reads no file (the JSON's generation tells whether another process
moved the cache on).

What a pull asks (a :class:`Delta` source: the API, or a local server's database):

1. the project's counts of tasks, annotations (skipped included) and predictions;
2. the tasks updated after the watermark (the latest task ``updated_at`` seen) minus a margin, in
   full — one filtered data-manager request through the API, one query on the database.

Changed tasks replace their rows (zero-copy slices of the cached table around the new rows, which
keeps it sorted by task id). Label Studio stamps a task's ``updated_at`` whenever one of its
annotations or predictions is saved or deleted through the API. Counts that disagree with the
cached table (tasks deleted, bulk deletions that skip those stamps) trigger a full read, as does a
change of a task data column's set or type. Tasks stamped within :data:`MARGIN` before the
watermark (at most :data:`WINDOW` of them) are read again, so a write that commits shortly after a
later one is not missed; tasks read again at the version already cached are left as they are.
``refresh=True`` rebuilds everything from a full read.
"""

from __future__ import annotations

import json
import os
import uuid
import weakref
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ls_notebook.annotations import ANNOTATION_COLUMNS, tasks_to_table

if TYPE_CHECKING:
    from ls_notebook.client import ProjectRef

__all__ = ["Delta", "cache_dir", "cached_table"]

FORMAT = 4  # bumped with the schema (the annotation columns) or the file layout
MARGIN = 250_000  # µs: tasks stamped this long before the watermark are read again
WINDOW = 25  # ... but at most this many of them
COMPACT_DELTAS = 16
COMPACT_FRACTION = 0.25
COMPACT_MIN_ROWS = 10_000  # smaller deltas never force a rewrite (a small base is cheap to read)
MAX_CHUNKS = 512  # beyond this many Arrow chunks per column the cached table is made contiguous
_FLAGS = {"include_unannotated": True, "include_predictions": True}
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


class Delta(Protocol):
    """Where a pull reads changes from: the API (:mod:`._fetch`) or a local database."""

    kind: str

    def counts(self) -> tuple[int, int, int]:
        """Tasks, annotations (skipped included) and predictions of the project, now."""
        ...

    def tasks(self, after: int | None, progress: bool) -> Iterator[Mapping[str, Any]]:
        """Tasks (with annotations and predictions) updated after ``after`` µs (None: all)."""
        ...

    def users(self, known: Mapping[int, str], wanted: set[int]) -> dict[int, str]:
        """User id → e-mail, at least for ``wanted`` (``known`` may be returned if it has them)."""
        ...


def cache_dir(project: ProjectRef) -> Path:
    """Folder of the cache files of ``project``'s server."""
    data_dir = project.conn.data_dir
    if data_dir is not None:
        return Path(data_dir) / "ls_notebook_cache"
    host = project.conn.url.split("://", 1)[-1].replace("/", "_").replace(":", "_")
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "ls_notebook"
    return base / host


def micros(ts: str | None) -> int | None:
    """An ISO 8601 timestamp (``Z`` or offset; naive means UTC) as µs since the epoch."""
    if not ts:
        return None
    parsed = datetime.fromisoformat(str(ts).replace("Z", "+00:00").replace(" ", "T"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    delta = parsed - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


@dataclass
class _State:
    """A cached table and what the next pull needs to bring it up to date."""

    table: pa.Table
    counts: np.ndarray  # tasks, annotations, predictions in the table
    window: dict[int, int]  # task id → updated_at (µs) of the latest-stamped tasks
    users: dict[int, str]
    generation: str = field(default_factory=lambda: uuid.uuid4().hex)
    deltas: list[str] = field(default_factory=list)
    delta_rows: int = 0
    empty_columns: list[str] = field(default_factory=list)  # data columns all null at the last full read
    time_objects: list[str] = field(default_factory=list)  # object tags with times (the config's)

    @property
    def watermark(self) -> int | None:
        return max(self.window.values(), default=None)

    def floor(self) -> int | None:
        """Read tasks updated after this (µs): the watermark minus the margin, at most WINDOW tasks."""
        if not self.window:
            return None
        stamps = sorted(self.window.values(), reverse=True)
        floor = stamps[0] - MARGIN
        return max(floor, stamps[WINDOW] if len(stamps) > WINDOW else floor)

    def remember(self, versions: Mapping[int, int]) -> None:
        """Add task versions seen and keep those within the margin of the new watermark."""
        merged = {**self.window, **versions}
        if not merged:
            return
        top = max(merged.values())
        recent = sorted(((v, k) for k, v in merged.items() if v >= top - MARGIN), reverse=True)
        self.window = {k: v for v, k in recent[: WINDOW + 1]}


# -- table helpers ----------------------------------------------------------------------------------


def _counts(table: pa.Table) -> np.ndarray:
    """Tasks, annotations and predictions in ``table`` (a prediction: its task, model, timestamps)."""
    if table.num_rows == 0:
        return np.zeros(3, dtype=np.int64)
    source = table.column("source")
    n_tasks = pc.count_distinct(table.column("task_id")).as_py()
    is_ann = pc.fill_null(pc.equal(source, "annotation"), False)
    n_ann = pc.count_distinct(pc.if_else(is_ann, table.column("annotation_id"), None)).as_py()
    preds = table.filter(pc.fill_null(pc.equal(source, "prediction"), False))
    n_pred = 0
    if preds.num_rows:
        keys = ["task_id", "annotator", "created_at", "updated_at"]
        n_pred = preds.select(keys).group_by(keys).aggregate([]).num_rows
    return np.array([n_tasks, n_ann, n_pred], dtype=np.int64)


def _data_columns(table: pa.Table) -> dict[str, pa.DataType]:
    return {f.name: f.type for f in table.schema if f.name not in _FIXED}


_FIXED = frozenset(ANNOTATION_COLUMNS)


def _conform(old: pa.Table, new: pa.Table) -> pa.Table | None:
    """``new`` with ``old``'s schema, or None when a full read is needed (data columns differ)."""
    old_cols, new_cols = _data_columns(old), _data_columns(new)
    if not set(new_cols) <= set(old_cols):
        return None  # a new data field: its column position comes from a full read
    arrays = []
    for f in old.schema:
        if f.name not in new.column_names:
            arrays.append(pa.nulls(new.num_rows, f.type))
            continue
        column = new.column(f.name)
        if column.type != f.type:
            if not pa.types.is_null(column.type):
                return None  # a type change: the full read decides the column's type
            column = column.cast(f.type)
        arrays.append(column)
    return pa.Table.from_arrays(arrays, schema=old.schema)


def _task_ids(table: pa.Table) -> np.ndarray:
    return table.column("task_id").to_numpy()


def _splice(old: pa.Table, new: pa.Table) -> tuple[pa.Table, pa.Table]:
    """Replace the rows of ``new``'s tasks in ``old`` (both sorted by task id); also return the rows removed.

    The result is made of slices of both tables (no copy of the unchanged rows).
    """
    old_ids, new_ids = _task_ids(old), _task_ids(new)
    changed = np.unique(new_ids)
    lo = np.searchsorted(old_ids, changed, "left")
    hi = np.searchsorted(old_ids, changed, "right")
    new_lo = np.searchsorted(new_ids, changed, "left")
    new_hi = np.searchsorted(new_ids, changed, "right")
    pieces: list[pa.Table] = []
    removed: list[pa.Table] = []
    pos, run_start, run_end = 0, None, None
    for a, b, c, d in zip(lo.tolist(), hi.tolist(), new_lo.tolist(), new_hi.tolist(), strict=True):
        if a > pos:  # unchanged old rows before this task: close the run of new rows first
            if run_start is not None:
                pieces.append(new.slice(run_start, run_end - run_start))
                run_start = None
            pieces.append(old.slice(pos, a - pos))
        if b > a:
            removed.append(old.slice(a, b - a))
        if run_start is None:
            run_start = c
        run_end = d
        pos = max(pos, b)
    if run_start is not None:
        pieces.append(new.slice(run_start, run_end - run_start))
    if pos < old.num_rows:
        pieces.append(old.slice(pos))
    gone = pa.concat_tables(removed) if removed else old.slice(0, 0)
    merged = pa.concat_tables(pieces) if pieces else old.slice(0, 0)
    if merged.column("task_id").num_chunks > MAX_CHUNKS:
        merged = merged.combine_chunks()
    return merged, gone


# -- files ------------------------------------------------------------------------------------------


def _paths(folder: Path, project_id: int) -> tuple[Path, Path]:
    return folder / f"project-{project_id}.parquet", folder / f"project-{project_id}.json"


def _write_json(path: Path, payload: dict[str, Any]) -> None:
    tmp = path.with_suffix(f".{uuid.uuid4().hex[:8]}.tmp")
    tmp.write_text(json.dumps(payload))
    tmp.replace(path)


def _write_table(table: pa.Table, path: Path) -> None:
    tmp = path.with_suffix(f".{uuid.uuid4().hex[:8]}.tmp")
    pq.write_table(table, tmp)
    tmp.replace(path)


def _meta(state: _State) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "generation": state.generation,
        "window": {str(k): v for k, v in state.window.items()},
        "users": {str(k): v for k, v in state.users.items()},
        "deltas": state.deltas,
        "delta_rows": state.delta_rows,
        "empty_columns": state.empty_columns,
        "time_objects": state.time_objects,
    }


def _read_meta(folder: Path, project_id: int) -> dict[str, Any] | None:
    try:
        meta = json.loads(_paths(folder, project_id)[1].read_text())
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) and meta.get("format") == FORMAT else None


def _load(folder: Path, project_id: int, meta: dict[str, Any]) -> _State | None:
    """The cached state on disk: base table with its deltas applied (None: missing or unreadable)."""
    base, _ = _paths(folder, project_id)
    try:
        table = pq.read_table(base)
        for name in meta["deltas"]:
            delta = _conform(table, pq.read_table(folder / name))
            if delta is None:
                return None
            table, _ = _splice(table, delta)
        return _State(
            table=table,
            counts=_counts(table),
            window={int(k): int(v) for k, v in meta["window"].items()},
            users={int(k): str(v) for k, v in meta["users"].items()},
            generation=str(meta["generation"]),
            deltas=list(meta["deltas"]),
            delta_rows=int(meta["delta_rows"]),
            empty_columns=list(meta.get("empty_columns") or []),
            time_objects=list(meta.get("time_objects") or []),
        )
    except (OSError, KeyError, TypeError, ValueError, pa.ArrowException):
        return None


def _save(folder: Path, project_id: int, state: _State, delta: pa.Table | None) -> None:
    """Persist ``state``: a new delta file (or a new base when deltas piled up) and the JSON."""
    folder.mkdir(parents=True, exist_ok=True)
    base, meta_path = _paths(folder, project_id)
    old_deltas = list(state.deltas)
    state.generation = uuid.uuid4().hex
    if delta is not None:
        state.delta_rows += delta.num_rows
        rows_cap = max(COMPACT_FRACTION * state.table.num_rows, COMPACT_MIN_ROWS)
        if len(state.deltas) + 1 >= COMPACT_DELTAS or state.delta_rows > rows_cap:
            delta = None
        else:
            name = f"project-{project_id}.d{state.generation[:12]}.parquet"
            _write_table(delta, folder / name)
            state.deltas.append(name)
    if delta is None:  # a full read, or a compaction: one new base, no deltas
        _write_table(state.table, base)
        state.deltas, state.delta_rows = [], 0
    _write_json(meta_path, _meta(state))
    for name in set(old_deltas) - set(state.deltas):
        (folder / name).unlink(missing_ok=True)


# -- the pull ---------------------------------------------------------------------------------------


def _versions(tasks: Iterable[Mapping[str, Any]], into: dict[int, int]) -> Iterator[Mapping[str, Any]]:
    """Pass ``tasks`` through, recording each one's ``updated_at`` (µs) in ``into``."""
    for task in tasks:
        stamp = micros(task.get("updated_at"))
        if stamp is not None:
            into[int(task["id"])] = stamp
        yield task


def _authors(tasks: list[Mapping[str, Any]]) -> set[int]:
    out = set()
    for task in tasks:
        for ann in task.get("annotations") or []:
            who = ann.get("completed_by")
            if isinstance(who, int):
                out.add(who)
    return out


def _empty_columns(table: pa.Table) -> set[str]:
    return {n for n in _data_columns(table) if table.column(n).null_count == table.num_rows}


def _full(source: Delta, progress: bool, time_objects: list[str]) -> _State:
    versions: dict[int, int] = {}
    users = source.users({}, set())
    tasks = _versions(source.tasks(None, progress), versions)
    table = tasks_to_table(tasks, users, time_objects=frozenset(time_objects), **_FLAGS)
    state = _State(
        table=table,
        counts=_counts(table),
        window={},
        users=users,
        empty_columns=sorted(_empty_columns(table)),
        time_objects=time_objects,
    )
    state.remember(versions)
    return state


def _update(state: _State, source: Delta, progress: bool) -> tuple[bool, pa.Table | None]:
    """Bring ``state`` up to date in place; return (up to date?, the rows of the changed tasks).

    Not up to date means a full read is needed (counts differ, data columns changed).
    """
    expected = np.array(source.counts(), dtype=np.int64)
    versions: dict[int, int] = {}
    fetched = list(_versions(source.tasks(state.floor(), progress), versions))
    todo = [t for t in fetched if state.window.get(int(t["id"])) != versions.get(int(t["id"]))]
    delta = None
    if todo:
        wanted = _authors(todo) - set(state.users)
        if wanted:
            state.users = source.users(state.users, wanted)
        flat = tasks_to_table(todo, state.users, time_objects=frozenset(state.time_objects), **_FLAGS)
        new = _conform(state.table, flat)
        if new is None:
            return False, None
        table, gone = _splice(state.table, new)
        if not _empty_columns(table) <= set(state.empty_columns):
            return False, None  # a data field gone from every task: a full read drops its column
        state.counts = state.counts - _counts(gone) + _counts(new)
        state.table, delta = table, new
    state.remember(versions)
    return bool(np.array_equal(state.counts, expected)), delta


def cached_table(
    project: ProjectRef,
    source: Delta,
    refresh: bool = False,
    progress: bool = True,
    time_objects: frozenset[str] = frozenset(),
) -> pa.Table:
    """The project's full table (with predictions and unannotated tasks), reading only what changed.

    ``time_objects``: the config's object tags whose regions are times (a change means a full read).
    """
    folder = cache_dir(project)
    state: _State | None = None
    if not refresh:
        meta = _read_meta(folder, project.id)
        state = _STATES.get(project.conn, {}).get(project.id)
        if meta is None or meta.get("time_objects") != sorted(time_objects):
            state = None
        elif state is None or state.generation != meta.get("generation"):
            state = _load(folder, project.id, meta)
    delta = None
    if state is not None:
        window = dict(state.window)
        fresh, delta = _update(state, source, progress)
        if not fresh:
            state = None
        elif delta is None and state.window == window:  # nothing changed: nothing to write
            _keep(project, state)
            return state.table
    if state is None:
        state = _full(source, progress, sorted(time_objects))
    _save(folder, project.id, state, delta)
    _keep(project, state)
    return state.table


# Connection → project id → the cached table and its state, kept for as long as the connection (the
# Server) lives: a repeated pull in the same kernel reads no file, whichever Project object asks.
_STATES: weakref.WeakKeyDictionary[Any, dict[int, _State]] = weakref.WeakKeyDictionary()


def _keep(project: ProjectRef, state: _State) -> None:
    _STATES.setdefault(project.conn, {})[project.id] = state
