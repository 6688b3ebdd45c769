"""A server restarted between two calls on the same objects; a kernel restart with the server alive."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import psutil
import pytest

import ls_notebook as lsn
from ls_notebook import configs
from ls_notebook.errors import ServerConnectionError
from ls_notebook.server._credentials import Credentials
from ls_notebook.server._files import info_path
from ls_notebook.server._net import port_in_use
from tests._fixtures import TEST_ROOT
from tests._support import unique_title, wait_for
from tests.reliability._faults import sigkill

pytestmark = pytest.mark.server

CONFIG = configs.text_classification(["pos", "neg"])


def restarted_between_calls(server: lsn.Server) -> None:
    """Stop and start (then SIGKILL and start) a local server under the same ``Server``/``Project``."""
    data_dir = server.data_dir
    assert data_dir is not None
    title = unique_title("restart")
    project = server.project(title, CONFIG)
    project.push(pd.DataFrame({"text": ["a", "b", "c"]}), progress=False)
    assert project.pull(include_unannotated=True, source="api", progress=False)["key"].size == 3
    first_pid = server.pid

    lsn.stop(data_dir)  # stopped from elsewhere (another notebook, %labelstudio stop)...
    with pytest.raises(ServerConnectionError) as down:
        _ = project.task_count
    message = str(down.value)
    assert "\n" not in message and "ls_notebook.start()" in message
    assert down.value.__cause__ is None and down.value.__suppress_context__

    again = lsn.start(data_dir=data_dir)  # ...and started again, maybe on a new port
    assert again.pid != first_pid
    # the old objects follow: no traceback, same data
    assert project.task_count == 3
    assert server.pid == again.pid and server.url == again.url
    pulled = project.pull(include_unannotated=True, source="api", progress=False)
    assert sorted(pulled["key"]) == ["0", "1", "2"]
    assert project.push(pd.DataFrame({"text": ["a", "b", "c"]}), progress=False).skipped == 3
    assert server.projects()["title"].tolist().count(title) == 1

    # an open labeling widget follows the restart too: its next request reaches the new server
    widget = project.label(tasks=pulled)  # a DataFrame slice selects tasks
    session = widget.session
    assert session.task_ids == sorted(int(t) for t in pulled["task_id"])
    sigkill(server)  # a crash this time
    lsn.start(data_dir=data_dir)
    assert project.task_count == 3 and server.running
    result = [{"from_name": "label", "to_name": "text", "type": "choices", "value": {"choices": ["pos"]}}]
    annotation_id = session.submit(session.task_ids[0], result)
    assert session.url == server.url
    stored = server.client.annotations.get(id=annotation_id)
    assert stored.result[0]["value"]["choices"] == ["pos"]
    widget.close()


def test_local_server_restarted_between_calls(fresh_data_dir: Path) -> None:
    server = lsn.start(data_dir=fresh_data_dir)
    try:
        restarted_between_calls(server)
    finally:
        server.stop()
    assert not server.running


@pytest.mark.slow
def test_postgres_server_restarted_between_calls(pg_server: lsn.Server) -> None:
    """The same on PostgreSQL; the session's ``pg_server`` object follows and is left running."""
    restarted_between_calls(pg_server)


def test_attached_server_restarted(fresh_data_dir: Path) -> None:
    local = lsn.start(data_dir=fresh_data_dir)
    port = local.port
    try:
        token = Credentials.load(fresh_data_dir).token  # type: ignore[union-attr]
        remote = lsn.attach(local.url, api_key=token)
        project = remote.project(unique_title("attached"), CONFIG)
        project.push(pd.DataFrame({"text": ["x"]}), progress=False)
        lsn.stop(fresh_data_dir)
        with pytest.raises(ServerConnectionError) as down:
            _ = project.task_count
        assert "\n" not in str(down.value) and "does not answer" in str(down.value)
        with pytest.raises(ServerConnectionError, match="Check the URL"):
            lsn.attach(local.url, api_key=token)
        lsn.start(data_dir=fresh_data_dir, port=port)  # back on the same URL
        assert project.task_count == 1 and len(remote.projects()) == 1
    finally:
        lsn.stop(fresh_data_dir)


KERNEL_CODE = """
import json, ls_notebook as lsn
srv = lsn.start(data_dir={data_dir!r})
print(json.dumps({{"pid": srv.pid, "url": srv.url, "projects": len(srv.projects())}}))
"""


def _run(client, code: str) -> dict:  # type: ignore[no-untyped-def]
    import json

    out: list[str] = []

    def hook(msg: dict) -> None:
        if msg["msg_type"] == "stream":
            out.append(msg["content"]["text"])
        elif msg["msg_type"] == "error":
            out.append("\n".join(msg["content"]["traceback"]))

    reply = client.execute_interactive(code, timeout=600, output_hook=hook)
    assert reply["content"]["status"] == "ok", "".join(out)
    return json.loads("".join(out).strip().splitlines()[-1])


def test_kernel_restart_keeps_server(fresh_data_dir: Path) -> None:
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="python3", startup_timeout=300, cwd=str(TEST_ROOT))
    try:
        first = _run(kc, KERNEL_CODE.format(data_dir=str(fresh_data_dir)))
        km.restart_kernel(now=True)  # the kernel process is killed and replaced
        kc.wait_for_ready(timeout=300)
        proc = psutil.Process(first["pid"])
        assert proc.is_running() and lsn.server.running()  # survived the kernel
        second = _run(kc, KERNEL_CODE.format(data_dir=str(fresh_data_dir)))
        assert second["pid"] == first["pid"] and second["url"] == first["url"]
        group = [proc, *proc.children(recursive=True)]
        port = int(first["url"].rsplit(":", 1)[1])
        reply = kc.execute_interactive("srv.stop()", timeout=300)
        assert reply["content"]["status"] == "ok"
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
        lsn.stop(fresh_data_dir)
    _gone, alive = psutil.wait_procs(group, timeout=30)
    assert not alive, f"orphans after stop(): {alive}"
    assert not info_path(fresh_data_dir).exists()
    assert wait_for(lambda: not port_in_use(port), 60, every=0.5)
