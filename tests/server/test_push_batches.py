"""Push batches are capped by bytes as well as by task count: big cells never make one giant body."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys

import pandas as pd
import pytest

import ls_notebook as lsn
from ls_notebook import configs
from ls_notebook.project import _push
from tests._support import unique_title

pytestmark = pytest.mark.server

MB = 1024 * 1024


@pytest.fixture
def imports(server):
    """Sizes of the bodies of the import requests sent while the test runs."""
    sizes: list[int] = []

    def hook(req):  # type: ignore[no-untyped-def]
        if req.method == "POST" and req.url.path.endswith("/import"):
            sizes.append(len(req.content))

    client = server.connection.http
    client.event_hooks["request"].append(hook)
    yield sizes
    client.event_hooks["request"].remove(hook)


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def check_pushed(project, df: pd.DataFrame) -> None:
    """Every row is on the server exactly once, with its exact text."""
    out = project.pull(include_unannotated=True, progress=False)
    assert sorted(out["key"]) == sorted(df["k"])  # nothing lost, nothing duplicated
    got = {k: digest(t) for k, t in zip(out["key"], out["data.text"], strict=True)}
    assert got == {k: digest(t) for k, t in zip(df["k"], df["text"], strict=True)}


def test_big_cells_split_by_bytes(server, imports):
    project = server.project(unique_title("big cells"), configs.text_classification(["a", "b"]))
    sizes_mb = [3, 3, 4.5, 3, 2]  # about MB of JSON per row (a task may hold up to 5 MB)
    texts = [f"row {i} ✓ " + "wörd " * int(n * MB / 6) for i, n in enumerate(sizes_mb)]
    df = pd.DataFrame({"text": texts, "k": [f"r{i}" for i in range(len(texts))]})
    res = project.push(df, key="k", progress=False)
    assert res.created == 5
    assert len(imports) == 3, imports  # [3 + 3] [4.5 + 3] [2] MB with the 8 MB cap
    assert max(imports) <= _push.MAX_BATCH_BYTES and sum(imports) > 15 * MB
    check_pushed(project, df)
    imports.clear()
    assert project.push(df, key="k", progress=False).skipped == 5 and imports == []


def test_many_small_requests_under_a_small_cap(server, imports, monkeypatch):
    monkeypatch.setattr(_push, "MAX_BATCH_BYTES", 2000)
    project = server.project(unique_title("small cap"), configs.text_classification(["a", "b"]))
    df = pd.DataFrame(
        {"text": [f"text {i} " + "x" * (i * 7) for i in range(60)], "k": [f"k{i}" for i in range(60)]}
    )
    res = project.push(df, key="k", batch_size=1000, progress=False)
    assert res.created == 60 and res.task_ids.notna().all() and res.task_ids.is_unique
    assert len(imports) > 5 and max(imports) <= 2000
    check_pushed(project, df)


PROBE = """
import sys
import pandas as pd
import ls_notebook as lsn

server = lsn.start(data_dir=sys.argv[1])  # the running test server, reused
project = server.project(sys.argv[2], lsn.configs.text_classification(["a", "b"]))
print(project.push(pd.DataFrame({"text": ["x", "y"]}), progress=False).created, "psycopg" in sys.modules)
"""


def test_push_to_a_sqlite_server_does_not_load_psycopg(server) -> None:
    """The PostgreSQL driver (~0.3 s to import) is loaded only for servers that use PostgreSQL."""
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(server.data_dir), unique_title("no psycopg")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.split()[-2:] == ["2", "False"], out.stdout + out.stderr


def test_keys_through_the_api_of_an_attached_server(server) -> None:
    """An attached server has no database to read: keys come from task pages (more than one here)."""
    from ls_notebook.project import _keys

    creds = json.loads((server.data_dir / "ls_notebook.json").read_text())
    remote = lsn.attach(server.url, api_key=creds["token"])
    assert remote.data_dir is None
    title = unique_title("attached keys")
    project = remote.project(title, configs.text_classification(["a", "b"]))
    n = _keys.PAGE + 50
    df = pd.DataFrame({"text": [f"t{i}" for i in range(n)], "k": [f"k{i}" for i in range(n)]})
    first = project.push(df, key="k", progress=False)
    assert first.created == n
    again = project.push(df, key="k", progress=False)
    assert (again.created, again.skipped) == (0, n)
    assert again.task_ids.equals(first.task_ids)  # ids read back from the pages, per key
    grown = pd.concat([df, pd.DataFrame({"text": ["new"], "k": ["k-new"]})], ignore_index=True)
    assert project.push(grown, key="k", progress=False).created == 1
    local = server.project(title)  # the same project read from the server's database: same keys
    assert _keys.existing_keys(local._ref) == _keys.existing_keys(project._ref)
