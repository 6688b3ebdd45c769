"""The %labelstudio magics, run through a real IPython shell against the real server."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

import ls_notebook as lsn

pytestmark = pytest.mark.server


@pytest.fixture
def shell() -> Iterator[InteractiveShell]:
    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "ls_notebook")
    yield ip


def test_help(shell: InteractiveShell, capsys: pytest.CaptureFixture[str]) -> None:
    shell.run_line_magic("labelstudio", "--help")
    out = capsys.readouterr().out
    for name in ("start", "attach", "status", "stop", "projects"):
        assert name in out
    shell.run_line_magic("labelstudio", "start --help")
    assert "--data-dir" in capsys.readouterr().out


def test_unknown_subcommand(shell: InteractiveShell) -> None:
    with pytest.raises(UsageError, match="Unknown subcommand 'bogus'"):
        shell.run_line_magic("labelstudio", "bogus")


def test_bad_argument(shell: InteractiveShell) -> None:
    with pytest.raises(UsageError, match="invalid int value"):
        shell.run_line_magic("labelstudio", "start --port notaport")
    with pytest.raises(UsageError, match="unrecognized arguments"):
        shell.run_line_magic("labelstudio", "projects --nope")


def test_status_without_server(shell: InteractiveShell) -> None:
    with pytest.raises(UsageError, match="No Label Studio server yet"):
        shell.run_line_magic("labelstudio", "status")


def test_start_status_projects(shell: InteractiveShell, server: lsn.Server) -> None:
    started = shell.run_line_magic("labelstudio", f"start --data-dir {server.data_dir}")
    assert started.pid == server.pid
    assert lsn.current().url == server.url
    frame = shell.run_line_magic("labelstudio", "projects")
    assert list(frame.columns) == ["id", "title", "tasks", "annotations", "created_at"]
    shell.run_line_magic("labelstudio", "status")


def test_attach_reads_key_from_environment(
    shell: InteractiveShell, server: lsn.Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = json.loads((server.data_dir / "ls_notebook.json").read_text())["token"]
    monkeypatch.delenv("MY_LS_KEY", raising=False)
    with pytest.raises(UsageError, match=r"\$MY_LS_KEY is not set"):
        shell.run_line_magic("labelstudio", f"attach {server.url} --api-key-env MY_LS_KEY")
    monkeypatch.setenv("MY_LS_KEY", token)
    attached = shell.run_line_magic("labelstudio", f"attach {server.url} --api-key-env MY_LS_KEY")
    assert attached.url == server.url and not attached.is_local


def test_server_errors_are_usage_errors(shell: InteractiveShell, tmp_path) -> None:  # type: ignore[no-untyped-def]
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(UsageError, match="cannot be written"):
        shell.run_line_magic("labelstudio", f"start --data-dir {blocker / 'd'}")
    with pytest.raises(UsageError, match="no http:// or https:// scheme"):
        shell.run_line_magic("labelstudio", "attach localhost:1")
