"""Bad input across the public API and the magics: one specific line naming the problem and the fix,
and the server left exactly as it was (projects, tasks, annotations, predictions, users counted).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import numpy as np
import pandas as pd
import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

import ls_notebook as lsn
from ls_notebook import _server, configs
from ls_notebook.errors import LabelStudioError
from ls_notebook.server._net import free_port
from tests._fixtures import TEST_ROOT
from tests._support import sqlite_count, unique_title

pytestmark = pytest.mark.server

TC = configs.text_classification(["pos", "neg"])
TABLES = ("project", "task", "task_completion", "prediction", "htx_user", "authtoken_token")


@dataclass
class Ctx:
    server: lsn.Server
    text: lsn.Project
    ner: lsn.Project
    boxes: lsn.Project
    twin_title: str
    revoked_key: str
    shell: InteractiveShell
    scratch: Path


def state(server: lsn.Server) -> dict[str, int]:
    assert server.data_dir is not None
    return {t: sqlite_count(server.data_dir, f"SELECT count(*) FROM {t}") for t in TABLES}


@contextlib.contextmanager
def mounted_tmpfs(folder: Path, options: str) -> Iterator[Path]:
    """A tmpfs at ``folder`` (root only): a read-only or a nearly full disk for the data dir."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], check=True)
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def deep(levels: int) -> dict:
    out: dict = {}
    node = out
    for _ in range(levels):
        node["a"] = {}
        node = node["a"]
    return out


def span_pred(label: str) -> list:
    return [{"from_name": "nope", "to_name": "text", "type": "choices", "value": {"choices": [label]}}]


def magic(ctx: Ctx, line: str, cell: str | None = None) -> object:
    _server.set_current(ctx.server)
    if cell is None:
        return ctx.shell.run_line_magic("labelstudio", line)
    return ctx.shell.run_cell_magic("labelstudio", line, cell)


def _start_on_busy_port(ctx: Ctx) -> object:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        return lsn.start(port=sock.getsockname()[1], data_dir=ctx.scratch / "busy")


def _start_read_only(ctx: Ctx) -> object:
    if os.geteuid() != 0:
        folder = ctx.scratch / "ro"
        folder.mkdir()
        folder.chmod(0o500)
        return lsn.start(data_dir=folder / "data")
    with mounted_tmpfs(ctx.scratch / "ro", "ro,size=1m") as folder:
        return lsn.start(data_dir=folder / "data")


def _start_disk_full(ctx: Ctx) -> object:
    if os.geteuid() != 0:
        pytest.skip("simulating a full disk needs a tmpfs mount (root)")
    with mounted_tmpfs(ctx.scratch / "full", "size=8m") as folder:
        return lsn.start(data_dir=folder / "data")


# name -> (call, expected exception type, words the message must contain: the problem, then the fix)
CASES: dict[str, tuple[Callable[[Ctx], object], type[Exception], tuple[str, ...]]] = {
    # DataFrame → tasks
    "empty DataFrame": (lambda c: c.text.push(pd.DataFrame()), lsn.DataError, ("no columns", "columns the")),
    "non-string column names": (
        lambda c: c.text.push(pd.DataFrame({0: ["a"], "text": ["x"]})),
        lsn.DataError,
        ("must be text", "df.columns"),
    ),
    "duplicate column names": (
        lambda c: c.text.push(pd.DataFrame([["a", "b"]], columns=["text", "text"])),
        lsn.DataError,
        ("Duplicate column names", "Rename or drop"),
    ),
    "missing column": (
        lambda c: c.text.push(pd.DataFrame({"body": ["a"]})),
        lsn.DataError,
        ("'text' is missing", "Rename a column"),
    ),
    "key column with nulls": (
        lambda c: c.text.push(pd.DataFrame({"text": ["a", "b"], "k": ["x", None]}), key="k"),
        lsn.DataError,
        ("missing values", "Fill them or drop"),
    ),
    "key not a column": (
        lambda c: c.text.push(pd.DataFrame({"text": ["a"]}), key="id"),
        lsn.DataError,
        ("not a column", "pass an existing column"),
    ),
    "duplicate keys": (
        lambda c: c.text.push(pd.DataFrame({"text": ["a", "b"], "k": [1, 1]}), key="k"),
        lsn.DataError,
        ("Duplicate keys", "drop duplicates"),
    ),
    "NaN in a required text column": (
        lambda c: c.text.push(pd.DataFrame({"text": ["a", np.nan]})),
        lsn.DataError,
        ("missing values at rows [1]", "dropna"),
    ),
    "10 MB text cell": (
        lambda c: c.text.push(pd.DataFrame({"text": ["x" * 10_000_000]})),
        lsn.DataError,
        ("MB of task data", "store large text"),
    ),
    "invalid UTF-8 bytes": (
        lambda c: c.text.push(pd.DataFrame({"text": [b"caf\xe9 \xff"]})),
        lsn.DataError,
        ("bytes", "decode"),
    ),
    "undecodable text (lone surrogates)": (
        lambda c: c.text.push(
            pd.DataFrame({"text": pd.Series([b"caf\xe9".decode("utf-8", "surrogateescape")], dtype=object)})
        ),
        lsn.DataError,
        ("not valid UTF-8", "Clean it"),
    ),
    "nested deeper than JSON allows": (
        lambda c: c.text.push(pd.DataFrame({"text": ["a"], "meta": [deep(5000)]})),
        lsn.DataError,
        ("nested deeper", "Flatten it"),
    ),
    "infinite number": (
        lambda c: c.text.push(pd.DataFrame({"text": ["a"], "score": [np.inf]})),
        lsn.DataError,
        ("cannot be stored", "Convert the column"),
    ),
    "not a DataFrame": (
        lambda c: c.text.push([{"text": "a"}]),
        lsn.DataError,
        ("pandas or polars DataFrame", "got builtins.list"),
    ),
    "batch_size=0": (
        lambda c: c.text.push(pd.DataFrame({"text": ["a"]}), batch_size=0),
        lsn.DataError,
        ("batch_size=0", "at least 1"),
    ),
    # predictions
    "prediction for a missing control tag": (
        lambda c: c.text.push(pd.DataFrame({"text": ["a"]}), predictions=[span_pred("pos")]),
        lsn.ConfigError,
        ("'nope' not found", "control tags ['label']"),
    ),
    "label not in config": (
        lambda c: c.text.push(pd.DataFrame({"text": ["a"]}), predictions=["maybe"]),
        lsn.ConfigError,
        ("valid labels: ['pos', 'neg']", "Fix the prediction"),
    ),
    "box outside 0-100 %": (
        lambda c: c.boxes.push(pd.DataFrame({"image": ["/x.png"]}), predictions=[[(150, 10, 20, 20, "car")]]),
        lsn.ConfigError,
        ("out of bounds [0, 100]", "Fix the prediction"),
    ),
    "negative span offsets": (
        lambda c: c.ner.push(pd.DataFrame({"text": ["Ann here"]}), predictions=[[(-1, 3, "PER")]]),
        lsn.ConfigError,
        ("outside the text", "character offsets"),
    ),
    "predictions of the wrong length": (
        lambda c: c.text.push(pd.DataFrame({"text": ["a"]}), predictions=["pos", "neg"]),
        lsn.DataError,
        ("2 items for 1 rows", "one per row"),
    ),
    "predictions column missing": (
        lambda c: c.text.push(pd.DataFrame({"text": ["a"]}), predictions="pred"),
        lsn.DataError,
        ("not a column", "pass a column name"),
    ),
    # projects and configs
    "config XML that is not XML": (
        lambda c: c.server.project(unique_title("bad xml"), "<View><Text name='t' value='$text'"),
        lsn.ConfigError,
        ("Invalid label config", "Fix the XML"),
    ),
    "config without an object tag": (
        lambda c: c.server.project(unique_title("no object"), "<View></View>"),
        lsn.ConfigError,
        ("no object tag", "add one"),
    ),
    "title matching two projects": (
        lambda c: c.server.project(c.twin_title),
        lsn.ProjectError,
        ("2 projects are titled", "server.project(id=...)"),
    ),
    "title longer than Label Studio allows": (
        lambda c: c.server.project("t" * 60, TC),
        lsn.ProjectError,
        ("has 60 characters", "shorten it"),
    ),
    "title too short": (lambda c: c.server.project("ab", TC), lsn.ProjectError, ("too short", "at least 3")),
    "unknown project without config": (
        lambda c: c.server.project(unique_title("missing")),
        lsn.ProjectError,
        ("No project titled", "Pass config="),
    ),
    "config differs from the project's": (
        lambda c: c.server.project(c.text.title, configs.text_classification(["x", "y"])),
        lsn.ProjectError,
        ("different label config", "update=True"),
    ),
    "project id that does not exist": (
        lambda c: c.server.project(id=987654),
        lsn.ProjectError,
        ("Not found", "deleted"),
    ),
    "pull shape": (lambda c: c.text.pull(shape="tall"), LabelStudioError, ("shape='tall'", "use 'long'")),
    "pull source": (lambda c: c.text.pull(source="disk"), LabelStudioError, ("source='disk'", "use 'auto'")),
    "export format": (
        lambda c: c.text.export(c.scratch / "x.bin", format="PDF"),
        LabelStudioError,
        ("'PDF' is not available", "use one of"),
    ),
    # servers
    "server URL without scheme": (
        lambda c: lsn.attach("localhost:8080", api_key="k"),
        lsn.ServerConnectionError,
        ("no http:// or https:// scheme", "Write it in full"),
    ),
    "unreachable URL": (
        lambda c: lsn.attach(f"http://127.0.0.1:{free_port()}", api_key="k"),
        lsn.ServerConnectionError,
        ("Cannot reach", "Check the URL"),
    ),
    "revoked token": (
        lambda c: lsn.attach(c.server.url, api_key=c.revoked_key),
        lsn.AuthenticationError,
        ("refused the API key", "copy it again"),
    ),
    "no API key": (
        lambda c: lsn.attach(c.server.url, api_key=""),
        lsn.AuthenticationError,
        ("No API key", "Pass api_key="),
    ),
    "port already in use": (_start_on_busy_port, lsn.ServerStartError, ("already in use", "Choose another")),
    "read-only data dir": (_start_read_only, lsn.ServerStartError, ("cannot be written", "Pass data_dir=")),
    "disk full": (_start_disk_full, lsn.ServerStartError, ("MB are free", "Free some space")),
    "unsupported database URL": (
        lambda c: lsn.start(data_dir=c.scratch / "db", database="mysql://u@127.0.0.1/x"),
        lsn.ServerStartError,
        ("Unsupported database", "postgresql://"),
    ),
    "missing executable": (
        lambda c: lsn.start(data_dir=c.scratch / "exe", executable="/nonexistent/label-studio"),
        lsn.ServerNotInstalledError,
        ("does not exist", "Point it at"),
    ),
    # magics
    "magic: unknown subcommand": (
        lambda c: magic(c, "frobnicate"),
        UsageError,
        ("Unknown subcommand", "Known:"),
    ),
    "magic: missing argument": (lambda c: magic(c, "push"), UsageError, ("required", "--help")),
    "magic: bad option value": (
        lambda c: magic(c, "start --port eighty"),
        UsageError,
        ("invalid int", "--help"),
    ),
    "magic: unknown variable": (
        lambda c: magic(c, f"push no_such_df --project '{c.text.title}'"),
        UsageError,
        ("No variable 'no_such_df'", "pass the name"),
    ),
    "magic: variable not a DataFrame": (
        lambda c: (
            c.shell.user_ns.__setitem__("rows", [1, 2]),
            magic(c, f"push rows --project '{c.text.title}'"),
        ),
        UsageError,
        ("is a list", "not a DataFrame (pandas, polars"),
    ),
    "magic: config cell empty": (
        lambda c: magic(c, "config Some title", "  \n"),
        UsageError,
        ("cell magic", "put the"),
    ),
    "magic: config cell not XML": (
        lambda c: magic(c, f"config {unique_title('magic xml')}", "<View"),
        UsageError,
        ("Invalid label config", "Fix the XML"),
    ),
    "magic: attach without key variable": (
        lambda c: magic(c, "attach http://127.0.0.1:9 --api-key-env LSN_NO_SUCH_VAR"),
        UsageError,
        ("$LSN_NO_SUCH_VAR is not set", "environment variable"),
    ),
    "magic: unparsable quoting": (
        lambda c: magic(c, "pull --project 'unclosed"),
        UsageError,
        ("cannot parse arguments", "quotation"),
    ),
}


def make_ctx(server: lsn.Server) -> Ctx:
    """Projects, a revoked key and an IPython shell for the corpus (also used by the benchmark)."""
    text = server.project(unique_title("bad input"), TC)
    text.push(pd.DataFrame({"text": ["kept"]}), progress=False)
    ner = server.project(unique_title("bad spans"), configs.ner(["PER"]))
    boxes = server.project(unique_title("bad boxes"), configs.object_detection(["car"]))
    twin = unique_title("twin")
    for _ in range(2):
        server.client.projects.create(title=twin, label_config=TC)
    user = server.create_user(f"revoked-{uuid.uuid4().hex[:6]}@example.org")
    assert user.api_key
    resp = httpx.post(
        f"{server.url}/api/current-user/reset-token/",
        headers={"Authorization": f"Token {user.api_key}"},
        trust_env=False,
        timeout=60,
    )
    assert resp.status_code in (200, 201), resp.text
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "ls_notebook")
    scratch = TEST_ROOT / f"bad-input-{uuid.uuid4().hex[:6]}"
    scratch.mkdir()
    return Ctx(server, text, ner, boxes, twin, user.api_key, shell, scratch)


@pytest.fixture(scope="module")
def ctx(server: lsn.Server) -> Iterator[Ctx]:
    yield make_ctx(server)
    InteractiveShell.clear_instance()


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input(ctx: Ctx, name: str) -> None:
    call, kind, words = CASES[name]
    before = state(ctx.server)
    with pytest.raises(kind) as caught:
        call(ctx)
    message = str(caught.value)
    assert "\n" not in message.strip(), f"not one line: {message!r}"
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"
    assert "Traceback" not in message
    assert state(ctx.server) == before, "the server changed"
    assert ctx.text.task_count == 1


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 25
    assert sum(1 for n in CASES if n.startswith("magic:")) >= 5
