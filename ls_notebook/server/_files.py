"""Where the package keeps its files: data dirs, the registry of running servers, credentials.

Layout of a data dir (one Label Studio instance, its embedded SQLite and media)::

    <data_dir>/
        label_studio.sqlite3      Label Studio's database (when not on PostgreSQL)
        media/ export/ ...        Label Studio's files
        ls_notebook.json          credentials (0600): admin e-mail, password, API token
        ls_notebook.database.json the database it was created with (0600: a URL may hold a password)
        server.log                the server's stdout/stderr, kept for error messages
        ls_notebook.server.json   info of the live server of this data dir (pid, port; no secrets)

Running servers are listed in ``<home>/run/<hash of data dir>.json`` (info files), where ``<home>``
is ``$LS_NOTEBOOK_HOME`` or the per-user data directory.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import platformdirs

CREDENTIALS_FILE = "ls_notebook.json"
DATABASE_FILE = "ls_notebook.database.json"
LOG_FILE = "server.log"
DATA_DIR_INFO_FILE = "ls_notebook.server.json"
SQLITE_FILE = "label_studio.sqlite3"


def home() -> Path:
    """Return the package's per-user folder (``$LS_NOTEBOOK_HOME`` overrides it)."""
    env = os.environ.get("LS_NOTEBOOK_HOME")
    return Path(env).expanduser() if env else Path(platformdirs.user_data_dir("ls_notebook"))


def default_data_dir() -> Path:
    """Return the data dir used when ``start()`` is given none."""
    return home() / "default"


def run_dir() -> Path:
    """Return the folder of info files of running servers."""
    return home() / "run"


def info_path(data_dir: Path) -> Path:
    """Return the info file path for the server of ``data_dir``."""
    digest = hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:16]
    return run_dir() / f"{digest}.json"


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) readable by the owner only; fail clearly if not writable."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.chmod(0o700)
    return path


def write_private_json(path: Path, payload: dict[str, Any]) -> None:
    """Atomically write ``payload`` as JSON to a file readable by the owner only (0600)."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(payload, fh)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def read_json(path: Path) -> dict[str, Any] | None:
    """Read a JSON object from ``path``; None when it is missing or unreadable."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def log_tail(data_dir: Path, lines: int = 25) -> str:
    """Return the last ``lines`` lines of the server log of ``data_dir`` ('' when there is none)."""
    try:
        text = (data_dir / LOG_FILE).read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])
