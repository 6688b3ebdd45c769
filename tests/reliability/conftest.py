"""Fixtures of the reliability suite (the shared ones come from ``tests/_fixtures.py``): a real
PostgreSQL cluster and a Label Studio server on it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import ls_notebook as lsn
from tests._fixtures import TEST_ROOT
from tests._support import START_TIMEOUT
from tests.reliability._postgres import PostgresServer, start_postgres


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
