"""Direct, read-only pulls from the PostgreSQL database of a server started with ``database=``.

The same tables as the API path, from a full read (``source="postgresql"``) and from the incremental
cache fed by the database (``source="auto"``); a failed read falls back to the API.
"""

from __future__ import annotations

import json

import pandas as pd
import psycopg
import pytest

import ls_notebook as lsn
from ls_notebook import configs
from ls_notebook.project import _db
from ls_notebook.project._postgres import POSTGRES
from ls_notebook.server._net import free_port
from tests._support import unique_title
from tests.reliability._postgres import PostgresServer
from tests.server.test_pull_cache import FLAGS, Paths, span

pytestmark = [pytest.mark.server, pytest.mark.slow]

DB = "labelstudio"


@pytest.fixture
def pg_project(pg_server: lsn.Server):
    users = [pg_server.create_user(f"pg-pull{i}@example.org") for i in range(2)]
    project = pg_server.project(unique_title("pg pull"), configs.ner(["PER", "ORG"]))
    df = pd.DataFrame(
        {
            "text": ["Ann at ACME ☕", "Zoë in 東京", "nobody here"],
            "score": [0.5, None, 1.25],
            "when": pd.to_datetime(["2024-03-01 12:00:00.25", None, "2024-03-02 00:00:00.50"], utc=True),
        }
    )
    res = project.push(df, predictions=[[(0, 3, "PER")], None, None], model_version="m", progress=False)
    ids = [int(t) for t in res.task_ids]
    for user in users:
        pg_server.client.annotations.create(
            id=ids[0], result=span(0, 3, "Ann", "PER"), completed_by=user.id, lead_time=2.5
        )
    pg_server.client.annotations.create(id=ids[1], result=[], was_cancelled=True, completed_by=users[1].id)
    project.test_users, project.test_ids = users, ids  # type: ignore[attr-defined]
    return project


def test_postgres_reads_equal_api(pg_server: lsn.Server, pg_project, tmp_path, monkeypatch) -> None:
    db = _db.database_of(pg_server)
    assert db is not None and db.dialect.name == "postgresql"
    assert "@" not in repr(db) and "postgresql://" not in repr(db)  # the URL may hold a password
    api = pg_project.pull_arrow(source="api", **FLAGS)
    assert api.num_rows == 5 and set(api.column("source").to_pylist()) == {"annotation", "prediction", None}
    assert pg_project.pull_arrow(source="postgresql", **FLAGS).equals(api)
    assert pg_project.pull(source="db", progress=False).equals(pg_project.pull(source="api", progress=False))
    with pytest.raises(lsn.LabelStudioError, match="source='sqlite' needs a local SQLite server"):
        pg_project.pull_arrow(source="sqlite")
    # the incremental cache fed by the database follows new, updated and deleted annotations
    paths = Paths(pg_project, tmp_path, monkeypatch)
    paths.check(incremental=False, direct="postgresql")
    ids, users = pg_project.test_ids, pg_project.test_users
    client = pg_server.client
    client.annotations.create(id=ids[2], result=span(0, 6, "nobody", "ORG"), completed_by=users[0].id)
    first = client.annotations.list(id=ids[0])[0]
    client.annotations.update(id=first.id, result=span(7, 11, "ACME", "ORG"))
    client.annotations.delete(id=client.annotations.list(id=ids[0])[1].id)
    assert "ACME" in paths.check(incremental=True, direct="postgresql").column("text").to_pylist()
    # push keys come from the database too: a re-push creates nothing
    again = pg_project.push(pd.DataFrame({"text": ["Ann at ACME ☕"]}), progress=False)
    assert (again.created, again.skipped) == (0, 1)


def test_postgres_read_is_read_only_and_guarded(pg_server: lsn.Server, postgres: PostgresServer) -> None:
    db = _db.database_of(pg_server)
    assert db is not None
    with db.connect() as conn, pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
        conn.execute("CREATE TABLE lsn_should_not_exist (i int)")
    assert postgres.psql(DB, "SELECT to_regclass('lsn_should_not_exist') IS NULL") == "t"
    # a database without Label Studio's tables fails the schema check (callers use the API)
    empty = _db.Database(POSTGRES, postgres.createdb("lsn_empty"))
    assert not _db._schema_ok(empty)


def test_unreachable_database_falls_back_to_api(pg_server: lsn.Server, monkeypatch) -> None:
    """The database gone (here: the data dir's URL pointing at a closed port) → the API answers."""
    project = pg_server.project(unique_title("pg fallback"), configs.text_classification(["pos", "neg"]))
    project.push(pd.DataFrame({"text": ["a", "b"]}), progress=False)
    expected = project.pull_arrow(source="api", **FLAGS)
    assert pg_server.data_dir is not None
    record = pg_server.data_dir / "ls_notebook.database.json"
    saved = record.read_text()
    dead = f"postgresql://ls:secret@127.0.0.1:{free_port()}/labelstudio"
    try:
        record.write_text(json.dumps({"database": dead}))
        assert _db.database_of(pg_server) is None  # the check cannot connect: no direct read
        assert project.pull_arrow(**FLAGS).equals(expected)
        # gone after a successful check: the read fails, "auto" falls back, "db" says so
        monkeypatch.setattr(_db, "_checked", {("postgresql", dead)})
        assert project.pull_arrow(**FLAGS).equals(expected)
        assert ("postgresql", dead) not in _db._checked  # checked again next time
        monkeypatch.setattr(_db, "_checked", {("postgresql", dead)})
        with pytest.raises(lsn.LabelStudioError, match="postgresql database directly failed") as failed:
            project.pull_arrow(source="db", **FLAGS)
        assert "secret" not in str(failed.value) and "\n" not in str(failed.value)
        again = project.push(pd.DataFrame({"text": ["a", "c"]}, index=[0, 7]), progress=False)
        assert (again.created, again.skipped) == (1, 1)  # the keys came from the API
    finally:
        record.write_text(saved)
    assert _db.database_of(pg_server) is not None
