"""attach(): the right key works; each wrong setup gets its own message."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

import ls_notebook as lsn
from ls_notebook.client import login
from ls_notebook.errors import AuthenticationError, ServerConnectionError
from ls_notebook.server._net import free_port

pytestmark = pytest.mark.server


def _creds(server: lsn.Server) -> dict[str, str]:
    return json.loads((server.data_dir / "ls_notebook.json").read_text())


def test_attach_with_the_right_key(server: lsn.Server) -> None:
    attached = lsn.attach(server.url, api_key=_creds(server)["token"])
    assert attached.user == _creds(server)["username"]
    assert not attached.is_local and attached.data_dir is None
    assert attached.version == server.version
    assert lsn.current() is attached
    assert isinstance(attached.projects(), type(server.projects()))


def test_attach_from_environment(server: lsn.Server, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LABEL_STUDIO_URL", server.url + "/")
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", _creds(server)["token"])
    assert lsn.attach().url == server.url


def test_wrong_key(server: lsn.Server) -> None:
    with pytest.raises(AuthenticationError, match="refused the API key") as info:
        lsn.attach(server.url, api_key="0" * 40)
    assert "0" * 40 not in str(info.value)


def test_missing_key(server: lsn.Server, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LABEL_STUDIO_API_KEY", raising=False)
    with pytest.raises(AuthenticationError, match="LABEL_STUDIO_API_KEY"):
        lsn.attach(server.url)


def test_unreachable_url() -> None:
    with pytest.raises(ServerConnectionError, match="Cannot reach Label Studio"):
        lsn.attach(f"http://127.0.0.1:{free_port()}", api_key="x" * 40)


def test_url_without_scheme(server: lsn.Server) -> None:
    bare = server.url.removeprefix("http://")
    with pytest.raises(ServerConnectionError, match="no http:// or https:// scheme"):
        lsn.attach(bare, api_key="x" * 40)


def test_personal_access_token_works(server: lsn.Server) -> None:
    creds = _creds(server)
    session = login(server.url, creds["username"], creds["password"])
    try:
        pat = session.post("/api/token/").json()["token"]
    finally:
        session.close()
    attached = lsn.attach(server.url, api_key=pat)
    assert attached.user == creds["username"]
    assert attached.projects() is not None


def test_revoked_personal_access_token(server: lsn.Server) -> None:
    with pytest.raises(AuthenticationError, match="Personal Access Token"):
        lsn.attach(server.url, api_key="eyJhbGciOiJIUzI1NiJ9.eyJ0b2tlbl90eXBlIjoicmVmcmVzaCJ9.c2lnbmF0dXJl")


def test_legacy_token_disabled_gets_its_own_message(fresh_data_dir: Path) -> None:
    srv = lsn.start(data_dir=fresh_data_dir)
    try:
        token = _creds(srv)["token"]
        resp = httpx.post(
            f"{srv.url}/api/jwt/settings",
            json={"legacy_api_tokens_enabled": False, "api_tokens_enabled": True},
            headers={"Authorization": f"Token {token}"},
            trust_env=False,
        )
        assert resp.status_code == 200, resp.text
        with pytest.raises(AuthenticationError, match="legacy tokens are disabled") as info:
            lsn.attach(srv.url, api_key=token)
        assert "Personal Access Token" in str(info.value)
        assert token not in str(info.value)
    finally:
        srv.stop()
