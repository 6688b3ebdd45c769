"""Users of a server: creating annotators and finding their API keys (local servers)."""

from __future__ import annotations

import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from ls_notebook.errors import LabelStudioError


@dataclass(frozen=True)
class User:
    """A Label Studio user. ``api_key`` is hidden from ``repr``; use it only to authenticate."""

    id: int
    email: str
    api_key: str | None = field(default=None, repr=False)


def token_from_sqlite(db_path: Path, user_id: int) -> str | None:
    """Read a user's legacy API token from a local server's SQLite file (read-only)."""
    uri = f"file:{db_path}?mode=ro"
    with sqlite3.connect(uri, uri=True, timeout=10) as conn:
        row = conn.execute("SELECT key FROM authtoken_token WHERE user_id = ?", (user_id,)).fetchone()
    return str(row[0]) if row else None


def token_from_postgres(url: str, user_id: int) -> str | None:
    """Read a user's legacy API token from a local server's PostgreSQL database (read-only).

    ``psycopg`` comes with the ``server`` extra (Label Studio depends on it); without it, None.
    """
    try:
        import psycopg
    except ImportError:  # pragma: no cover - installed with label-studio
        return None
    try:
        with psycopg.connect(url, connect_timeout=10, autocommit=True) as conn:
            conn.read_only = True
            row = conn.execute("SELECT key FROM authtoken_token WHERE user_id = %s", (user_id,)).fetchone()
    except psycopg.Error as exc:
        raise LabelStudioError(
            f"Could not read the API key of user {user_id} from the server's PostgreSQL database "
            f"({type(exc).__name__}); check that the database is reachable."
        ) from None
    return str(row[0]) if row else None


def token_from_cli(executable: str, data_dir: Path, email: str, env: dict[str, str]) -> str | None:
    """Ask ``label-studio user --username EMAIL`` for a user's token (any database backend)."""
    try:
        out = subprocess.run(
            [executable, "user", "--username", email, "--data-dir", str(data_dir)],
            capture_output=True,
            text=True,
            timeout=180,
            env=env,
            cwd=data_dir,
            check=False,
        ).stdout
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise LabelStudioError(f"Could not read the API key of {email}: {exc}") from None
    marker = "'token': '"
    start = out.find(marker)
    if start < 0:
        return None
    start += len(marker)
    return out[start : out.find("'", start)]
