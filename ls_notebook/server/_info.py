"""Info files of running servers, checked against reality before they are trusted.

An info file records what a live server looks like (pid, process start time, port, URL, data dir,
version). It is trusted only when the process is alive, is the same process (start time matches, so a
recycled pid is not mistaken for it) and answers ``/health`` at the recorded URL; otherwise it is
stale and removed. Unlike TensorBoard's manager, nothing is inferred from the file alone.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import psutil

from ls_notebook.server._files import (
    DATA_DIR_INFO_FILE,
    ensure_private_dir,
    info_path,
    read_json,
    run_dir,
    write_private_json,
)
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
        """Write this info file (0600) in the data dir and in the registry; return the registry's."""
        ensure_private_dir(run_dir())
        for path in _paths(Path(self.data_dir)):
            write_private_json(path, asdict(self))
        return info_path(Path(self.data_dir))

    def remove(self) -> None:
        """Delete this server's info files if they are still ours."""
        for path in _paths(Path(self.data_dir)):
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


def _paths(data_dir: Path) -> tuple[Path, Path]:
    """The data dir's own record (authoritative, whatever ``$LS_NOTEBOOK_HOME`` is) and the registry's."""
    return data_dir / DATA_DIR_INFO_FILE, info_path(data_dir)


def for_data_dir(data_dir: Path) -> ServerInfo | None:
    """Return the info of the live server of ``data_dir``; stale info files are removed.

    The record kept in the data dir itself is read first, so two kernels with different
    ``$LS_NOTEBOOK_HOME`` never start two servers on one database; a record copied along with a data
    dir (it names another folder) is not trusted.
    """
    for path in _paths(data_dir):
        info = load(path)
        if info is None:
            continue
        if info.process() is None or Path(info.data_dir) != data_dir.resolve():
            path.unlink(missing_ok=True)
            continue
        return info
    return None


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
