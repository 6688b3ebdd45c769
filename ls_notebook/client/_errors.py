"""Turn SDK and HTTP failures into the package's exceptions, with what to do next."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import httpx
from label_studio_sdk.core.api_error import ApiError

from ls_notebook.errors import (
    AuthenticationError,
    ConfigError,
    LabelStudioError,
    ProjectError,
    ServerConnectionError,
)


def _detail(exc: ApiError) -> str:
    """The server's explanation, on one line (a database error's context lines are dropped)."""
    body = exc.body
    if isinstance(body, dict):
        parts = [str(body.get("detail") or "").splitlines()[0] if body.get("detail") else ""]
        errors = body.get("validation_errors")
        if isinstance(errors, dict):
            for key, value in errors.items():
                parts.append(f"{key}: {'; '.join(map(str, value)) if isinstance(value, list) else value}")
        text = " ".join(p for p in parts if p)
    else:
        text = str(body) if body else ""
    return " ".join(text.split())[:300]


def translate(exc: Exception, doing: str, url: str) -> LabelStudioError:
    """Return the package exception for ``exc`` raised while ``doing`` something at ``url``."""
    if isinstance(exc, ApiError):
        status, detail = exc.status_code or 0, _detail(exc)
        if status in (401, 403):
            return AuthenticationError(
                f"Label Studio refused {doing} (HTTP {status}: {detail}). The API key may have been revoked "
                "or lacks the permission: attach again with a valid key."
            )
        if status == 404:
            return ProjectError(f"Not found while {doing} (HTTP 404): it may have been deleted on the server")
        if status == 400 and "label_config" in detail:
            return ConfigError(f"Label Studio rejected the label config while {doing}: {detail}")
        if status >= 500:
            return LabelStudioError(
                f"Label Studio failed while {doing} (HTTP {status}). Nothing was changed by ls_notebook; "
                f"retry, and look at the server log if it persists. {detail}".strip()
            )
        return LabelStudioError(f"Label Studio refused {doing} (HTTP {status}): {detail}")
    if isinstance(exc, httpx.TransportError | ConnectionError):
        return ServerConnectionError(
            f"Label Studio at {url} does not answer ({type(exc).__name__}) while {doing}. Is the server "
            "still running? ls_notebook.start() restarts a local one; check the URL for a remote one."
        )
    return LabelStudioError(f"{type(exc).__name__} while {doing}: {exc}")


@contextlib.contextmanager
def api_errors(doing: str, url: str) -> Iterator[None]:
    """Context manager translating SDK/HTTP errors raised inside it (see :func:`translate`)."""
    try:
        yield
    except LabelStudioError:
        raise
    except (ApiError, httpx.HTTPError, ConnectionError) as exc:
        raise translate(exc, doing, url) from None
