"""Suite-wide setup: an isolated ls_notebook home, real Label Studio fixtures, no server outliving the run.

Server fixtures (shared by ``tests/server``, ``tests/reliability`` and ``tests/browser``): a first
start creates the database (~30-70 s). To pay that once, ``template_dir`` initialises one data dir and
stops its server; ``fresh_data_dir`` copies it, so a test gets a new, initialised server in a few
seconds. The session ``server`` runs from such a copy.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

# Every server, info file and credentials file of the run lives under this folder, and
# notebooks executed by nbval inherit it through the environment.
TEST_ROOT = Path(tempfile.mkdtemp(prefix="lsn-test-"))
os.environ["LS_NOTEBOOK_HOME"] = str(TEST_ROOT / "home")
os.environ.setdefault("MPLBACKEND", "Agg")


def leftover_servers() -> list[psutil.Process]:
    """Label Studio processes still running with a data dir under this run's folder."""
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        cmd = " ".join(proc.info.get("cmdline") or [])
        if "label-studio" in cmd and str(TEST_ROOT) in cmd:
            found.append(proc)
    return found


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    leftovers = leftover_servers()
    if leftovers:
        pids = ", ".join(str(p.pid) for p in leftovers)
        print(f"\nFAIL: Label Studio processes outlived the test session: {pids}")
        for proc in leftovers:
            proc.kill()
        session.exitstatus = 1


@pytest.fixture(autouse=True)
def _reset_current_server():
    """Each test starts with no 'current' server, as a fresh kernel would (jupysql-style)."""
    import ls_notebook._server as registry

    saved = registry._current
    registry._current = None
    yield
    registry._current = saved


START_TIMEOUT = 300
_TEMPLATE: list[Path] = []  # the initialised template, shared by every conftest that imports the fixture
#: The progress events of the template's real first start (empty when it was copied from
#: ``LSN_TEST_TEMPLATE``): tests/server/test_start_progress.py checks them without another init.
TEMPLATE_INIT_EVENTS: list[object] = []


def unique_title(prefix: str = "test") -> str:
    """A project title no other test uses."""
    return f"{prefix} {uuid.uuid4().hex[:8]}"


def copy_data_dir(source: Path, name: str) -> Path:
    """Copy an initialised data dir (without its log and lock) to ``TEST_ROOT/name``."""
    target = TEST_ROOT / name
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("server.log", ".ls_notebook.lock"))
    return target


@pytest.fixture(scope="session")
def template_dir() -> Path:
    """An initialised data dir (its server already stopped), to copy for fresh servers.

    Idempotent: conftests that import this fixture register it again, and each registration gets the
    same folder instead of initialising a second one.
    """
    if _TEMPLATE:
        return _TEMPLATE[0]
    from ls_notebook.server import StartLaunched, launch, stop_process

    prepared = os.environ.get("LSN_TEST_TEMPLATE")  # developers: reuse an initialised data dir
    if prepared and (Path(prepared) / "ls_notebook.json").is_file():
        _TEMPLATE.append(copy_data_dir(Path(prepared), "template"))
        return _TEMPLATE[0]
    folder = TEST_ROOT / "template"
    outcome = launch(folder, timeout=START_TIMEOUT, progress=TEMPLATE_INIT_EVENTS.append)
    assert isinstance(outcome, StartLaunched), outcome
    assert outcome.initialized
    stop_process(outcome.info)
    _TEMPLATE.append(folder)
    return folder


@pytest.fixture
def fresh_data_dir(template_dir: Path) -> Path:
    """A copy of the initialised template under a new name (no server running for it yet)."""
    return copy_data_dir(template_dir, f"data-{uuid.uuid4().hex[:8]}")


@pytest.fixture(scope="session")
def server(template_dir: Path) -> Iterator[object]:
    """The session's Label Studio server (tests create their own uniquely titled projects)."""
    import ls_notebook as lsn

    srv = lsn.start(data_dir=copy_data_dir(template_dir, "session-server"), timeout=START_TIMEOUT)
    yield srv
    srv.stop()
    assert not srv.running
