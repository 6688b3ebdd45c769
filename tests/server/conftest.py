"""Real Label Studio servers for the tests: started through ``ls_notebook.start()``, stopped after.

A first start creates the database (~30-70 s). To pay that once, ``template_dir`` initialises one data
dir and stops its server; ``fresh_data_dir`` copies it, so a test gets a new, initialised server in a
few seconds. The session ``server`` runs from such a copy.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

import ls_notebook as lsn
from ls_notebook.server import StartLaunched, launch
from tests.conftest import TEST_ROOT

START_TIMEOUT = 300


@pytest.fixture(scope="session")
def template_dir() -> Path:
    """An initialised data dir (its server already stopped), to copy for fresh servers."""
    folder = TEST_ROOT / "template"
    outcome = launch(folder, timeout=START_TIMEOUT)
    assert isinstance(outcome, StartLaunched), outcome
    assert outcome.initialized
    lsn.server.stop(outcome.info)
    return folder


@pytest.fixture
def fresh_data_dir(template_dir: Path) -> Path:
    """A copy of the initialised template under a new name (no server running for it yet)."""
    target = TEST_ROOT / f"data-{uuid.uuid4().hex[:8]}"
    shutil.copytree(template_dir, target, ignore=shutil.ignore_patterns("server.log", ".ls_notebook.lock"))
    return target


@pytest.fixture(scope="session")
def server(template_dir: Path) -> Iterator[lsn.Server]:
    """The session's Label Studio server (tests create their own uniquely titled projects)."""
    target = TEST_ROOT / "session-server"
    shutil.copytree(template_dir, target, ignore=shutil.ignore_patterns("server.log", ".ls_notebook.lock"))
    srv = lsn.start(data_dir=target, timeout=START_TIMEOUT)
    yield srv
    srv.stop()
    assert not srv.running


def unique_title(prefix: str = "test") -> str:
    """A project title no other test uses."""
    return f"{prefix} {uuid.uuid4().hex[:8]}"
