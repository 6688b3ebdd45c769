"""Fixtures of the reliability suite: the shared Label Studio fixtures (``tests/conftest.py``), a real
PostgreSQL cluster and a Label Studio server on it, and helpers to kill and count.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

import ls_notebook as lsn
from tests.conftest import START_TIMEOUT, TEST_ROOT
from tests.reliability._postgres import PostgresServer, start_postgres


def sigkill(server: lsn.Server) -> None:
    """SIGKILL the whole process group of a local server (no cleanup, like a crash or the OOM killer)."""
    pid = server.pid
    assert pid is not None
    members = [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)
    psutil.wait_procs(members, timeout=30)


def sqlite_count(data_dir: Path, sql: str, *args: object) -> int:
    """Run a counting query on a local server's SQLite file, read-only."""
    conn = sqlite3.connect(f"file:{data_dir / 'label_studio.sqlite3'}?mode=ro", uri=True, timeout=30)
    try:
        return int(conn.execute(sql, args).fetchone()[0])
    finally:
        conn.close()


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL cluster from Debian's package in a temp dir on a free port, stopped afterwards."""
    pg = start_postgres()
    yield pg
    pg.stop()


@pytest.fixture(scope="session")
def pg_server(postgres: PostgresServer) -> Iterator[lsn.Server]:
    """A Label Studio server started by ``ls_notebook.start(database="postgresql://...")``."""
    url = postgres.createdb("labelstudio")
    srv = lsn.start(data_dir=TEST_ROOT / "pg-server", database=url, timeout=START_TIMEOUT)
    yield srv
    srv.stop()


def wait_for(predicate, timeout: float = 600, every: float = 0.02) -> bool:  # type: ignore[no-untyped-def]
    """Poll ``predicate`` until it is true (True) or ``timeout`` seconds pass (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every)
    return False
