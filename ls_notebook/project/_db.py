"""Direct, read-only reads of a local server's own database: SQLite or PostgreSQL (fast pull and keys).

Only for servers started by :func:`ls_notebook.start` (their database is known from the data dir),
and only for Label Studio releases whose internal tables were checked (:data:`KNOWN_RELEASES`); the
tables and columns read are verified once per database (:data:`COLUMNS`; again after a failed
read). Anything else gives None and callers use the API (a failed read falls back to it too).
Every read happens inside one read-only transaction (a consistent snapshot while the server keeps
writing): SQLite is opened with ``mode=ro``, PostgreSQL with a ``READ ONLY``,
``REPEATABLE READ`` transaction. The dialects (:mod:`._sqlite`, :mod:`._postgres`) only connect and
spell a few expressions; the queries and the shaping of rows into API-like task dicts live here.

Rows are fetched :data:`CHUNK` at a time and the JSON columns of a chunk are parsed with one
``json.loads`` of the chunk joined as one JSON array, so memory stays proportional to a chunk.
"""

from __future__ import annotations

import itertools
import json
import operator
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ls_notebook.client import Connection

__all__ = [
    "COLUMNS",
    "KNOWN_RELEASES",
    "Database",
    "Dialect",
    "Snapshot",
    "counts",
    "database_of",
    "forget",
    "keys",
    "local_database",
    "read_tasks",
    "snapshot",
    "stream_tasks",
    "user_token",
    "users",
]

KNOWN_RELEASES = ("1.23.",)
CHUNK = 1000  # rows fetched and JSON-parsed at a time
COLUMNS = {
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
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Dialect:
    """How one database engine is opened and how a few expressions are spelled in its SQL."""

    name: str
    connect: Callable[[str], AbstractContextManager[Any]]  # target → connection in a read-only snapshot
    columns: Callable[[Any, str], set[str]]  # (connection, table) → its column names
    cursor: Callable[[Any, str], Any]  # (connection, name) → a cursor that streams (fetchmany)
    param: str  # placeholder: "?" or "%s"
    json: str  # JSON column as text, e.g. "{}" or "{}::text"
    stamp: str  # timestamp column as ISO 8601 text in UTC ending in "Z"
    key: str  # the push key from task.meta, as text
    floor: Callable[[datetime], Any]  # a UTC datetime as a parameter comparable to updated_at
    errors: tuple[type[BaseException], ...]


@dataclass(frozen=True)
class Database:
    """A local server's database: its dialect and target (file path, or URL that may hold a password)."""

    dialect: Dialect
    target: str

    def __repr__(self) -> str:  # never the URL: it may hold a password
        return f"Database({self.dialect.name})"

    def connect(self) -> AbstractContextManager[Any]:
        return self.dialect.connect(self.target)

    def sql(self, text: str) -> str:
        """``text`` with ``?`` placeholders in this dialect's style."""
        return text.replace("?", self.dialect.param)


def _schema_ok(db: Database) -> bool:
    try:
        with db.connect() as conn:
            return all(needed <= db.dialect.columns(conn, table) for table, needed in COLUMNS.items())
    except db.dialect.errors:
        return False


_checked: set[tuple[str, str]] = set()  # databases whose schema passed (a failure is checked again)


def local_database(data_dir: Path) -> Database | None:
    """The database of the server of ``data_dir`` (its SQLite file or PostgreSQL URL), unchecked."""
    from ls_notebook.project import _sqlite

    db = _sqlite.database(Path(data_dir))
    if db is None:  # imported only here: it loads psycopg (~0.3 s), which SQLite servers never need
        from ls_notebook.project import _postgres

        db = _postgres.database(Path(data_dir))
    return db


def database_of(server: Connection) -> Database | None:
    """The database of a local server whose schema this module knows, else None (use the API)."""
    data_dir = getattr(server, "data_dir", None)
    if data_dir is None or not str(server.version).startswith(KNOWN_RELEASES):
        return None
    db = local_database(Path(data_dir))
    if db is None:
        return None
    key = (db.dialect.name, db.target)
    if key not in _checked and _schema_ok(db):
        _checked.add(key)
    return db if key in _checked else None


def user_token(server: Connection, user_id: int) -> str | None:
    """A user's legacy API token from a local server's own database (read-only); None elsewhere."""
    data_dir = getattr(server, "data_dir", None)
    db = local_database(Path(data_dir)) if data_dir is not None else None
    if db is None:
        return None
    try:
        with db.connect() as conn:
            query = db.sql("SELECT key FROM authtoken_token WHERE user_id = ?")
            row = conn.execute(query, (int(user_id),)).fetchone()
    except db.dialect.errors as exc:
        from ls_notebook.errors import LabelStudioError

        raise LabelStudioError(
            f"Could not read the API key of user {user_id} from the server's {db.dialect.name} database "
            f"({type(exc).__name__}); check that the database is reachable."
        ) from None
    return str(row[0]) if row else None


def forget(db: Database) -> None:
    """Check ``db``'s schema again before the next read (after a read failed)."""
    _checked.discard((db.dialect.name, db.target))


class Snapshot:
    """One read-only transaction: counts, users, keys and tasks read from the same state."""

    def __init__(self, db: Database, conn: Any) -> None:
        self.db, self.conn = db, conn

    def _one(self, query: str, *args: Any) -> Any:
        return self.conn.execute(self.db.sql(query), args).fetchone()[0]

    def counts(self, project_id: int) -> tuple[int, int, int]:
        """The project's task, annotation (skipped ones included) and prediction counts."""
        found = [
            int(self._one(f"SELECT count(*) FROM {table} WHERE project_id = ?", project_id))
            for table in ("task", "task_completion", "prediction")
        ]
        return found[0], found[1], found[2]

    def users(self) -> dict[int, str]:
        """User id → e-mail of the server's users."""
        return {int(k): v or "" for k, v in self.conn.execute("SELECT id, email FROM htx_user")}

    def keys(self, project_id: int) -> dict[str, int]:
        """Push key → task id for the tasks of a project."""
        query = f"SELECT id, {self.db.dialect.key} FROM task WHERE project_id = ? ORDER BY id"
        rows = self.conn.execute(self.db.sql(query), (project_id,))
        return {str(key): int(task_id) for task_id, key in rows if key is not None}

    def tasks(self, project_id: int, updated_after: int | None = None) -> Iterator[dict]:
        """Tasks in id order (shaped like the API's), read as they are consumed.

        ``updated_after`` (µs since the epoch) keeps the tasks updated after it.
        """
        return _stream(self.db, self.conn, project_id, updated_after)


@contextmanager
def snapshot(db: Database) -> Iterator[Snapshot]:
    """Open one read-only transaction on ``db``."""
    with db.connect() as conn:
        yield Snapshot(db, conn)


def keys(db: Database, project_id: int) -> dict[str, int]:
    """Push key → task id for the tasks of a project."""
    with snapshot(db) as snap:
        return snap.keys(project_id)


def counts(db: Database, project_id: int) -> tuple[int, int, int]:
    """The project's task, annotation (skipped ones included) and prediction counts, in one snapshot."""
    with snapshot(db) as snap:
        return snap.counts(project_id)


def users(db: Database) -> dict[int, str]:
    """User id → e-mail of the server's users."""
    with snapshot(db) as snap:
        return snap.users()


def _parsed(values: Sequence[str | None]) -> list[Any]:
    """JSON texts → values, with one ``json.loads`` (empty or NULL → None)."""
    return json.loads("[" + ",".join(v or "null" for v in values) + "]")


def _rows(cursor: Any, json_columns: Sequence[int]) -> Iterator[tuple[Any, ...]]:
    """The cursor's rows, fetched :data:`CHUNK` at a time, JSON columns parsed per chunk."""
    while True:
        rows = cursor.fetchmany(CHUNK)
        if not rows:
            return
        columns = list(zip(*rows, strict=True))
        for i in json_columns:
            columns[i] = _parsed(columns[i])
        yield from zip(*columns, strict=True)


def _groups(rows: Iterator[tuple]) -> Iterator[tuple[int, list[tuple]]]:
    """Consecutive rows with the same task id (second column) as ``(task_id, rows)``."""
    for task_id, group in itertools.groupby(rows, key=operator.itemgetter(1)):
        yield task_id, list(group)


def _annotation(row: tuple) -> dict[str, Any]:
    return {
        "id": row[0],
        "completed_by": row[2],
        "created_at": row[3],
        "updated_at": row[4],
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
        "created_at": row[5],
        "updated_at": row[6],
    }


def _stream(db: Database, conn: Any, project_id: int, updated_after: int | None) -> Iterator[dict]:
    """Tasks in id order, each with its annotations and predictions (three cursors merged by task id)."""
    d = db.dialect
    where, args = "project_id = ?", [project_id]
    if updated_after is not None:
        where += " AND updated_at > ?"
        args.append(d.floor(_EPOCH + timedelta(microseconds=updated_after)))
    task_where = (
        "project_id = ?" if updated_after is None else f"task_id IN (SELECT id FROM task WHERE {where})"
    )
    j, s = d.json.format, d.stamp.format
    queries = {
        "tasks": (
            f"SELECT id, {j('data')}, {j('meta')}, {s('updated_at')} FROM task WHERE {where} ORDER BY id"
        ),
        "annotations": (
            f"SELECT id, task_id, completed_by_id, {s('created_at')}, {s('updated_at')}, lead_time, "
            f"was_cancelled, ground_truth, {j('result')} FROM task_completion WHERE {task_where} "
            "ORDER BY task_id, id"
        ),
        "predictions": (
            f"SELECT id, task_id, model_version, {j('result')}, score, {s('created_at')}, "
            f"{s('updated_at')} FROM prediction WHERE {task_where} ORDER BY task_id, id"
        ),
    }
    cursors = {}
    for name, query in queries.items():
        cursors[name] = d.cursor(conn, f"lsn_{name}")
        cursors[name].execute(db.sql(query), args)
    tasks = _rows(cursors["tasks"], (1, 2))
    annotations = _groups(_rows(cursors["annotations"], (8,)))
    predictions = _groups(_rows(cursors["predictions"], (3,)))
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
            "data": data or {},
            "meta": meta or {},
            "updated_at": updated,
            "annotations": task_anns,
            "predictions": task_preds,
        }


@contextmanager
def stream_tasks(
    db: Database, project_id: int, updated_after: int | None = None
) -> Iterator[tuple[Iterator[dict], dict[int, str]]]:
    """Open one read-only snapshot; give an iterator of tasks (id order, shaped like the API's) and users.

    ``updated_after`` (µs since the epoch) keeps the tasks updated after it. The iterator reads the
    database as it goes (memory proportional to a chunk of rows), so consume it inside the ``with``.
    """
    with snapshot(db) as snap:
        yield snap.tasks(project_id, updated_after), snap.users()


def read_tasks(db: Database, project_id: int) -> tuple[list[dict], dict[int, str]]:
    """Read tasks (with annotations and predictions) shaped like the API's, and the user id → e-mail map."""
    with stream_tasks(db, project_id) as (tasks, user_map):
        return list(tasks), user_map
