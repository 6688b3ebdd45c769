"""Info files of running servers, checked against reality before they are trusted.

An info file records what a live server looks like (pid, process start time, port, URL, data dir,
version). It is trusted only when the process is alive, is the same process (start time matches, so a
recycled pid is not mistaken for it) and answers ``/health`` at the recorded URL; otherwise it is
stale and removed. Unlike TensorBoard's manager, nothing is inferred from the file alone.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import psutil

from ls_notebook.server._files import ensure_private_dir, info_path, read_json, run_dir, write_private_json
from ls_notebook.server._net import healthy


@dataclass(frozen=True)
class ServerInfo:
    """Public facts about a running local server (no secrets)."""

    pid: int
    create_time: float
    port: int
    url: str
    data_dir: str
    version: str
    started_at: float
    executable: str
    database: str = "sqlite"

    def save(self) -> Path:
        """Write this info file (0600) and return its path."""
        ensure_private_dir(run_dir())
        path = info_path(Path(self.data_dir))
        write_private_json(path, asdict(self))
        return path

    def remove(self) -> None:
        """Delete this server's info file if it is still ours."""
        path = info_path(Path(self.data_dir))
        current = read_json(path)
        if current and current.get("pid") == self.pid:
            path.unlink(missing_ok=True)

    def process(self) -> psutil.Process | None:
        """Return the server's process when it is alive and is the one recorded, else None."""
        try:
            proc = psutil.Process(self.pid)
            if abs(proc.create_time() - self.create_time) > 1.0 or proc.status() == psutil.STATUS_ZOMBIE:
                return None
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            return None
        return proc

    def is_alive(self) -> bool:
        """True when the recorded process is alive and answers ``/health``."""
        return self.process() is not None and healthy(self.url)


def load(path: Path) -> ServerInfo | None:
    """Parse an info file; None (and the file removed) when it is malformed."""
    data = read_json(path)
    if data is None:
        return None
    try:
        return ServerInfo(**data)
    except TypeError:
        path.unlink(missing_ok=True)
        return None


def for_data_dir(data_dir: Path) -> ServerInfo | None:
    """Return the info of the live server of ``data_dir``; a stale info file is removed."""
    path = info_path(data_dir)
    info = load(path)
    if info is None:
        return None
    if info.process() is None:
        path.unlink(missing_ok=True)
        return None
    return info


def running() -> list[ServerInfo]:
    """Return the info of every live server started by this package (stale files are removed)."""
    found = []
    folder = run_dir()
    if not folder.is_dir():
        return found
    for path in sorted(folder.glob("*.json")):
        info = load(path)
        if info is None:
            continue
        if info.is_alive():
            found.append(info)
        elif info.process() is None:
            path.unlink(missing_ok=True)
    return found


def wait_gone(proc: psutil.Process, timeout: float) -> bool:
    """Wait until ``proc`` has exited; True when it did within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(psutil.NoSuchProcess):
            if not proc.is_running() or proc.status() == psutil.STATUS_ZOMBIE:
                return True
            time.sleep(0.1)
            continue
        return True
    return False
