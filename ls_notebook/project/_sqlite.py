"""The SQLite dialect of :mod:`._db`: a local server's ``label_studio.sqlite3``, opened read-only."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ls_notebook.project._db import Database, Dialect
from ls_notebook.server._files import SQLITE_FILE
from ls_notebook.tasks import KEY_FIELD

__all__ = ["SQLITE", "database"]


@contextmanager
def _connect(path: str) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    try:
        conn.execute("BEGIN")  # one snapshot for every query of the read
        yield conn
    finally:
        conn.close()


def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}


SQLITE = Dialect(
    name="sqlite",
    connect=_connect,
    columns=_columns,
    cursor=lambda conn, name: conn.cursor(),
    param="?",
    json="{}",
    # Django stores UTC as "YYYY-MM-DD HH:MM:SS[.ffffff]": the same text as the API's, with T and Z
    stamp="(replace({0}, ' ', 'T') || 'Z')",
    key=f"json_extract(meta, '$.\"{KEY_FIELD}\"')",
    floor=lambda ts: ts.strftime("%Y-%m-%d %H:%M:%S.%f"),  # compares as text with the stored form
    errors=(sqlite3.Error,),
)


def database(data_dir: Path) -> Database | None:
    """The SQLite database of the server of ``data_dir``, if it has one."""
    path = data_dir / SQLITE_FILE
    return Database(SQLITE, str(path)) if path.exists() else None
