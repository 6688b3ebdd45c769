"""Reachability and authentication checks with one specific, actionable message per failure."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx

from ls_notebook.client._connection import TIMEOUTS, new_client
from ls_notebook.errors import AuthenticationError, ServerConnectionError

LEGACY_DISABLED_MARKER = "legacy token authentication has been disabled"


def normalize_url(url: str) -> str:
    """Validate a server URL and return it without a trailing slash.

    Examples
    --------
    >>> normalize_url("http://127.0.0.1:8080/")
    'http://127.0.0.1:8080'
    """
    if not isinstance(url, str) or not url.strip():
        raise ServerConnectionError(
            "No Label Studio URL given. Pass url= or set LABEL_STUDIO_URL, e.g. 'http://localhost:8080'."
        )
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ServerConnectionError(
            f"The URL {url!r} has no http:// or https:// scheme. Write it in full, e.g. 'http://{url}'."
        )
    return url.rstrip("/")


def auth_headers(api_key: str) -> dict[str, str]:
    """Return the Authorization header for a legacy token or a Personal Access Token (JWT)."""
    return {"Authorization": f"Token {api_key}"}


def is_jwt(api_key: str) -> bool:
    """True when ``api_key`` looks like a Personal Access Token (a JWT refresh token)."""
    return api_key.startswith("eyJ") and api_key.count(".") == 2


def check_reachable(url: str) -> None:
    """Raise :class:`ServerConnectionError` unless Label Studio answers at ``url``."""
    try:
        with new_client(timeout=TIMEOUTS.probe, follow_redirects=True) as http:
            resp = http.get(f"{url}/health")
    except httpx.HTTPError as exc:
        raise ServerConnectionError(
            f"Cannot reach Label Studio at {url} ({type(exc).__name__}). Check the URL and that the "
            "server is running (`label-studio start`, or ls_notebook.start() for a local one)."
        ) from None
    if resp.status_code >= 400:
        raise ServerConnectionError(
            f"{url}/health answered HTTP {resp.status_code}: this does not look like a running Label "
            "Studio. Check the URL (include any path prefix the server is published under)."
        )


def _error_detail(resp: httpx.Response) -> str:
    try:
        body = resp.json()
    except ValueError:
        return resp.text[:200]
    return str(body.get("detail", "")) if isinstance(body, dict) else ""


def check_auth(url: str, api_key: str | None) -> dict[str, Any]:
    """Return ``whoami`` for ``api_key``, or raise :class:`AuthenticationError` saying what to do."""
    if not api_key:
        raise AuthenticationError(
            "No API key given. Pass api_key= or set LABEL_STUDIO_API_KEY; copy the key from Label Studio's "
            "Account & Settings page (Personal Access Token)."
        )
    if is_jwt(api_key):
        try:
            with new_client(timeout=TIMEOUTS.probe) as http:
                resp = http.post(f"{url}/api/token/refresh/", json={"refresh": api_key})
        except httpx.HTTPError as exc:
            raise ServerConnectionError(f"Lost the connection to {url} ({type(exc).__name__}).") from None
        if resp.status_code != 200:
            raise AuthenticationError(
                f"Label Studio at {url} refused the Personal Access Token (it is invalid, expired or "
                "revoked). Create a new one on the Account & Settings page and pass it as api_key=."
            )
        headers = {"Authorization": f"Bearer {resp.json()['access']}"}
    else:
        headers = auth_headers(api_key)
    try:
        with new_client(timeout=TIMEOUTS.probe) as http:
            resp = http.get(f"{url}/api/current-user/whoami", headers=headers)
    except httpx.HTTPError as exc:
        raise ServerConnectionError(f"Lost the connection to {url} ({type(exc).__name__}).") from None
    if resp.status_code == 200:
        return resp.json()
    detail = _error_detail(resp)
    if LEGACY_DISABLED_MARKER in detail:
        raise AuthenticationError(
            f"This is a legacy API token, and legacy tokens are disabled on {url}. Use a Personal Access "
            "Token (Account & Settings → Personal Access Token), or have an admin enable legacy tokens "
            "(Organization → API Tokens Settings)."
        )
    if resp.status_code in (401, 403):
        raise AuthenticationError(
            f"Label Studio at {url} refused the API key (HTTP {resp.status_code}: {detail or 'no detail'}). "
            "Check LABEL_STUDIO_API_KEY / api_key=: copy it again from Account & Settings."
        )
    raise ServerConnectionError(f"{url}/api/current-user/whoami answered HTTP {resp.status_code}: {detail}")
