"""Reading media that tasks refer to by storage URI (``s3://...``), through Label Studio.

The kernel asks the server's resolve endpoint (``/projects/{id}/resolve/?fileuri=...``), which answers
with a presigned URL (followed here) or proxies the bytes; the cloud credentials stay on the server
and the browser needs none, because the kernel sends the bytes to the inline widget.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING

import httpx

from ls_notebook.errors import LabelStudioError

if TYPE_CHECKING:
    from ls_notebook.project import Project

__all__ = ["STORAGE_SCHEMES", "is_storage_uri", "read_media", "resolve_url"]

#: URI schemes Label Studio resolves through a connected storage.
STORAGE_SCHEMES = ("s3://", "gs://", "azure-blob://")


def is_storage_uri(value: object) -> bool:
    """True for ``s3://``, ``gs://`` and ``azure-blob://`` URIs.

    Examples
    --------
    >>> is_storage_uri("s3://bucket/a.png"), is_storage_uri("/data/upload/a.png")
    (True, False)
    """
    return isinstance(value, str) and value.startswith(STORAGE_SCHEMES)


def resolve_url(server_url: str, project_id: int, uri: str) -> str:
    """The server URL that resolves ``uri`` for ``project_id`` (base64 ``fileuri`` parameter).

    Examples
    --------
    >>> resolve_url("http://127.0.0.1:8080", 3, "s3://b/k.png")
    'http://127.0.0.1:8080/projects/3/resolve/?fileuri=czM6Ly9iL2sucG5n'
    """
    encoded = base64.urlsafe_b64encode(uri.encode()).decode()
    return f"{server_url.rstrip('/')}/projects/{int(project_id)}/resolve/?fileuri={encoded}"


def read_media(project: Project, uri: str, timeout: float = 60.0) -> bytes:
    """Return the bytes of ``uri`` (e.g. ``s3://bucket/cat.png``) through the project's storages.

    Raises
    ------
    LabelStudioError
        No connected storage of the project covers the URI, or the object cannot be read.

    Examples
    --------
    >>> read_media(project, "s3://bucket/images/cat.png")[:4]         # doctest: +SKIP
    b'\\x89PNG'
    """
    server = project.server
    url = resolve_url(server.url, project.id, uri)
    try:
        with httpx.Client(timeout=timeout, trust_env=False, follow_redirects=False) as http:
            response = http.get(url, headers=server._auth_headers())
            if response.is_redirect:  # a presigned URL: no Label Studio key goes to the storage
                response = http.get(str(response.headers["location"]))
    except httpx.HTTPError as exc:
        raise LabelStudioError(f"Could not read {uri}: {type(exc).__name__}: {exc}") from None
    if response.status_code != 200:
        raise LabelStudioError(
            f"Could not read {uri} (HTTP {response.status_code}): connect a storage covering its bucket "
            "with project.connect_storage(...) first."
        )
    return response.content
