"""A real S3-compatible server (moto) on 127.0.0.1 for the storage tests, and AWS settings for it."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator

import pytest

from ls_notebook.server._net import free_port

ACCESS = {"AWS_ACCESS_KEY_ID": "lsn-test-key", "AWS_SECRET_ACCESS_KEY": "lsn-test-secret"}
REGION = "us-east-1"


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """``http://127.0.0.1:PORT`` of a moto S3 server running in this process for the session."""
    from moto.server import ThreadedMotoServer  # the dev extra: moto[server]

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no access log per request
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Credentials in the environment, where ``connect_storage`` reads them (never passed by hand)."""
    for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        monkeypatch.delenv(key, raising=False)
    for key, value in {**ACCESS, "AWS_DEFAULT_REGION": REGION}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    return dict(ACCESS)


@pytest.fixture
def s3(s3_endpoint: str, aws_env: dict[str, str]):  # type: ignore[no-untyped-def]
    """A boto3 S3 client for the moto server."""
    import boto3

    return boto3.client("s3", endpoint_url=s3_endpoint, region_name=REGION)
