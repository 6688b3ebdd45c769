"""Suite-wide setup: an isolated ls_notebook home, and a check that no server outlives the run."""

from __future__ import annotations

import os
import tempfile
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
    import ls_notebook._api as api

    saved = api._current
    api._current = None
    yield
    api._current = saved
