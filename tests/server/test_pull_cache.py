"""The incremental pull cache follows every kind of change and returns what the API path returns.

``source="cache"`` reads changes through the API, ``source="auto"`` (a local SQLite server) from the
database; both keep the table on the ``Project`` object and in delta files on disk.
"""

from __future__ import annotations

import json
import weakref

import pandas as pd
import pyarrow as pa
import pytest

from ls_notebook import configs
from ls_notebook._project import Project
from ls_notebook._server import Server
from ls_notebook.project import _cache
from tests._support import unique_title

pytestmark = pytest.mark.server

FLAGS = {"include_predictions": True, "include_unannotated": True, "progress": False}


def span(start: int, end: int, text: str, label: str) -> list[dict]:
    value = {"start": start, "end": end, "text": text, "labels": [label]}
    return [{"id": "r", "from_name": "label", "to_name": "text", "type": "labels", "value": value}]


def fresh(server: Server) -> Server:
    """Another Server object for the same server: a new connection, so nothing cached in memory."""
    token = json.loads((server.data_dir / "ls_notebook.json").read_text())["token"]
    return Server(server.url, token, info=server.connection.info)


class Paths:
    """One Project object per cache source, each with its own cache folder, counting full reads."""

    def __init__(self, project: Project, tmp_path, monkeypatch) -> None:
        self.project, self.fulls = project, 0
        full = _cache._full

        def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
            self.fulls += 1
            return full(*args, **kwargs)

        monkeypatch.setattr(_cache, "_full", counted)
        self.names: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # connection → source
        monkeypatch.setattr(_cache, "cache_dir", lambda p: tmp_path / self.names.get(p.conn, "default"))
        self.objects = {name: self.new(name) for name in ("cache", "auto")}

    def new(self, source: str) -> Project:
        obj = Project(fresh(self.project.server), self.project.id)  # a new connection: files only
        self.names[obj.server.connection] = source
        return obj

    def check(self, incremental: bool, direct: str = "sqlite", **flags: object) -> pa.Table:
        """Both sources (in memory, then reloaded from base + delta files) equal the API's table."""
        flags = {**FLAGS, **flags}
        api = self.project.pull_arrow(source="api", **flags)
        self.fulls = 0
        for source, obj in self.objects.items():
            assert obj.pull_arrow(source=source, **flags).equals(api), source
            assert self.new(source).pull_arrow(source=source, **flags).equals(api), source
        assert (self.fulls == 0) is incremental, self.fulls
        assert self.project.pull_arrow(source=direct, **flags).equals(api)
        return api


@pytest.fixture
def project(server):
    users = [server.create_user(f"cache{i}@example.org") for i in range(2)]
    project = server.project(unique_title("cache"), configs.ner(["PER", "ORG"]))
    df = pd.DataFrame({"text": [f"Ann {i} at ACME" for i in range(5)], "n": [1, None, 3, 4, 5]})
    res = project.push(df, predictions=[[(0, 3, "PER")]] * 5, model_version="m", progress=False)
    for user in users:
        for tid in res.task_ids.tolist()[:3]:
            server.client.annotations.create(
                id=int(tid), result=span(0, 3, "Ann", "PER"), completed_by=user.id, lead_time=1.5
            )
    project.test_users = users  # type: ignore[attr-defined]
    project.test_ids = [int(t) for t in res.task_ids]  # type: ignore[attr-defined]
    return project


def test_cache_follows_updates_deletions_and_new_tasks(server, project, tmp_path, monkeypatch):
    ids, users = project.test_ids, project.test_users
    paths = Paths(project, tmp_path, monkeypatch)
    paths.check(incremental=False)  # the first fill
    paths.check(incremental=True)  # nothing changed
    client = server.client
    # new, updated and deleted annotations, a skipped task, a deleted prediction, a new task
    client.annotations.create(id=ids[3], result=span(6, 8, "at", "ORG"), completed_by=users[0].id)
    first = client.annotations.list(id=ids[0])[0]
    client.annotations.update(id=first.id, result=span(9, 13, "ACME", "ORG"))
    client.annotations.delete(id=client.annotations.list(id=ids[1])[0].id)
    client.annotations.create(id=ids[4], result=[], was_cancelled=True, completed_by=users[1].id)
    client.predictions.delete(id=client.predictions.list(task=ids[2])[0].id)
    project.push(pd.DataFrame({"text": ["Bob at Initech"], "n": [7]}, index=[9]), progress=False)
    api = paths.check(incremental=True)
    assert "ACME" in api.column("text").to_pylist()
    # a deleted task, and a bulk deletion that does not stamp the tasks: the counts catch them
    client.tasks.delete(id=ids[4])
    paths.check(incremental=False)
    server.connection.request(
        "POST",
        "/api/dm/actions",
        "deleting predictions",
        params={"id": "delete_tasks_predictions", "project": project.id},
        json={"selectedItems": {"all": False, "included": [ids[0]]}},
    )
    assert ids[4] not in paths.check(incremental=False).column("task_id").to_pylist()
    # a data field added to one task (update=True), then gone again: the columns come from a full read
    extra = pd.DataFrame({"text": ["Ann 0 at ACME"], "extra": ["x"]}, index=[0])
    project.push(extra, update=True, progress=False)
    assert "extra" in paths.check(incremental=False).column_names
    project.push(extra[["text"]], update=True, progress=False)
    assert "extra" not in paths.check(incremental=False).column_names
    # a changed value of a known column is a delta again
    project.push(pd.DataFrame({"text": ["Ann 0 at ACME!"]}, index=[0]), update=True, progress=False)
    assert "Ann 0 at ACME!" in paths.check(incremental=True).column("data.text").to_pylist()
    # the shapes come from the same cached table
    cached = paths.objects["cache"].pull(source="cache", progress=False)
    assert cached.equals(project.pull(source="api", progress=False))


def test_repeated_pull_reads_little_and_compacts(server, project):
    ids, users = project.test_ids, project.test_users
    sent: list[str] = []
    client = server.connection.http
    hook = lambda req: sent.append(str(req.url.path))  # noqa: E731
    client.event_hooks["request"].append(hook)
    try:
        first = project.pull_arrow(source="cache", refresh=True, **FLAGS)
        sent.clear()
        again = project.pull_arrow(source="cache", **FLAGS)
        assert again.equals(first)
        assert sent == ["/api/projects/", "/api/tasks/"]  # counts, then the changed tasks (none)
        folder = _cache.cache_dir(project._ref)
        files = []
        for i in range(_cache.COMPACT_DELTAS + 1):
            server.client.annotations.create(
                id=ids[i % 5], result=span(0, 3, "Ann", "PER"), completed_by=users[0].id
            )
            sent.clear()
            table = project.pull_arrow(source="cache", **FLAGS)
            assert sent == ["/api/projects/", "/api/tasks/"]
            files.append(len(list(folder.glob(f"project-{project.id}.d*.parquet"))))
        # one small delta file per pull, merged into the base at the COMPACT_DELTAS-th
        assert files == [*range(1, _cache.COMPACT_DELTAS), 0, 1]
        assert table.equals(project.pull_arrow(source="api", **FLAGS))
    finally:
        client.event_hooks["request"].remove(hook)
    assert Project(fresh(server), project.id).pull_arrow(source="cache", **FLAGS).equals(table)


def test_database_read_in_small_chunks_equals_api(server, project, monkeypatch):
    """Rows fetched 2 at a time and flushed to Arrow 3 at a time: groups spanning chunks stay whole."""
    from ls_notebook.annotations import _flatten
    from ls_notebook.project import _db

    monkeypatch.setattr(_db, "CHUNK", 2)
    monkeypatch.setattr(_flatten, "CHUNK_ROWS", 3)
    api = project.pull_arrow(source="api", **FLAGS)
    direct = project.pull_arrow(source="db", **FLAGS)
    assert direct.column("task_id").num_chunks > 3  # several Arrow chunks were written
    assert direct.equals(api)
