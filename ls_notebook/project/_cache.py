"""Incremental pull cache: a Parquet copy of the flattened project, refreshed with changed tasks only.

Stored per project under the server's data dir (local servers) or ``~/.cache/ls_notebook/<host>``
(attached ones): ``project-<id>.parquet`` (the table, with predictions and unannotated tasks) and
``project-<id>.json`` (the watermark: the latest task ``updated_at`` seen, and the ``updated_at`` of
the tasks within the safety margin before it). A pull lists the ids and ``updated_at`` of the tasks
updated after the watermark minus the margin (a light query), reads in full only those not already
cached at that version (by id), replaces their rows, and checks the task and annotation counts against
the project's; any mismatch (deleted tasks or annotations) triggers a full read. Deleted predictions
linger until ``refresh=True``.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ls_notebook.annotations import tasks_to_table
from ls_notebook.project._fetch import counts, iter_tasks, updated_since, users

if TYPE_CHECKING:
    from ls_notebook.project._project import Project

__all__ = ["cache_dir", "cached_table"]

MARGIN = timedelta(milliseconds=10)
FORMAT = 2


def cache_dir(project: Project) -> Path:
    """Folder of the cache files of ``project``'s server."""
    data_dir = project.server.data_dir
    if data_dir is not None:
        return Path(data_dir) / "ls_notebook_cache"
    host = project.server.url.split("://", 1)[-1].replace("/", "_").replace(":", "_")
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "ls_notebook"
    return base / host


def _fetch(project: Project, progress: bool, ids: list[int] | None = None) -> tuple[pa.Table, dict[int, str]]:
    """Read all tasks (or those with ``ids``) in full: their table and their id → ``updated_at``."""
    tasks = list(iter_tasks(project, None, progress, ids))
    versions = {int(t["id"]): str(t.get("updated_at") or "") for t in tasks}
    table = tasks_to_table(tasks, users(project), include_unannotated=True, include_predictions=True)
    return table, versions


def _counts_match(table: pa.Table, expected: tuple[int, int]) -> bool:
    n_tasks = len(pc.unique(table.column("task_id")))
    ann = table.filter(pc.equal(table.column("source"), "annotation")).column("annotation_id").drop_null()
    return (n_tasks, len(pc.unique(ann))) == expected


def _window(versions: dict[int, str]) -> tuple[str | None, dict[str, str]]:
    """Watermark (latest ``updated_at``) and the tasks within :data:`MARGIN` of it."""
    watermark = max(filter(None, versions.values()), key=_parse, default=None)
    if watermark is None:
        return None, {}
    floor = _minus_margin(watermark)
    return watermark, {str(k): v for k, v in versions.items() if v and _after(v, floor)}


def _after(ts: str, floor: str) -> bool:
    return _parse(ts) > _parse(floor)


def _parse(ts: str) -> datetime:
    return datetime.fromisoformat(ts.replace("Z", "+00:00"))


def _save(folder: Path, project_id: int, table: pa.Table | None, versions: dict[int, str]) -> None:
    """Write the table (unless None: unchanged) and the watermark of ``versions``."""
    folder.mkdir(parents=True, exist_ok=True)
    if table is not None:
        tmp = folder / f"project-{project_id}.parquet.tmp"
        pq.write_table(table, tmp)
        tmp.replace(folder / f"project-{project_id}.parquet")
    watermark, window = _window(versions)
    meta = {"format": FORMAT, "watermark": watermark, "window": window}
    (folder / f"project-{project_id}.json").write_text(json.dumps(meta))


def _load(folder: Path, project_id: int) -> tuple[pa.Table, dict[int, str]] | None:
    """The cached table and the ``updated_at`` of the tasks at the watermark (None: no usable cache)."""
    try:
        meta = json.loads((folder / f"project-{project_id}.json").read_text())
        if meta.get("format") != FORMAT or not meta.get("watermark"):
            return None
        window = {int(k): str(v) for k, v in (meta.get("window") or {}).items()}
        return pq.read_table(folder / f"project-{project_id}.parquet"), window
    except (OSError, ValueError, pa.ArrowException):
        return None


def _minus_margin(ts: str) -> str:
    """``ts`` minus :data:`MARGIN`, in the one format the data manager's filter parses."""
    return (_parse(ts) - MARGIN).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _merge(old: pa.Table, changed: pa.Table) -> pa.Table | None:
    """``old`` with the rows of the tasks in ``changed`` replaced, sorted by task id (None: schemas clash)."""
    keep = pc.invert(pc.is_in(old.column("task_id"), value_set=pc.unique(changed.column("task_id"))))
    try:
        merged = pa.concat_tables([old.filter(keep), changed], promote_options="permissive")
    except pa.ArrowException:
        return None
    return merged.take(pc.sort_indices(merged, sort_keys=[("task_id", "ascending")]))


def cached_table(project: Project, refresh: bool = False, progress: bool = True) -> pa.Table:
    """The project's full table (with predictions and unannotated tasks), fetching only what changed."""
    folder = cache_dir(project)
    cached = None if refresh else _load(folder, project.id)
    if cached is not None:
        old, window = cached
        watermark = max(window.values(), key=_parse)
        listed = updated_since(project, _minus_margin(watermark))
        todo = sorted(tid for tid, ts in listed.items() if window.get(tid) != ts)
        merged: pa.Table | None = old
        if todo:
            changed, _ = _fetch(project, progress, todo)
            merged = _merge(old, changed) if changed.num_rows else old
        if merged is not None and _counts_match(merged, counts(project)):
            _save(folder, project.id, merged if todo else None, {**window, **listed})
            return merged
    table, versions = _fetch(project, progress)
    _save(folder, project.id, table, versions)
    return table
