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
    if client is not None and str(client.base_url).rstrip("/") != server.url:  # a restarted local server
        client.close()
        client = None
    if client is None or client.is_closed:
        client = httpx.Client(
            base_url=server.url, headers=server._auth_headers(), timeout=600.0, trust_env=False
        )
        _clients[id(server)] = client
    return client


def _detail(resp: httpx.Response) -> str:
    """The server's explanation on one line (its ``detail`` field when it sent JSON)."""
    try:
        body = resp.json()
    except ValueError:
        body = None
    text = str(body.get("detail") or body) if isinstance(body, dict) else resp.text
    first = text.strip().splitlines()[0] if text.strip() else ""  # not a database error's context lines
    return " ".join(first.split())[:300] or "no detail"


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
    if resp.status_code >= 500:
        raise LabelStudioError(
            f"Label Studio failed while {doing} (HTTP {resp.status_code}: {_detail(resp)}). Retry; if it "
            "persists, look at the server's log (server.log in the data dir of a local server)."
        )
    if resp.status_code >= 400:
        raise refused(f"Label Studio answered HTTP {resp.status_code} while {doing}: {_detail(resp)}")
    return resp.json() if resp.content else None
