"""The suite's shared fixtures, registered once as a plugin by ``tests/conftest.py`` (``pytest_plugins``).

Conftests of the test folders keep only what their own folder uses and import no other conftest;
helpers without side effects live in ``tests/_support.py``.

The run's folder: every server, info file and credentials file of the run lives under
:data:`TEST_ROOT` (created when this module is imported, before any test imports ls_notebook), and
notebooks executed by nbval inherit it through ``$LS_NOTEBOOK_HOME``.

Label Studio: a first start creates the database (~30-70 s). To pay that once, ``template_dir``
initialises one data dir and stops its server (or copies ``$LSN_TEST_TEMPLATE``, an initialised one,
to skip ``init`` in development); ``fresh_data_dir`` copies it, so a test gets a new, initialised
server in a few seconds. The session ``server`` runs from such a copy.

S3: ``s3_endpoint`` is a moto server in this process; ``aws_env`` puts credentials for it in the
environment, where ``connect_storage`` reads them; ``s3`` is a boto3 client for it.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from tests._support import START_TIMEOUT

TEST_ROOT = Path(tempfile.mkdtemp(prefix="lsn-test-"))
os.environ["LS_NOTEBOOK_HOME"] = str(TEST_ROOT / "home")
os.environ.setdefault("MPLBACKEND", "Agg")

# S3 credentials of the moto server (tests compare what a storage kept against them).
ACCESS = {"AWS_ACCESS_KEY_ID": "lsn-test-key", "AWS_SECRET_ACCESS_KEY": "lsn-test-secret"}
REGION = "us-east-1"


#: The progress events of the template's real first start (empty when it was copied from
#: ``LSN_TEST_TEMPLATE``): tests/server/test_start_progress.py checks them without another init.
TEMPLATE_INIT_EVENTS: list[object] = []


def copy_data_dir(source: Path, target: Path | str) -> Path:
    """Copy an initialised data dir (without its log and lock) to ``target`` (a name: under TEST_ROOT)."""
    target = TEST_ROOT / target if isinstance(target, str) else target
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("server.log", ".ls_notebook.lock"))
    return target


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


@pytest.fixture(scope="session")
def template_dir() -> Path:
    """An initialised data dir (its server already stopped), to copy for fresh servers."""
    from ls_notebook.server import StartLaunched, launch, stop_process

    prepared = os.environ.get("LSN_TEST_TEMPLATE")  # developers: reuse an initialised data dir
    if prepared and (Path(prepared) / "ls_notebook.json").is_file():
        return copy_data_dir(Path(prepared), "template")
    folder = TEST_ROOT / "template"
    outcome = launch(folder, timeout=START_TIMEOUT, progress=TEMPLATE_INIT_EVENTS.append)
    assert isinstance(outcome, StartLaunched), outcome
    assert outcome.initialized
    stop_process(outcome.info)
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


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """``http://127.0.0.1:PORT`` of a moto S3 server running in this process for the session."""
    from moto.server import ThreadedMotoServer  # the dev extra: moto[server]

    from ls_notebook.server._net import free_port

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no access log per request
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Credentials in the environment, where ``connect_storage`` reads them (never passed by hand)."""
    for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        monkeypatch.delenv(key, raising=False)
    for key, value in {**ACCESS, "AWS_DEFAULT_REGION": REGION}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    return dict(ACCESS)


@pytest.fixture
def s3(s3_endpoint: str, aws_env: dict[str, str]):  # type: ignore[no-untyped-def]
    """A boto3 S3 client for the moto server."""
    import boto3

    return boto3.client("s3", endpoint_url=s3_endpoint, region_name=REGION)
