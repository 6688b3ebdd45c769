"""Label Studio's database settings from a URL (``sqlite`` or ``postgresql://user:pw@host:port/db``)."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from ls_notebook.errors import ServerStartError


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
