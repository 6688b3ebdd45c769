"""Pure parts of the server layer: URLs, links, database settings, credentials, executable lookup."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from ls_notebook._links import browser_url
from ls_notebook.client import normalize_url
from ls_notebook.errors import ServerConnectionError, ServerNotInstalledError, ServerStartError
from ls_notebook.server._credentials import Credentials
from ls_notebook.server._database import database_env, kind_of
from ls_notebook.server._executable import find_executable


def test_normalize_url() -> None:
    assert normalize_url(" https://ls.example.com/sub/ ") == "https://ls.example.com/sub"
    with pytest.raises(
        ServerConnectionError, match=r"no http:// or https:// scheme.*'http://localhost:8080'"
    ):
        normalize_url("localhost:8080")
    with pytest.raises(ServerConnectionError, match="LABEL_STUDIO_URL"):
        normalize_url("")


def test_links_plain_and_proxied(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LS_NOTEBOOK_PROXY_URL", raising=False)
    monkeypatch.delenv("JUPYTERHUB_SERVICE_PREFIX", raising=False)
    assert browser_url("http://127.0.0.1:9000", 9000, "/projects/3") == "http://127.0.0.1:9000/projects/3"
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/ann/")
    assert browser_url("http://127.0.0.1:9000", 9000, "projects/3") == "/user/ann/proxy/9000/projects/3"
    assert (
        browser_url("https://remote.example.com", None, "projects") == "https://remote.example.com/projects"
    )
    monkeypatch.setenv("LS_NOTEBOOK_PROXY_URL", "https://hub.example.com/proxy/{port}/")
    assert browser_url("http://127.0.0.1:9000", 9000, "") == "https://hub.example.com/proxy/9000/"


def test_database_env() -> None:
    env = database_env("postgresql://ls%40x:p%2Fw@10.0.0.5:6543/labels")
    assert env == {
        "DJANGO_DB": "default",
        "POSTGRE_NAME": "labels",
        "POSTGRE_USER": "ls@x",
        "POSTGRE_PASSWORD": "p/w",
        "POSTGRE_HOST": "10.0.0.5",
        "POSTGRE_PORT": "6543",
    }
    assert database_env("sqlite") == {} and database_env(None) == {}
    assert kind_of("postgresql://u:secret@h:1/db") == "postgresql://h:1/db"
    with pytest.raises(ServerStartError, match="postgresql://user:password@"):
        database_env("mysql://u@h/db")


def test_credentials_roundtrip_and_secrecy(tmp_path: Path) -> None:
    creds = Credentials.generate()
    assert len(creds.token) == 40 and len(creds.password) >= 20
    assert creds.token not in repr(creds) and creds.password not in repr(creds)
    path = creds.save(tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert Credentials.load(tmp_path) == creds
    assert Credentials.load(tmp_path / "nothing") is None
    assert Credentials.generate().token != creds.token


def test_executable_lookup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "label-studio"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setenv("LS_NOTEBOOK_SERVER_EXECUTABLE", str(fake))
    assert find_executable() == fake
    monkeypatch.setenv("LS_NOTEBOOK_SERVER_EXECUTABLE", str(tmp_path / "missing"))
    with pytest.raises(ServerNotInstalledError, match="LS_NOTEBOOK_SERVER_EXECUTABLE"):
        find_executable()
    monkeypatch.delenv("LS_NOTEBOOK_SERVER_EXECUTABLE")
    monkeypatch.setattr("sys.executable", str(tmp_path / "env" / "bin" / "python"))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(ServerNotInstalledError, match=r'pip install "ls_notebook\[server\]"'):
        find_executable()
    assert os.access(fake, os.X_OK)
