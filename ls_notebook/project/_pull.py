"""``Project.pull`` / ``pull_arrow``: the project's annotations as the schema's Arrow table.

Every source gives the same table (tests check it):

- ``"auto"``: the incremental cache (:mod:`._cache`) fed by the server's own database (SQLite or
  PostgreSQL, :mod:`._db`) when it was started by ``ls_notebook.start()`` with a known Label Studio
  release, else by the API; a repeated pull reads only what changed;
- ``"cache"``: the incremental cache fed by the API, whatever the server;
- ``"db"``: a full read-only read of a local server's database, no cache (``"sqlite"`` and
  ``"postgresql"`` also check which database it is);
- ``"api"``: every task read again through the API (the reference; slow on big projects).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ls_notebook.annotations import TIME_TAGS, tasks_to_table, to_long, to_wide
from ls_notebook.configs import interface
from ls_notebook.errors import ConfigError, LabelStudioError
from ls_notebook.project import _db, _poll
from ls_notebook.project._cache import cached_table
from ls_notebook.project._fetch import iter_tasks, users
from ls_notebook.project._sources import ApiDelta, DatabaseDelta
from ls_notebook.tasks import to_backend
from ls_notebook.tasks._frames import BACKENDS, Backend

if TYPE_CHECKING:
    from ls_notebook.client import ProjectRef

__all__ = ["Source", "pull", "pull_arrow"]

Source = Literal["auto", "cache", "db", "sqlite", "postgresql", "api"]
_DIRECT = ("db", "sqlite", "postgresql")


def _since(table: pa.Table, since: object) -> pa.Table:
    if since is None:
        return table
    cursor = _poll.cursor_of(since)
    if cursor is not None:
        return _poll.apply(table, cursor)
    ts = pd.Timestamp(since)
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    scalar = pa.scalar(ts.to_pydatetime(), type=pa.timestamp("us", tz="UTC"))
    return table.filter(pc.greater(table.column("updated_at"), scalar))


def _select(table: pa.Table, include_unannotated: bool, include_predictions: bool) -> pa.Table:
    """The rows of the sources asked for (the table itself, not a copy, when that is every row)."""
    source = table.column("source")
    keep = pc.fill_null(pc.equal(source, "annotation"), False)
    if include_predictions:
        keep = pc.or_(keep, pc.fill_null(pc.equal(source, "prediction"), False))
    if include_unannotated:
        keep = pc.or_(keep, pc.is_null(source))
    return table if pc.all(keep).as_py() else table.filter(keep)


def time_objects(project: ProjectRef) -> frozenset[str]:
    """The project's object tags whose regions are placed in time (their start/end are seconds)."""
    try:
        li = interface(project.config)
    except ConfigError:  # a config the SDK cannot read: every start/end is an offset
        return frozenset()
    return frozenset(o.name for o in li.objects if str(o.tag).lower() in TIME_TAGS)


def _direct(db: _db.Database, project_id: int, flags: dict[str, Any]) -> pa.Table:
    try:
        with _db.stream_tasks(db, project_id) as (tasks, user_map):
            return tasks_to_table(tasks, user_map, **flags)
    except db.dialect.errors as exc:
        _db.forget(db)
        first = (str(exc).strip().splitlines() or [""])[0][:200]
        raise LabelStudioError(
            f"Reading the server's {db.dialect.name} database directly failed ({type(exc).__name__}: "
            f"{first}); use source='auto', which falls back to the API."
        ) from None


def pull_arrow(
    project: ProjectRef,
    *,
    since: object,
    include_predictions: bool,
    include_drafts: bool,
    include_unannotated: bool,
    source: Source,
    progress: bool,
    refresh: bool,
) -> pa.Table:
    """Return the project's annotations as a ``pyarrow.Table`` (see :meth:`Project.pull_arrow`)."""
    return _pull(
        project,
        since,
        include_unannotated,
        include_predictions,
        include_drafts,
        source,
        progress,
        refresh,
    )[0]


def _pull(
    project: ProjectRef,
    since: object,
    include_unannotated: bool,
    include_predictions: bool,
    include_drafts: bool,
    source: Source,
    progress: bool,
    refresh: bool,
) -> tuple[pa.Table, _poll.Since]:
    """The table (its cursor in its metadata) and the cursor itself."""
    if source not in ("auto", "cache", "api", *_DIRECT):
        raise LabelStudioError(
            f"source={source!r}: use 'auto', 'cache', 'db' (or 'sqlite', 'postgresql') or 'api'."
        )
    flags: dict[str, Any] = {
        "include_unannotated": include_unannotated,
        "include_predictions": include_predictions,
    }
    times = time_objects(project)
    db = _db.database_of(project.conn)
    if include_drafts:
        if source not in ("auto", "api"):
            raise LabelStudioError(
                "include_drafts=True reads drafts through the API: use source='auto' or 'api'."
            )
        source = "api"
    if source in _DIRECT and (db is None or source not in ("db", db.dialect.name)):
        engine = "" if source == "db" else {"sqlite": " SQLite", "postgresql": " PostgreSQL"}[source]
        raise LabelStudioError(
            f"source={source!r} needs a local{engine} server started by ls_notebook.start() with Label "
            f"Studio {' or '.join(r + 'x' for r in _db.KNOWN_RELEASES)}; use source='auto'."
        )
    options = {"refresh": refresh, "progress": progress, "time_objects": times}
    if source in _DIRECT:
        table = _direct(db, project.id, {**flags, "time_objects": times})
    elif source == "auto" and db is not None:
        try:
            with DatabaseDelta(db, project.id) as delta:
                full = cached_table(project, delta, **options)
        except db.dialect.errors:  # the database cannot be read as expected: the API can
            _db.forget(db)
            full = cached_table(project, ApiDelta(project), **options)
        table = _select(full, **flags)
    elif source in ("auto", "cache"):
        table = _select(cached_table(project, ApiDelta(project), **options), **flags)
    else:
        tasks = iter_tasks(project, progress=progress)
        table = tasks_to_table(
            tasks, users(project), include_drafts=include_drafts, time_objects=times, **flags
        )
    cursor = _poll.next_cursor(table, _poll.cursor_of(since) if since is not None else None)
    return _poll.attach(_since(table, since), cursor), cursor


def pull(
    project: ProjectRef,
    *,
    shape: Literal["long", "wide"],
    since: object,
    include_predictions: bool,
    include_drafts: bool,
    include_unannotated: bool,
    source: Source,
    progress: bool,
    refresh: bool,
    backend: Backend,
) -> Any:
    """Return the project's annotations as a DataFrame (see :meth:`Project.pull`)."""
    if shape not in ("long", "wide"):
        raise LabelStudioError(f"shape={shape!r}: use 'long' (one row per result item) or 'wide' (per task).")
    if backend not in BACKENDS:
        raise LabelStudioError(f"backend={backend!r}: use one of {list(BACKENDS)}.")
    if shape == "wide" and backend != "pandas":
        raise LabelStudioError(
            "shape='wide' has pandas MultiIndex columns (from_name, annotator): use backend='pandas', or "
            f"pull the long table with backend={backend!r} and pivot it there."
        )
    table, cursor = _pull(
        project,
        since,
        include_unannotated or shape == "wide",
        include_predictions,
        include_drafts,
        source,
        progress,
        refresh,
    )
    if backend != "pandas":  # the same table (Arrow keeps the cursor in its metadata)
        return to_backend(table, backend)
    df = to_long(table) if shape == "long" else to_wide(table)
    df.attrs["since"] = cursor  # pass df (or this) as the next since= to poll
    return df


def latest(project: ProjectRef, *, since: object) -> pd.DataFrame:
    """The long frame of the project's annotations (after ``since``), quietly: what the watcher and
    a served model's training read."""
    return pull(
        project,
        shape="long",
        since=since,
        include_predictions=False,
        include_drafts=False,
        include_unannotated=False,
        source="auto",
        progress=False,
        refresh=False,
        backend="pandas",
    )
