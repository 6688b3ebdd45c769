"""Owns Label Studio server processes: launch, reuse, stop. Imports no IPython and no SDK.

Every start returns a typed outcome (:class:`StartLaunched`, :class:`StartReused`,
:class:`StartFailed`, :class:`StartTimedOut`); the public API turns those into ``Server`` objects or
exceptions. While a launch runs, a ``progress`` callback receives :class:`StartProgress` events (the
phase of :data:`PHASES` and the elapsed time) for the notebook layer to show; reusing a live server
reports nothing. A server runs in its own process group (``start_new_session``), so it survives a
kernel restart, and ``stop`` ends the whole group.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from ls_notebook.errors import ServerStartError
from ls_notebook.server import _database, _info
from ls_notebook.server._credentials import Credentials
from ls_notebook.server._database import database_env, kind_of
from ls_notebook.server._executable import find_executable
from ls_notebook.server._files import (
    CREDENTIALS_FILE,
    DATABASE_FILE,
    LOG_FILE,
    SQLITE_FILE,
    ensure_private_dir,
    log_tail,
)
from ls_notebook.server._info import ServerInfo
from ls_notebook.server._loopback import loopback_env
from ls_notebook.server._net import LOOPBACK, free_port, healthy, port_in_use, server_version

__all__ = [
    "INIT_ALLOWANCE",
    "PHASES",
    "ProgressCallback",
    "StartFailed",
    "StartLaunched",
    "StartOutcome",
    "StartProgress",
    "StartReused",
    "StartTimedOut",
    "launch",
    "stop_process",
]

#: Seconds allowed for ``label-studio init`` on a first start (30-70 s measured on 2 cores).
INIT_ALLOWANCE = 600.0

# Variables Label Studio reads (with or without the LABEL_STUDIO_/HEARTEX_ prefix) that would create
# users or change settings behind our back if the user's environment happens to define them.
_SCRUBBED = ("USERNAME", "PASSWORD", "USER_TOKEN", "PORT", "HOST", "DJANGO_DB", "DATABASE_NAME")

_children: dict[int, subprocess.Popen[bytes]] = {}
# Folder of ls_notebook_settings.py, the Django settings of the servers we start (login hand-over).
_DJANGO_ADDON = Path(__file__).parent / "_django"


@dataclass(frozen=True)
class StartLaunched:
    """A new server process was started and is healthy."""

    info: ServerInfo
    credentials: Credentials = field(repr=False)
    initialized: bool = False


@dataclass(frozen=True)
class StartReused:
    """A live server already serves this data dir; it is used as it is."""

    info: ServerInfo
    credentials: Credentials = field(repr=False)


@dataclass(frozen=True)
class StartFailed:
    """The server process exited or could not be started."""

    message: str
    log_tail: str = ""
    exit_code: int | None = None


@dataclass(frozen=True)
class StartTimedOut:
    """The server process did not answer ``/health`` in time (it has been stopped)."""

    timeout: float
    log_tail: str = ""


StartOutcome = StartLaunched | StartReused | StartFailed | StartTimedOut

#: The phases of a launch, in order, with what a display says during each. A first start on a data dir
#: runs ``label-studio init`` (database, then admin account) before the two phases of every launch.
PHASES = {
    "database": "Creating the database",
    "admin": "Creating the admin account",
    "starting": "Starting Label Studio",
    "health": "Waiting for /health",
}
_INIT_PHASES = ("database", "admin")
#: Printed into the log by ``_django/ls_notebook_settings.py`` when ``init`` has migrated the database.
_MIGRATED_MARKER = b"ls_notebook: database migrated"
#: Seconds between two reports of the same phase (so a display can show the time passing).
_REPORT_EVERY = 1.0


@dataclass(frozen=True)
class StartProgress:
    """Where a launch is: its ``phase`` (a key of :data:`PHASES`) and the seconds since it began.

    ``initializing`` says whether this launch creates the database (all four phases) or only starts
    the server (the last two). Reported when a phase begins and about once a second while it lasts.
    """

    phase: str
    elapsed: float
    initializing: bool

    @property
    def label(self) -> str:
        """What is happening, e.g. ``"Creating the database"``."""
        return PHASES[self.phase]

    @property
    def total(self) -> int:
        """The number of phases of this launch."""
        return len(PHASES) if self.initializing else len(PHASES) - len(_INIT_PHASES)

    @property
    def step(self) -> int:
        """The number of phases already done."""
        return list(PHASES).index(self.phase) - (0 if self.initializing else len(_INIT_PHASES))


ProgressCallback = Callable[[StartProgress], None]


class _Reporter:
    """Turns "the launch is in phase P" (said at every poll) into :class:`StartProgress` events."""

    def __init__(self, callback: ProgressCallback | None, started: float, initializing: bool) -> None:
        self._callback = callback
        self._started = started
        self._initializing = initializing
        self._phase = ""
        self._last = 0.0

    def __call__(self, phase: str) -> None:
        now = time.monotonic()
        if self._callback is None or (phase == self._phase and now - self._last < _REPORT_EVERY):
            return
        self._phase, self._last = phase, now
        self._callback(StartProgress(phase, now - self._started, self._initializing))


@contextlib.contextmanager
def _locked(data_dir: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``data_dir`` so two kernels never launch the same server twice."""
    with open(data_dir / ".ls_notebook.lock", "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _prepare_data_dir(data_dir: Path) -> None:
    try:
        ensure_private_dir(data_dir)
        probe = data_dir / ".write-test"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        raise ServerStartError(
            f"The data dir {data_dir} cannot be written ({exc.strerror or exc}). Pass data_dir= a folder "
            "you can write to, or fix its permissions."
        ) from exc


#: Free space a data dir needs before a server is launched on it (the database and media grow there).
MIN_FREE_BYTES = 50 * 2**20


def _check_free_space(data_dir: Path) -> None:
    free = shutil.disk_usage(data_dir).free
    if free < MIN_FREE_BYTES:
        raise ServerStartError(
            f"Only {free / 2**20:.1f} MB are free on the disk of the data dir {data_dir}; Label Studio needs "
            f"at least {MIN_FREE_BYTES // 2**20} MB. Free some space, or pass data_dir= on another disk."
        )


def _server_env(data_dir: Path, database: str | None, extra: Mapping[str, str] | None) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not any(k in (name, f"LABEL_STUDIO_{name}", f"HEARTEX_{name}") for name in _SCRUBBED)
    }
    env.update(
        {
            "LABEL_STUDIO_BASE_DATA_DIR": str(data_dir),
            "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",
            "COLLECT_ANALYTICS": "false",
            "SENTRY_DSN": "",
            "FRONTEND_SENTRY_DSN": "",
            "PYTHONUNBUFFERED": "1",
            # Label Studio's settings plus the login hand-over of the web UI widget (see the module).
            "DJANGO_SETTINGS_MODULE": "ls_notebook_settings",
            "PYTHONPATH": os.pathsep.join(p for p in (str(_DJANGO_ADDON), os.environ.get("PYTHONPATH")) if p),
        }
    )
    env.update(loopback_env())  # the kernel's ML backend and a local S3 listen on 127.0.0.1
    env.update(database_env(database))
    env.update(extra or {})
    return env


def _reuse(data_dir: Path, port: int | None, timeout: float) -> StartReused | StartFailed | None:
    info = _info.for_data_dir(data_dir)
    if info is None:
        return None
    if port is not None and port != info.port:
        return StartFailed(
            f"A Label Studio server for {data_dir} is already running on port {info.port} (pid {info.pid}), "
            f"not {port}. Use it (start() without port=), or stop it first with ls_notebook.stop()."
        )
    deadline = time.monotonic() + timeout
    while not healthy(info.url):
        if info.process() is None or time.monotonic() > deadline:
            return StartFailed(
                f"The server process {info.pid} for {data_dir} is running but does not answer "
                f"{info.url}/health. Stop it with ls_notebook.stop(data_dir=...) and start again.",
                log_tail(data_dir),
            )
        time.sleep(0.25)
    creds = Credentials.load(data_dir)
    if creds is None:
        return StartFailed(f"The credentials file of {data_dir} is missing; stop the server and start again.")
    return StartReused(info=info, credentials=creds)


def _credentials_for_launch(
    data_dir: Path, database: str | None, username: str | None, password: str | None
) -> tuple[Credentials, bool]:
    """Return the credentials to use and whether the database must be initialised first."""
    creds = Credentials.load(data_dir)
    if creds is not None:
        if username and username != creds.username:
            raise ServerStartError(
                f"The data dir {data_dir} was initialised for {creds.username!r}, not {username!r}. Use "
                "another data_dir= for a new server, or omit username=."
            )
        return creds, False
    if database in (None, "", "sqlite") and (data_dir / SQLITE_FILE).exists():
        raise ServerStartError(
            f"{data_dir} holds a Label Studio database that ls_notebook did not create, so its API key is "
            "unknown. Start that server yourself and use ls_notebook.attach(url, api_key), or pass an "
            "empty data_dir= to let ls_notebook create a new server."
        )
    creds = Credentials.generate(username, password)
    creds.save(data_dir)
    return creds, True


def launch(
    data_dir: Path,
    port: int | None = None,
    username: str | None = None,
    password: str | None = None,
    timeout: float = 120.0,
    executable: str | os.PathLike[str] | None = None,
    database: str | None = None,
    env: Mapping[str, str] | None = None,
    progress: ProgressCallback | None = None,
) -> StartOutcome:
    """Start (or reuse) the Label Studio server of ``data_dir`` and return the outcome.

    ``timeout`` bounds the wait for ``/health``; a first start, which also creates the database, gets
    :data:`INIT_ALLOWANCE` more seconds. Errors of usage (unwritable data dir, missing executable,
    busy port) raise; outcomes of running the server are returned. ``progress`` is called with a
    :class:`StartProgress` as a launch goes through its phases (not when a live server is reused).
    """
    started = time.monotonic()
    data_dir = Path(data_dir).expanduser().resolve()
    _prepare_data_dir(data_dir)
    with _locked(data_dir):
        reused = _reuse(data_dir, port, timeout)
        if reused is not None:
            return reused
        exe = find_executable(executable)
        if port is not None and port_in_use(port):
            raise ServerStartError(
                f"Port {port} on {LOOPBACK} is already in use by another program. Choose another port, "
                "or leave port=None to pick a free one."
            )
        database = _database.resolve(data_dir, database)
        database_env(database)  # an unsupported URL fails before anything is written
        _check_free_space(data_dir)
        creds, initialise = _credentials_for_launch(data_dir, database, username, password)
        port = port or free_port()
        child_env = _server_env(data_dir, database, env)
        report = _Reporter(progress, started, initialise)
        if initialise:
            failed = _initialise(exe, data_dir, creds, child_env, report)
            if failed is not None:
                return failed
            _database.remember(data_dir, database)
        cmd = [str(exe), "start", "--port", str(port), "--internal-host", LOOPBACK, "--no-browser"]
        cmd += ["--data-dir", str(data_dir)]
        return _run(cmd, child_env, data_dir, port, exe, database, creds, initialise, timeout, report)


def _forget_init(data_dir: Path) -> None:
    """Remove what a failed first start created, so the next start begins afresh."""
    for name in (CREDENTIALS_FILE, DATABASE_FILE, SQLITE_FILE):
        (data_dir / name).unlink(missing_ok=True)


def _initialise(
    exe: Path, data_dir: Path, creds: Credentials, env: dict[str, str], report: _Reporter
) -> StartFailed | None:
    """Create the database and the admin account (``label-studio init``); None on success.

    Whatever stops it (failure, timeout, an interrupt) removes what it created, so the next start
    begins afresh instead of finding credentials without a database.
    """
    # Secrets travel in the environment, not in argv (which other local users can read).
    init_env = dict(env, LABEL_STUDIO_USERNAME=creds.username, LABEL_STUDIO_PASSWORD=creds.password)
    init_env["LABEL_STUDIO_USER_TOKEN"] = creds.token
    cmd = [str(exe), "init", "--data-dir", str(data_dir), "--enable-legacy-api-token", "--no-browser", "-q"]
    log_path = data_dir / LOG_FILE
    with open(log_path, "ab") as log:
        log.write(f"\n--- ls_notebook: initialising {data_dir} at {time.ctime()} ---\n".encode())
        log.flush()
        offset = log.tell()
        try:
            proc = subprocess.Popen(
                cmd,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=data_dir,
                env=init_env,
            )
        except OSError as exc:
            _forget_init(data_dir)
            return StartFailed(f"Could not run {cmd[0]}: {exc}")
    deadline = time.monotonic() + INIT_ALLOWANCE
    phase = "database"
    try:
        while (code := proc.poll()) is None:
            if phase == "database" and _MIGRATED_MARKER in _read_from(log_path, offset):
                phase = "admin"
            report(phase)
            if time.monotonic() > deadline:
                proc.kill()
                proc.wait()
                _forget_init(data_dir)
                return StartFailed(
                    f"Creating the database took more than {INIT_ALLOWANCE:.0f} s.", log_tail(data_dir)
                )
            time.sleep(0.25)
    except BaseException:  # an interrupt (or a failing display) must not leave a half-made database
        proc.kill()
        proc.wait()
        _forget_init(data_dir)
        raise
    if code != 0:
        _forget_init(data_dir)
        return StartFailed(f"`label-studio init` exited with code {code}.", log_tail(data_dir), code)
    return None


def _read_from(path: Path, offset: int) -> bytes:
    """The bytes of ``path`` after ``offset`` (b"" when it cannot be read)."""
    try:
        with open(path, "rb") as fh:
            fh.seek(offset)
            return fh.read()
    except OSError:
        return b""


def _run(
    cmd: list[str],
    env: dict[str, str],
    data_dir: Path,
    port: int,
    exe: Path,
    database: str | None,
    creds: Credentials,
    initialise: bool,
    timeout: float,
    report: _Reporter,
) -> StartOutcome:
    log = open(data_dir / LOG_FILE, "ab")  # noqa: SIM115 - handed to the child, closed below
    try:
        log.write(f"\n--- ls_notebook: starting on port {port} at {time.ctime()} ---\n".encode())
        log.flush()
        proc = subprocess.Popen(
            cmd,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=data_dir,
            env=env,
            start_new_session=True,
        )
    except OSError as exc:
        return StartFailed(f"Could not run {cmd[0]}: {exc}")
    finally:
        log.close()
    _children[proc.pid] = proc
    url = f"http://{LOOPBACK}:{port}"
    deadline = time.monotonic() + timeout
    phase = "starting"
    try:
        while True:
            report(phase)
            code = proc.poll()
            if code is not None:
                _children.pop(proc.pid, None)
                message = f"Label Studio exited with code {code} while starting."
                return StartFailed(message, log_tail(data_dir), code)
            if phase == "starting" and port_in_use(port):  # it listens: Django has loaded
                phase = "health"
                report(phase)
            if phase == "health" and healthy(url, timeout=1.0):
                break
            if time.monotonic() > deadline:
                _kill_group(proc.pid, grace=5.0)
                return StartTimedOut(timeout, log_tail(data_dir))
            time.sleep(0.25)
    except BaseException:  # an interrupt (or a failing display): no server left behind unrecorded
        _kill_group(proc.pid, grace=5.0)
        raise
    info = ServerInfo(
        pid=proc.pid,
        create_time=psutil.Process(proc.pid).create_time(),
        port=port,
        url=url,
        data_dir=str(data_dir),
        version=server_version(url) or "unknown",
        started_at=time.time(),
        executable=str(exe),
        database=kind_of(database),
    )
    info.save()
    return StartLaunched(info=info, credentials=creds, initialized=initialise)


def _kill_group(pid: int, grace: float) -> None:
    """Send SIGTERM to the process group of ``pid``, then SIGKILL what is left after ``grace``."""
    try:
        proc = psutil.Process(pid)
        members = [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        members = []
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGTERM)
    _gone, alive = psutil.wait_procs(members, timeout=grace)
    if alive:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)
        for member in alive:
            with contextlib.suppress(psutil.NoSuchProcess):
                member.kill()
        psutil.wait_procs(alive, timeout=grace)
    child = _children.pop(pid, None)
    if child is not None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=1)


def stop_process(info: ServerInfo, timeout: float = 15.0) -> bool:
    """Stop the server process of ``info`` (its whole process group) and drop its info files; True if
    it was running. (``ls_notebook.stop()`` and ``Server.stop()`` end here.)"""
    was_running = info.process() is not None
    if was_running:
        _kill_group(info.pid, grace=timeout)
    info.remove()
    return was_running
