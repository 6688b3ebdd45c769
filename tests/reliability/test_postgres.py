"""``start(database="postgresql://...")`` against a real PostgreSQL: round trip, kill mid-push, HTTP 500."""

from __future__ import annotations

import json
import stat

import pandas as pd
import pytest

import ls_notebook as lsn
from ls_notebook import configs
from ls_notebook.errors import LabelStudioError
from tests._support import unique_title
from tests.reliability._faults import check_interrupted, frame, kill_mid_push
from tests.reliability._postgres import PostgresServer

pytestmark = [pytest.mark.server, pytest.mark.slow]

DB = "labelstudio"


def rows(pg: PostgresServer, project_id: int) -> list[tuple[str, dict]]:
    out = pg.psql(
        DB,
        f"SELECT json_build_array(meta->>'ls_notebook_key', data) FROM task WHERE project_id = {project_id}",
    )
    return [tuple(json.loads(line)) for line in out.splitlines() if line]  # type: ignore[misc]


def test_round_trip_on_postgres(pg_server: lsn.Server, postgres: PostgresServer) -> None:
    data_dir = pg_server.data_dir
    assert data_dir is not None
    assert not (data_dir / "label_studio.sqlite3").exists()  # everything is in PostgreSQL
    assert stat.S_IMODE((data_dir / "ls_notebook.database.json").stat().st_mode) == 0o600
    assert pg_server.connection.info.database.startswith("postgresql://127.0.0.1:")  # type: ignore[union-attr]
    project = pg_server.project(unique_title("pg"), configs.text_classification(["pos", "neg"]))
    df = pd.DataFrame({"text": ["Zoë ☕", "<b>bold</b>", "plain"], "k": ["a", "b", "c"]})
    pushed = project.push(df, key="k", predictions=["pos", None, "neg"], model_version="m1", progress=False)
    assert (pushed.created, project.push(df, key="k", progress=False).skipped) == (3, 3)
    result = [{"from_name": "label", "to_name": "text", "type": "choices", "value": {"choices": ["neg"]}}]
    pg_server.client.annotations.create(id=int(pushed.task_ids.iloc[0]), result=result, lead_time=2.0)
    pulled = project.pull(progress=False)
    assert pulled[["key", "label"]].values.tolist() == [["a", "neg"]]
    assert pulled["data.text"].tolist() == ["Zoë ☕"]
    with_preds = project.pull(include_predictions=True, include_unannotated=True, progress=False)
    assert set(with_preds["key"]) == {"a", "b", "c"}
    assert sorted(k for k, _ in rows(postgres, project.id)) == ["a", "b", "c"]
    count = postgres.psql(DB, f"SELECT count(*) FROM task_completion WHERE project_id = {project.id}")
    assert count == "1"


def test_sigkill_mid_push_on_postgres(pg_server: lsn.Server, postgres: PostgresServer) -> None:
    n = 4000
    project = pg_server.project(unique_title("pg kill"), configs.text_classification(["pos", "neg"]))
    df = frame(n)

    def count() -> int:
        return int(postgres.psql(DB, f"SELECT count(*) FROM task WHERE project_id = {project.id}"))

    old_pid = pg_server.pid
    # the restart inside is ls_notebook.start(data_dir=...) without database=: the data dir remembers it
    out = kill_mid_push(pg_server, project, df, count, kill_at=1000, batch_size=250)
    check_interrupted(out.error, out.on_server_at_kill, n)
    assert pg_server.pid != old_pid and pg_server.running
    assert out.after_rerun.created + out.after_rerun.skipped == n
    stored = rows(postgres, project.id)
    assert len(stored) == n and project.task_count == n
    keys = [k for k, _ in stored]
    assert len(set(keys)) == n and set(keys) == set(df["k"])
    expected = {r.k: {"k": r.k, "text": r.text, "stars": r.stars} for r in df.itertuples()}
    assert all(data == expected[k] for k, data in stored)


def test_http_500_from_the_server(pg_server: lsn.Server, postgres: PostgresServer) -> None:
    """A real server-side failure (a table gone from under Label Studio) reads as one clear line."""
    project = pg_server.project(unique_title("pg 500"), configs.text_classification(["pos", "neg"]))
    before = postgres.psql(DB, "SELECT count(*) FROM task")
    postgres.psql(DB, "ALTER TABLE task RENAME TO task_away")
    try:
        with pytest.raises(LabelStudioError) as failed:
            project.push(pd.DataFrame({"text": ["x"]}), progress=False)
    finally:
        postgres.psql(DB, "ALTER TABLE task_away RENAME TO task")
    message = str(failed.value)
    assert "HTTP 500" in message and "\n" not in message.strip()
    assert "retry" in message.lower() or "again" in message.lower()
    assert postgres.psql(DB, "SELECT count(*) FROM task") == before
    assert project.push(pd.DataFrame({"text": ["x"]}), progress=False).created == 1  # and it recovers
