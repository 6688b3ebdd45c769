"""Incremental pull cache: a Parquet copy of the flattened project, refreshed with changed tasks only.

Stored per project under the server's data dir (local servers) or ``~/.cache/ls_notebook/<host>``
(attached ones): ``project-<id>.parquet`` (the table, with predictions and unannotated tasks) and
``project-<id>.json`` (the watermark: the latest task ``updated_at`` seen). A pull asks the API for
tasks updated after the watermark (minus a safety margin), replaces their rows, and checks the task and
annotation counts against the project's; any mismatch (deleted tasks or annotations) triggers a full
read. Deleted predictions linger until ``refresh=True``.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ls_notebook.annotations import tasks_to_table
from ls_notebook.project._fetch import counts, iter_tasks, users

if TYPE_CHECKING:
    from ls_notebook.project._project import Project

__all__ = ["cache_dir", "cached_table"]

MARGIN = timedelta(milliseconds=10)
FORMAT = 1


def cache_dir(project: Project) -> Path:
    """Folder of the cache files of ``project``'s server."""
    data_dir = project.server.data_dir
    if data_dir is not None:
        return Path(data_dir) / "ls_notebook_cache"
    host = project.server.url.split("://", 1)[-1].replace("/", "_").replace(":", "_")
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "ls_notebook"
    return base / host


def _fetch(project: Project, updated_after: str | None, progress: bool) -> tuple[pa.Table, str | None]:
    tasks = list(iter_tasks(project, updated_after, progress))
    latest = max((t.get("updated_at") or "" for t in tasks), default=None) or None
    table = tasks_to_table(tasks, users(project), include_unannotated=True, include_predictions=True)
    return table, latest


def _counts_match(table: pa.Table, expected: tuple[int, int]) -> bool:
    n_tasks = len(pc.unique(table.column("task_id")))
    ann = table.filter(pc.equal(table.column("source"), "annotation")).column("annotation_id").drop_null()
    return (n_tasks, len(pc.unique(ann))) == expected


def _save(folder: Path, project_id: int, table: pa.Table, watermark: str | None) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f"project-{project_id}.parquet.tmp"
    pq.write_table(table, tmp)
    tmp.replace(folder / f"project-{project_id}.parquet")
    (folder / f"project-{project_id}.json").write_text(json.dumps({"format": FORMAT, "watermark": watermark}))


def _load(folder: Path, project_id: int) -> tuple[pa.Table, str | None] | None:
    try:
        meta = json.loads((folder / f"project-{project_id}.json").read_text())
        if meta.get("format") != FORMAT:
            return None
        return pq.read_table(folder / f"project-{project_id}.parquet"), meta.get("watermark")
    except (OSError, ValueError, pa.ArrowException):
        return None


def _minus_margin(ts: str) -> str:
    when = datetime.fromisoformat(ts.replace("Z", "+00:00")) - MARGIN
    return when.isoformat().replace("+00:00", "Z")


def cached_table(project: Project, refresh: bool = False, progress: bool = True) -> pa.Table:
    """The project's full table (with predictions and unannotated tasks), fetching only what changed."""
    folder = cache_dir(project)
    cached = None if refresh else _load(folder, project.id)
    if cached is not None:
        old, watermark = cached
        changed, latest = _fetch(project, _minus_margin(watermark) if watermark else None, progress)
        if changed.num_rows:
            keep = pc.invert(pc.is_in(old.column("task_id"), value_set=pc.unique(changed.column("task_id"))))
            try:
                merged = pa.concat_tables([old.filter(keep), changed], promote_options="permissive")
            except pa.ArrowException:
                merged = None
            if merged is not None:
                order = pc.sort_indices(merged, sort_keys=[("task_id", "ascending")])
                merged = merged.take(order)
        else:
            merged = old
        if merged is not None and _counts_match(merged, counts(project)):
            new_mark = max(filter(None, [watermark, latest]), default=None)
            if changed.num_rows:
                _save(folder, project.id, merged, new_mark)
            return merged
    table, latest = _fetch(project, None, progress)
    _save(folder, project.id, table, latest)
    return table
