"""SIGKILL of the server in the middle of a 10,000-task push: nothing lost, nothing duplicated."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

import ls_notebook as lsn
from ls_notebook import configs
from tests._support import sqlite_count, unique_title
from tests.reliability._faults import check_interrupted, frame, kill_mid_push

pytestmark = [pytest.mark.server, pytest.mark.slow]

N = 10_000


def tasks_in(data_dir: Path, project_id: int) -> list[tuple[str, dict]]:
    conn = sqlite3.connect(f"file:{data_dir / 'label_studio.sqlite3'}?mode=ro", uri=True, timeout=30)
    try:
        rows = conn.execute("SELECT meta, data FROM task WHERE project_id = ?", (project_id,)).fetchall()
    finally:
        conn.close()
    return [(json.loads(meta)["ls_notebook_key"], json.loads(data)) for meta, data in rows]


def test_sigkill_mid_push_then_rerun(fresh_data_dir: Path) -> None:
    server = lsn.start(data_dir=fresh_data_dir)
    try:
        project = server.project(unique_title("kill"), configs.text_classification(["pos", "neg"]))
        df = frame(N)

        def count() -> int:
            return sqlite_count(fresh_data_dir, "SELECT count(*) FROM task WHERE project_id = ?", project.id)

        old_pid = server.pid
        out = kill_mid_push(server, project, df, count, kill_at=3000, batch_size=500)
        confirmed = check_interrupted(out.error, out.on_server_at_kill, N)
        assert confirmed >= 2500 and out.on_server_at_kill < N
        # the same Server and Project objects followed the restarted process
        assert server.pid != old_pid and server.running
        assert out.after_rerun.created == N - out.on_server_at_kill
        assert out.after_rerun.skipped == out.on_server_at_kill
        assert out.after_rerun.task_ids.notna().all() and out.after_rerun.task_ids.is_unique
        stored = tasks_in(fresh_data_dir, project.id)
        assert len(stored) == N and project.task_count == N
        keys = [k for k, _ in stored]
        assert len(set(keys)) == N and set(keys) == set(df["k"])
        expected = {r.k: {"k": r.k, "text": r.text, "stars": r.stars} for r in df.itertuples()}
        assert all(data == expected[k] for k, data in stored)
        # pull agrees: every key once
        pulled = project.pull(include_unannotated=True, progress=False)
        assert pulled["key"].is_unique and len(pulled) == N
    finally:
        server.stop()
