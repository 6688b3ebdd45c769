"""The connection object: one HTTP client per Server object, its own key, never another's."""

from __future__ import annotations

import gc

import httpx
import pytest

from ls_notebook.client import TIMEOUTS, Connection, ProjectRef
from ls_notebook.errors import ServerConnectionError

URL = "http://127.0.0.1:9"  # discard port: nothing answers, requests fail after the hooks ran


def sent_authorization(conn: Connection) -> str:
    """The Authorization header ``conn`` puts on a raw request (captured before it is sent)."""
    seen: list[str] = []
    conn.http.event_hooks["request"].append(lambda req: seen.append(req.headers.get("Authorization", "")))
    with pytest.raises(ServerConnectionError):
        conn.request("GET", "/api/version", "reading the version")
    return seen[0]


def test_a_new_server_object_at_a_freed_id_uses_its_own_key():
    """The old client cache was keyed by id(server): a new object reusing a freed id got the previous
    object's client, authenticated with the previous key. Objects made and dropped one after the
    other reuse ids in CPython; each must still send its own key."""
    seen_ids, reused = set(), 0
    for i in range(20):
        conn = Connection(URL, f"key-{i}")
        reused += id(conn) in seen_ids
        seen_ids.add(id(conn))
        assert sent_authorization(conn) == f"Token key-{i}"
        del conn
        gc.collect()
    assert reused, "no connection reused a freed id: the test would prove nothing"


def test_the_sdk_shares_the_connection_client_and_timeouts_come_from_one_place(monkeypatch):
    monkeypatch.setattr(TIMEOUTS, "request", 42.0)
    conn = Connection(URL, "key")
    assert conn.http.timeout.read == 42.0
    assert conn.sdk._client_wrapper.httpx_client.httpx_client is conn.http  # one pool for both
    assert "key" not in repr(conn) and "key" not in repr(ProjectRef(conn, 1))


def test_a_project_reference_reads_settings_through_the_given_reader():
    calls = []
    ref = ProjectRef(Connection(URL, "k"), 7, read=lambda: calls.append(1) or {"label_config": "<View/>"})
    assert (ref.id, ref.config, ref.title) == (7, "<View/>", "")
    assert len(calls) == 2
    with pytest.raises(AttributeError):
        ref.id = 8  # type: ignore[misc]  # frozen


def test_a_transport_error_names_the_server(monkeypatch):
    conn = Connection(URL, "k")
    with pytest.raises(ServerConnectionError, match=r"127\.0\.0\.1:9"):
        conn.request("GET", "/api/projects/", "listing projects")
    assert isinstance(conn.http, httpx.Client)
