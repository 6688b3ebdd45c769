"""Kernel side of the web UI's login hand-over (server side: ``_django/ls_notebook_settings.py``).

The kernel that knows a server's data dir writes a one-time ticket there; the browser's frame opens
``<server>/ls-notebook/login?ticket=T&next=PATH`` and the server, which reads the same data dir, logs
the ticket's user in and redirects. No IPython here; the constants mirror the server module, which
cannot be imported outside a Label Studio process.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import time
from pathlib import Path

__all__ = ["HANDOVER_HEADER", "HANDOVER_PATH", "write_ticket"]

HANDOVER_PATH = "ls-notebook/login"
TICKET_FOLDER = "ls_notebook.handover"
TICKET_SECONDS = 120
HANDOVER_HEADER = "X-LS-Notebook-Handover"


def write_ticket(data_dir: Path, email: str) -> str:
    """Write a one-time login ticket for ``email`` into ``data_dir`` (owner-only) and return it.

    Tickets older than the server accepts are removed on the way.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> ticket = write_ticket(folder, "admin@localhost")
    >>> len(ticket) > 30, len(list((folder / TICKET_FOLDER).iterdir()))
    (True, 1)
    """
    folder = Path(data_dir) / TICKET_FOLDER
    folder.mkdir(mode=0o700, exist_ok=True)
    now = time.time()
    for old in folder.iterdir():
        try:
            if now - old.stat().st_mtime > TICKET_SECONDS:
                old.unlink()
        except OSError:
            pass
    ticket = secrets.token_urlsafe(32)
    path = folder / hashlib.sha256(ticket.encode()).hexdigest()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump({"email": email}, handle)
    return ticket
