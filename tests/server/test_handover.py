"""The web UI's login hand-over on a real server started by ``ls_notebook.start()``.

A one-time ticket written by the kernel into the data dir is exchanged at ``ls-notebook/login`` for a
session cookie of the admin; a used, unknown or expired ticket and an absolute ``next`` are refused.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import httpx
import pytest

from ls_notebook.client import handover_supported
from ls_notebook.server import _handover

pytestmark = pytest.mark.server


def _redeem(server, ticket: str, **params: str) -> httpx.Response:
    return httpx.get(
        f"{server.url}/{_handover.HANDOVER_PATH}",
        params={"ticket": ticket, **params},
        timeout=30,
        trust_env=False,
    )


def test_ticket_logs_in_once(server):
    assert handover_supported(server.url)
    email = server.client.users.whoami().email
    ticket = _handover.write_ticket(Path(server.data_dir), email)
    response = _redeem(server, ticket)
    assert response.status_code == 204
    session = response.cookies["sessionid"]
    me = httpx.get(f"{server.url}/api/current-user/whoami", cookies={"sessionid": session}, timeout=30)
    assert me.status_code == 200 and me.json()["email"] == email

    again = _redeem(server, ticket)
    assert again.status_code == 403 and "used already" in again.text
    assert "sessionid" not in again.cookies or again.cookies["sessionid"] != session


def test_redirect_stays_relative(server):
    ticket = _handover.write_ticket(Path(server.data_dir), server.client.users.whoami().email)
    response = _redeem(server, ticket, next="projects/?page=2")
    assert response.status_code == 302
    assert response.headers["Location"] == "../projects/?page=2"


@pytest.mark.parametrize("target", ["/projects/", "//evil.example/", "https://evil.example/", "\\\\evil"])
def test_absolute_next_refused(server, target):
    ticket = _handover.write_ticket(Path(server.data_dir), server.client.users.whoami().email)
    response = _redeem(server, ticket, next=target)
    assert response.status_code == 400


def test_expired_and_unknown_tickets_refused(server):
    ticket = _handover.write_ticket(Path(server.data_dir), server.client.users.whoami().email)
    folder = Path(server.data_dir) / _handover.TICKET_FOLDER
    old = time.time() - _handover.TICKET_SECONDS - 5
    for path in folder.iterdir():
        os.utime(path, (old, old))
    response = _redeem(server, ticket)
    assert response.status_code == 403 and "expired" in response.text
    assert _redeem(server, "not-a-ticket").status_code == 403


def test_ticket_file_is_owner_only(server):
    _handover.write_ticket(Path(server.data_dir), "someone@localhost")
    folder = Path(server.data_dir) / _handover.TICKET_FOLDER
    assert folder.stat().st_mode & 0o777 == 0o700
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in folder.iterdir())
