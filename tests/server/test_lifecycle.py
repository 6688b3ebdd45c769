"""Start → healthy → reuse → stop, stale info files, credentials, loopback-only binding."""

from __future__ import annotations

import json
import socket
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import psutil
import pytest

import ls_notebook as lsn
from ls_notebook.errors import ServerNotInstalledError, ServerStartError
from ls_notebook.server import StartReused, launch
from ls_notebook.server._files import info_path
from ls_notebook.server._net import free_port, healthy, port_in_use

pytestmark = pytest.mark.server


def test_start_reuse_stop(fresh_data_dir: Path) -> None:
    srv = lsn.start(data_dir=fresh_data_dir)
    try:
        assert srv.running and healthy(srv.url)
        assert srv.url.startswith("http://127.0.0.1:")
        assert srv.version.startswith("1.23")
        assert lsn.current() is srv
        again = lsn.start(data_dir=fresh_data_dir)
        assert again.pid == srv.pid and again.url == srv.url
        assert isinstance(launch(fresh_data_dir), StartReused)
        assert srv.pid in [s.pid for s in lsn.servers()]
    finally:
        pid, port = srv.pid, srv.port
        assert srv.stop() is True
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    assert not port_in_use(port)
    assert not info_path(fresh_data_dir).exists()
    assert pid not in [s.pid for s in lsn.servers()]
    with pytest.raises(lsn.LabelStudioError, match="No Label Studio server"):
        lsn.current()


def test_stale_info_file_is_ignored(fresh_data_dir: Path) -> None:
    """A leftover info file (dead pid, port now used by something else) is removed, not trusted."""
    decoy = socket.socket()
    decoy.bind(("127.0.0.1", 0))
    decoy.listen()
    stale = {
        "pid": 2**22 - 7,  # no such process
        "create_time": 0.0,
        "port": decoy.getsockname()[1],
        "url": f"http://127.0.0.1:{decoy.getsockname()[1]}",
        "data_dir": str(fresh_data_dir.resolve()),
        "version": "1.23.2",
        "started_at": 0.0,
        "executable": "label-studio",
    }
    path = info_path(fresh_data_dir.resolve())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(stale))
    try:
        srv = lsn.start(data_dir=fresh_data_dir)
        try:
            assert srv.port != stale["port"] and srv.running
            assert json.loads(path.read_text())["pid"] == srv.pid
        finally:
            srv.stop()
    finally:
        decoy.close()


def test_credentials_file_is_owner_only(server: lsn.Server) -> None:
    creds = server.data_dir / "ls_notebook.json"
    assert stat.S_IMODE(creds.stat().st_mode) == 0o600
    assert stat.S_IMODE(server.data_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE(info_path(server.data_dir).stat().st_mode) == 0o600


def _non_loopback_addresses() -> list[str]:
    found = []
    for addrs in psutil.net_if_addrs().values():
        for addr in addrs:
            if addr.family == socket.AF_INET and not addr.address.startswith("127."):
                found.append(addr.address)
    return found


def test_not_reachable_off_loopback(server: lsn.Server) -> None:
    addresses = _non_loopback_addresses()
    if not addresses:
        pytest.skip("this machine has no non-loopback IPv4 address to try")
    for address in addresses:
        with socket.socket() as sock:
            sock.settimeout(2)
            assert sock.connect_ex((address, server.port)) != 0, f"server reachable on {address}"


def test_port_in_use_is_a_clear_error(fresh_data_dir: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        with pytest.raises(ServerStartError, match=r"Port \d+ .* already in use by another program"):
            lsn.start(port=busy.getsockname()[1], data_dir=fresh_data_dir)
    assert not info_path(fresh_data_dir.resolve()).exists()


def test_explicit_port(fresh_data_dir: Path) -> None:
    port = free_port()
    srv = lsn.start(port=port, data_dir=fresh_data_dir)
    try:
        assert srv.port == port
        with pytest.raises(ServerStartError, match="already running on port"):
            lsn.start(port=free_port(), data_dir=fresh_data_dir)
    finally:
        srv.stop()


def test_missing_executable_names_the_install(tmp_path: Path) -> None:
    with pytest.raises(ServerNotInstalledError, match=r'pip install "ls_notebook\[server\]"'):
        lsn.start(data_dir=tmp_path / "d", executable=tmp_path / "no-such-label-studio")


def test_failed_start_shows_log_tail(tmp_path: Path) -> None:
    fake = tmp_path / "label-studio"
    fake.write_text("#!/bin/sh\necho 'boom: the database is locked' >&2\nexit 3\n")
    fake.chmod(0o755)
    with pytest.raises(ServerStartError, match=r"(?s)exited with code 3.*boom: the database is locked"):
        lsn.start(data_dir=tmp_path / "d", executable=fake)
    assert not (tmp_path / "d" / "ls_notebook.json").exists()


def test_unwritable_data_dir(tmp_path: Path) -> None:
    """A data dir that cannot be created or written is a clear error (works as root too)."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(ServerStartError, match="cannot be written"):
        lsn.start(data_dir=blocker / "d")


def test_server_survives_kernel_exit_and_is_reused(fresh_data_dir: Path) -> None:
    """A 'kernel' (child Python) starts the server and exits; the server lives on and is reused."""
    code = textwrap.dedent(
        f"""
        import ls_notebook as lsn
        print(lsn.start(data_dir={str(fresh_data_dir)!r}).pid)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300
    )
    pid = int(out.stdout.strip().splitlines()[-1])
    srv = lsn.start(data_dir=fresh_data_dir)
    try:
        assert srv.pid == pid and srv.running
    finally:
        srv.stop()
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE


def test_repr_and_html_hide_the_key(server: lsn.Server) -> None:
    creds = json.loads((server.data_dir / "ls_notebook.json").read_text())
    texts = [repr(server), server._repr_html_(), str(server.status()), repr(server.card().get_state())]
    for text in texts:
        assert creds["token"] not in text
        assert creds["password"] not in text
    assert server.url in server._repr_html_()


def test_reuse_does_not_depend_on_ls_notebook_home(
    fresh_data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two kernels with different $LS_NOTEBOOK_HOME never run two servers on one database."""
    srv = lsn.start(data_dir=fresh_data_dir)
    try:
        monkeypatch.setenv("LS_NOTEBOOK_HOME", str(tmp_path / "other-home"))
        again = lsn.start(data_dir=fresh_data_dir)
        assert again.pid == srv.pid
    finally:
        srv.stop()
    assert not (fresh_data_dir / "ls_notebook.server.json").exists()
