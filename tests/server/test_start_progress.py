"""A launch shows its phases while they happen; a reuse shows nothing; a failure keeps the log tail."""

from __future__ import annotations

import itertools
from pathlib import Path

import psutil
import pytest

import ls_notebook as lsn
from ls_notebook.errors import ServerStartError
from ls_notebook.server import StartFailed, launch
from ls_notebook.server.manager import PHASES, StartProgress
from tests._fixtures import TEMPLATE_INIT_EVENTS

pytestmark = pytest.mark.server


def _phases(events: list[StartProgress]) -> list[str]:
    return [phase for phase, _ in itertools.groupby(e.phase for e in events)]


def test_first_start_reports_every_phase_in_order(template_dir: Path) -> None:
    """The template's real ``label-studio init`` + start, as the session fixture recorded it."""
    if not TEMPLATE_INIT_EVENTS:
        pytest.skip("the template was copied from $LSN_TEST_TEMPLATE: no first start ran in this session")
    events: list[StartProgress] = TEMPLATE_INIT_EVENTS  # type: ignore[assignment]
    assert _phases(events) == list(PHASES)
    assert all(e.initializing and e.total == 4 for e in events)
    assert [e.step for e in events] == sorted(e.step for e in events)
    assert [e.elapsed for e in events] == sorted(e.elapsed for e in events)
    # The database phase lasts seconds: it is reported again while it lasts (the display's clock).
    assert sum(e.phase == "database" for e in events) >= 2


def test_launch_shows_phases_and_reuse_shows_nothing(
    fresh_data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    srv = lsn.start(data_dir=fresh_data_dir)
    try:
        shown = capsys.readouterr().err  # outside a notebook: tqdm's line on stderr
        where = [shown.find(text) for text in ("Starting Label Studio", "Waiting for /health", "is ready")]
        assert -1 not in where and where == sorted(where), shown
        assert f"Label Studio {srv.version} is ready" in shown
        assert "Creating the database" not in shown
        again = lsn.start(data_dir=fresh_data_dir)
        assert again.pid == srv.pid
        assert capsys.readouterr().err == ""
    finally:
        srv.stop()


def test_failed_init_reports_its_phase_and_keeps_the_log_tail(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = tmp_path / "label-studio"
    fake.write_text("#!/bin/sh\nsleep 1.5\necho 'boom: no space for the database' >&2\nexit 3\n")
    fake.chmod(0o755)
    events: list[StartProgress] = []
    outcome = launch(tmp_path / "d", executable=fake, progress=events.append)
    assert isinstance(outcome, StartFailed)
    assert "boom: no space for the database" in outcome.log_tail
    assert _phases(events) == ["database"]
    with pytest.raises(ServerStartError, match=r"(?s)exited with code 3.*boom: no space"):
        lsn.start(data_dir=tmp_path / "d", executable=fake)
    shown = capsys.readouterr().err
    assert "Stopped while: Creating the database" in shown
    assert not (tmp_path / "d" / "ls_notebook.json").exists()


def test_interrupted_init_leaves_no_half_made_data_dir(tmp_path: Path) -> None:
    """Ctrl-C (here: raised by the display) during init kills it and forgets the credentials."""
    fake = tmp_path / "label-studio"
    pid_file = tmp_path / "pid"
    fake.write_text(f"#!/bin/sh\necho $$ > {pid_file}\nexec sleep 60\n")
    fake.chmod(0o755)

    def interrupt(event: StartProgress) -> None:
        if pid_file.exists() and pid_file.read_text().strip():
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        launch(tmp_path / "d", executable=fake, progress=interrupt)
    pid = int(pid_file.read_text())
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    assert not (tmp_path / "d" / "ls_notebook.json").exists()
