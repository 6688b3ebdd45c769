"""Label Studio's database settings from a URL (``sqlite`` or ``postgresql://user:pw@host:port/db``)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from ls_notebook.errors import ServerStartError
from ls_notebook.server._files import DATABASE_FILE, read_json, write_private_json


def database_env(database: str | None) -> dict[str, str]:
    """Return the environment variables that point Label Studio at ``database``.

    ``None`` or ``"sqlite"`` keeps Label Studio's embedded SQLite in the data dir. A
    ``postgresql://`` URL sets Label Studio's ``DJANGO_DB`` / ``POSTGRE_*`` settings.

    Examples
    --------
    >>> env = database_env("postgresql://ls:pw@127.0.0.1:5433/labels")
    >>> env["DJANGO_DB"], env["POSTGRE_NAME"], env["POSTGRE_PORT"]
    ('default', 'labels', '5433')
    >>> database_env(None)
    {}
    """
    if database in (None, "", "sqlite"):
        return {}
    parts = urlsplit(str(database))
    if parts.scheme not in ("postgresql", "postgres") or not parts.path.strip("/"):
        raise ServerStartError(
            f"Unsupported database {kind_of(database)!r}: pass database=None for the embedded SQLite or a "
            "URL like 'postgresql://user:password@127.0.0.1:5432/dbname'."
        )
    return {
        "DJANGO_DB": "default",
        "POSTGRE_NAME": unquote(parts.path.strip("/")),
        "POSTGRE_USER": unquote(parts.username or "postgres"),
        "POSTGRE_PASSWORD": unquote(parts.password or ""),
        "POSTGRE_HOST": parts.hostname or "127.0.0.1",
        "POSTGRE_PORT": str(parts.port or 5432),
    }


def kind_of(database: str | None) -> str:
    """Describe ``database`` without its password (for info files and messages)."""
    if database in (None, "", "sqlite"):
        return "sqlite"
    parts = urlsplit(str(database))
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


def remember(data_dir: Path, database: str | None) -> None:
    """Record in ``data_dir`` (0600: the URL may hold a password) which database it was created with."""
    write_private_json(data_dir / DATABASE_FILE, {"database": database or "sqlite"})


def resolve(data_dir: Path, database: str | None) -> str | None:
    """Return the database to start ``data_dir`` with: ``database``, or the one it was created with.

    A restart with ``start(data_dir=...)`` alone keeps using the data dir's PostgreSQL database; asking
    for another database than the one the data dir was created with raises (its credentials and
    API key live in that database).
    """
    stored = (read_json(data_dir / DATABASE_FILE) or {}).get("database")
    if not isinstance(stored, str):
        return database
    wanted = database or None
    if wanted is None:
        return None if stored == "sqlite" else stored
    if (stored == "sqlite" and wanted != "sqlite") or (stored != "sqlite" and wanted != stored):
        raise ServerStartError(
            f"The data dir {data_dir} was created with the database {kind_of(stored)}, not "
            f"{kind_of(wanted)}. Omit database= to use it, or pass another data_dir= for a new server."
        )
    return None if stored == "sqlite" else stored
