"""Direct, read-only reads of a local server's SQLite database (the fast pull and key paths).

Only for servers started by :func:`ls_notebook.start` with the embedded SQLite, and only for Label
Studio releases whose internal tables were checked (:data:`KNOWN_RELEASES`); the tables and columns
read are verified on every connection. Anything else returns None and callers use the API. The
database is opened with ``mode=ro`` (never written) and read inside one transaction, so a pull sees a
consistent snapshot while the server keeps writing.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ls_notebook.tasks import KEY_FIELD

if TYPE_CHECKING:
    from ls_notebook._server import Server

__all__ = ["KNOWN_RELEASES", "counts", "database_of", "keys", "read_tasks", "stream_tasks", "users"]

KNOWN_RELEASES = ("1.23.",)
SQLITE_FILE = "label_studio.sqlite3"
_COLUMNS = {
    "task": {"id", "data", "meta", "project_id", "updated_at"},
    "task_completion": {
        "id",
        "task_id",
        "project_id",
        "completed_by_id",
        "created_at",
        "updated_at",
        "lead_time",
        "was_cancelled",
        "ground_truth",
        "result",
    },
    "prediction": {
        "id",
        "task_id",
        "project_id",
        "model_version",
        "result",
        "score",
        "created_at",
        "updated_at",
    },
    "htx_user": {"id", "email"},
}


@contextmanager
def _connect(db: Path) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        conn.execute("BEGIN")
        yield conn
    finally:
        conn.close()


def _schema_ok(db: Path) -> bool:
    try:
        with _connect(db) as conn:
            for table, needed in _COLUMNS.items():
                have = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
                if not needed <= have:
                    return False
    except sqlite3.Error:
        return False
    return True


_checked: dict[Path, bool] = {}


def database_of(server: Server) -> Path | None:
    """The SQLite file of a local server whose schema this module knows, else None (use the API)."""
    data_dir = getattr(server, "data_dir", None)
    if data_dir is None or not str(server.version).startswith(KNOWN_RELEASES):
        return None
    db = Path(data_dir) / SQLITE_FILE
    if not db.exists():
        return None  # e.g. a PostgreSQL-backed local server
    if db not in _checked:
        _checked[db] = _schema_ok(db)
    return db if _checked[db] else None


def keys(db: Path, project_id: int) -> dict[str, int]:
    """Push key → task id for the tasks of a project."""
    out: dict[str, int] = {}
    with _connect(db) as conn:
        rows = conn.execute(
            "SELECT id, json_extract(meta, ?) FROM task WHERE project_id = ? ORDER BY id",
            (f'$."{KEY_FIELD}"', project_id),
        )
        for task_id, key in rows:
            if key is not None:
                out[str(key)] = int(task_id)
    return out


def counts(db: Path, project_id: int) -> tuple[int, int, int]:
    """The project's task, annotation (skipped ones included) and prediction counts, in one snapshot."""
    with _connect(db) as conn:
        return tuple(  # type: ignore[return-value]
            int(
                conn.execute(f"SELECT count(*) FROM {table} WHERE project_id = ?", (project_id,)).fetchone()[
                    0
                ]
            )
            for table in ("task", "task_completion", "prediction")
        )


def users(db: Path) -> dict[int, str]:
    """User id → e-mail of the server's users."""
    with _connect(db) as conn:
        return {int(k): v or "" for k, v in conn.execute("SELECT id, email FROM htx_user")}


def _iso(ts: str | None) -> str | None:
    return None if ts is None else ts.replace(" ", "T") + ("" if ts.endswith("Z") else "Z")


def _groups(rows: Iterator[tuple]) -> Iterator[tuple[int, list[tuple]]]:
    """Consecutive rows with the same task id (second column) as ``(task_id, rows)``."""
    current, group = None, []
    for row in rows:
        if row[1] != current:
            if group:
                yield current, group
            current, group = row[1], []
        group.append(row)
    if group:
        yield current, group


def _annotation(row: tuple) -> dict[str, Any]:
    return {
        "id": row[0],
        "completed_by": row[2],
        "created_at": _iso(row[3]),
        "updated_at": _iso(row[4]),
        "lead_time": row[5],
        "was_cancelled": bool(row[6]),
        "ground_truth": bool(row[7]),
        "result": row[8],
    }


def _prediction(row: tuple) -> dict[str, Any]:
    return {
        "id": row[0],
        "model_version": row[2],
        "result": row[3],
        "score": row[4],
        "created_at": _iso(row[5]),
        "updated_at": _iso(row[6]),
    }


def _stream(conn: sqlite3.Connection, project_id: int, updated_after: str | None) -> Iterator[dict]:
    """Tasks in id order, each with its annotations and predictions (three cursors merged by task id)."""
    where, args = "project_id = ?", [project_id]
    if updated_after is not None:
        where += " AND updated_at > ?"
        args.append(updated_after.replace("T", " ").rstrip("Z"))
    task_where = (
        "project_id = ?" if updated_after is None else f"task_id IN (SELECT id FROM task WHERE {where})"
    )
    tasks = conn.execute(f"SELECT id, data, meta, updated_at FROM task WHERE {where} ORDER BY id", args)
    annotations = _groups(
        conn.execute(
            "SELECT id, task_id, completed_by_id, created_at, updated_at, lead_time, was_cancelled, "
            f"ground_truth, result FROM task_completion WHERE {task_where} ORDER BY task_id, id",
            args,
        )
    )
    predictions = _groups(
        conn.execute(
            "SELECT id, task_id, model_version, result, score, created_at, updated_at FROM prediction "
            f"WHERE {task_where} ORDER BY task_id, id",
            args,
        )
    )
    ann = next(annotations, None)
    pred = next(predictions, None)
    for tid, data, meta, updated in tasks:
        while ann is not None and ann[0] < tid:  # rows of tasks not listed: skipped
            ann = next(annotations, None)
        while pred is not None and pred[0] < tid:
            pred = next(predictions, None)
        task_anns: list[dict[str, Any]] = []
        task_preds: list[dict[str, Any]] = []
        if ann is not None and ann[0] == tid:
            task_anns = [_annotation(row) for row in ann[1]]
            ann = next(annotations, None)
        if pred is not None and pred[0] == tid:
            task_preds = [_prediction(row) for row in pred[1]]
            pred = next(predictions, None)
        yield {
            "id": tid,
            "data": json.loads(data) if data else {},
            "meta": json.loads(meta) if meta else {},
            "updated_at": _iso(updated),
            "annotations": task_anns,
            "predictions": task_preds,
        }


@contextmanager
def stream_tasks(
    db: Path, project_id: int, updated_after: str | None = None
) -> Iterator[tuple[Iterator[dict], dict[int, str]]]:
    """Open one read transaction; give an iterator of tasks (id order, shaped like the API's) and users.

    The iterator reads the database as it goes (memory stays proportional to one task), so consume
    it inside the ``with`` block.
    """
    with _connect(db) as conn:
        users = dict(conn.execute("SELECT id, email FROM htx_user"))
        yield _stream(conn, project_id, updated_after), users


def read_tasks(db: Path, project_id: int, updated_after: str | None = None) -> tuple[list[dict], dict]:
    """Read tasks (with annotations and predictions) shaped like the API's, and the user id → e-mail map."""
    with stream_tasks(db, project_id, updated_after) as (tasks, users):
        return list(tasks), users
