"""The PostgreSQL dialect of :mod:`._db`, for servers started with ``start(database="postgresql://...")``.

The URL is the one remembered in the data dir (``ls_notebook.database.json``, mode 0600). Reads use
``psycopg`` (installed with Label Studio) in a ``READ ONLY``, ``REPEATABLE READ`` transaction (one
snapshot for the three queries of a pull) with server-side cursors, so rows stream in chunks. The URL
is never shown: messages and reprs name only the dialect.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ls_notebook.project._db import Database, Dialect
from ls_notebook.server._database import resolve
from ls_notebook.tasks import KEY_FIELD

__all__ = ["POSTGRES", "database"]


@contextmanager
def _connect(url: str) -> Iterator[Any]:
    import psycopg

    conn = psycopg.connect(url, connect_timeout=10, autocommit=False)
    try:
        conn.read_only = True
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        yield conn
    finally:
        conn.close()  # closing ends the read-only transaction (nothing to keep)


def _columns(conn: Any, table: str) -> set[str]:
    rows = conn.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND table_name = %s",
        (table,),
    )
    return {row[0] for row in rows}


def _errors() -> tuple[type[BaseException], ...]:
    try:
        import psycopg
    except ImportError:  # pragma: no cover - installed with label-studio
        return (OSError,)
    return (psycopg.Error, OSError)


POSTGRES = Dialect(
    name="postgresql",
    connect=_connect,
    columns=_columns,
    cursor=lambda conn, name: conn.cursor(name=name),  # server-side: fetched in chunks
    param="%s",
    json="{}::text",  # parsed by the caller, a chunk at a time
    stamp="to_char({0} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')",
    key=f"meta->>'{KEY_FIELD}'",
    floor=lambda ts: ts,  # a timezone-aware datetime: psycopg sends a timestamptz
    errors=_errors(),
)


def database(data_dir: Path) -> Database | None:
    """The PostgreSQL database the server of ``data_dir`` was started with, if any."""
    url = resolve(data_dir, None)
    if not url or not url.startswith(("postgresql://", "postgres://")):
        return None
    try:
        import psycopg  # noqa: F401
    except ImportError:  # pragma: no cover - installed with label-studio
        return None
    return Database(POSTGRES, url)
