"""Credentials of a local server: generated on first start, kept in a 0600 file in the data dir.

The API key is Label Studio's legacy per-user token, created by ``label-studio init --user-token``
with legacy tokens enabled for the organization (``--enable-legacy-api-token``). It works with
label-studio-sdk 2.x (``LabelStudio(base_url=, api_key=)``) and never expires, which suits a local
server whose credentials live next to its database. The values never leave this file except to
authenticate requests: no repr, log line, widget or error message contains them.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path

from ls_notebook.server._files import CREDENTIALS_FILE, read_json, write_private_json

DEFAULT_USERNAME = "admin@ls-notebook.local"


@dataclass(frozen=True)
class Credentials:
    """Admin account of a local server. ``repr`` hides the secrets."""

    username: str
    password: str = field(repr=False)
    token: str = field(repr=False)

    @classmethod
    def generate(cls, username: str | None = None, password: str | None = None) -> Credentials:
        """Create new credentials with a random password and API token."""
        return cls(
            username=username or DEFAULT_USERNAME,
            password=password or secrets.token_urlsafe(18),
            token=secrets.token_hex(20),
        )

    @classmethod
    def load(cls, data_dir: Path) -> Credentials | None:
        """Read the credentials file of ``data_dir``; None when there is none."""
        data = read_json(data_dir / CREDENTIALS_FILE)
        if not data or not all(isinstance(data.get(k), str) for k in ("username", "password", "token")):
            return None
        return cls(username=data["username"], password=data["password"], token=data["token"])

    def save(self, data_dir: Path) -> Path:
        """Write the credentials to ``data_dir`` with mode 0600 and return the file's path."""
        path = data_dir / CREDENTIALS_FILE
        write_private_json(path, {"username": self.username, "password": self.password, "token": self.token})
        return path
