"""Raw HTTP to Label Studio for the endpoints where the SDK is slow or lacking (bulk import, task pages)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

from ls_notebook.client import api_errors
from ls_notebook.errors import LabelStudioError

if TYPE_CHECKING:
    from ls_notebook._server import Server

__all__ = ["request"]

_clients: dict[int, httpx.Client] = {}


def _client(server: Server) -> httpx.Client:
    client = _clients.get(id(server))
    if client is None or client.is_closed:
        client = httpx.Client(
            base_url=server.url, headers=server._auth_headers(), timeout=600.0, trust_env=False
        )
        _clients[id(server)] = client
    return client


def request(
    server: Server,
    method: str,
    path: str,
    doing: str,
    refused: type[LabelStudioError] = LabelStudioError,
    **kwargs: Any,
) -> Any:
    """Send one request and return its decoded JSON, raising the package's errors on failure.

    A 4xx answer raises ``refused`` (e.g. :class:`DataError` when the server rejects the data).
    """
    with api_errors(doing, server.url):
        resp = _client(server).request(method, path, **kwargs)
    if resp.status_code >= 400:
        detail = resp.text[:500]
        kind = refused if resp.status_code < 500 else LabelStudioError
        raise kind(f"Label Studio answered HTTP {resp.status_code} while {doing}: {detail}")
    return resp.json() if resp.content else None
