"""Reading the files tasks refer to, in the kernel: server paths, other sites, local files, storage URIs.

The browser may not reach the Label Studio server (remote kernels, Binder, Colab), so the kernel
reads each file a task's media keys point to (:func:`fetch_media`) and the inline editor gets the
bytes as binary buffers. Storage URIs (``s3://...``) are read through the server's resolve endpoint
(``/projects/{id}/resolve/?fileuri=...``, :func:`read_media`), which answers with a presigned URL
(followed here, without the Label Studio key) or proxies the bytes: the cloud credentials stay on the
server. Every request to the server goes through its :class:`~ls_notebook.client.Connection`.
"""

from __future__ import annotations

import base64
import mimetypes
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from ls_notebook.client import new_client
from ls_notebook.errors import LabelStudioError, MediaError
from ls_notebook.tasks._media import STORAGE_SCHEMES, is_storage_uri

if TYPE_CHECKING:
    from ls_notebook.client import Connection, ProjectRef

__all__ = ["STORAGE_SCHEMES", "fetch_media", "is_storage_uri", "read_media", "resolve_url"]

_LIMIT = 200 * 1024 * 1024  # largest file sent to the editor


def resolve_url(server_url: str, project_id: int, uri: str) -> str:
    """The server URL that resolves ``uri`` for ``project_id`` (base64 ``fileuri`` parameter).

    Examples
    --------
    >>> resolve_url("http://127.0.0.1:8080", 3, "s3://b/k.png")
    'http://127.0.0.1:8080/projects/3/resolve/?fileuri=czM6Ly9iL2sucG5n'
    """
    encoded = base64.urlsafe_b64encode(uri.encode()).decode()
    return f"{server_url.rstrip('/')}/projects/{int(project_id)}/resolve/?fileuri={encoded}"


def read_media(project: Any, uri: str, timeout: float = 60.0) -> bytes:
    """Return the bytes of ``uri`` (e.g. ``s3://bucket/cat.png``) through the project's storages.

    ``project`` is a :class:`~ls_notebook.Project` (or the reference it gives its helpers).

    Raises
    ------
    LabelStudioError
        No connected storage of the project covers the URI, or the object cannot be read.

    Examples
    --------
    >>> read_media(project, "s3://bucket/images/cat.png")[:4]         # doctest: +SKIP
    b'\\x89PNG'
    """
    ref: ProjectRef = getattr(project, "_ref", project)
    conn = ref.conn
    url = resolve_url(conn.url, ref.id, uri)
    try:
        response = conn.send("GET", url, timeout=timeout, follow_redirects=False)
        if response.is_redirect:  # a presigned URL: no Label Studio key goes to the storage
            with new_client(timeout=timeout) as other:
                response = other.get(str(response.headers["location"]))
    except httpx.HTTPError as exc:
        raise LabelStudioError(f"Could not read {uri}: {type(exc).__name__}: {exc}") from None
    if response.status_code != 200:
        raise LabelStudioError(
            f"Could not read {uri} (HTTP {response.status_code}): connect a storage covering its bucket "
            "with project.connect_storage(...) first."
        )
    return response.content


def fetch_media(
    data: Mapping[str, Any],
    keys: Sequence[str],
    conn: Connection,
    local_roots: Sequence[Path] = (),
) -> tuple[list[tuple[str, str]], list[bytes]]:
    """Read the files ``data[key]`` points to.

    Parameters
    ----------
    data
        The task's data.
    keys
        Keys holding media URLs (see :func:`ls_notebook.tasks._media.media_keys`).
    conn
        The server's connection: its own paths (``/data/...``, its URL) are read with the key, which
        stays in the kernel; other sites get no key.
    local_roots
        Folders from which local file paths may be read.

    Returns
    -------
    ([(key, mime type), ...], [bytes, ...])
        Values that are not a server path, a URL or an allowed file (``data:`` URIs, plain text) are
        left for the editor as they are.
    """
    described: list[tuple[str, str]] = []
    buffers: list[bytes] = []
    for key in keys:
        value = data.get(key)
        if not isinstance(value, str) or not value or value.startswith(("data:", "blob:")):
            continue
        body = _read(value, conn, local_roots)
        if body is None:
            continue
        described.append((key, _mime(value, body)))
        buffers.append(body)
    return described, buffers


def _read(value: str, conn: Connection, roots: Sequence[Path]) -> bytes | None:
    base = conn.url.rstrip("/")
    if value.startswith(base + "/"):
        return _get(value, conn)
    if value.startswith(("http://", "https://")):
        return _get(value, None)  # another site: never send the server's key there
    if not value.startswith(("/", "~")):
        return None  # plain text, or a value the editor resolves itself
    path = Path(value).expanduser()
    if path.is_file():
        resolved = path.resolve()
        if any(resolved.is_relative_to(Path(r).resolve()) for r in roots):
            return resolved.read_bytes()
        raise MediaError(
            f"{value} is outside the folders allowed for local media ({', '.join(map(str, roots))})"
        )
    # A path on the Label Studio server: uploads (/data/upload/…), local storage, samples.
    return _get(base + value, conn)


def _get(url: str, conn: Connection | None) -> bytes:
    try:
        if conn is not None:
            response = conn.send("GET", url, timeout=60, follow_redirects=True)
        else:
            with new_client(timeout=60, follow_redirects=True) as other:
                response = other.get(url)
    except httpx.HTTPError as exc:
        raise MediaError(f"could not fetch {url}: {type(exc).__name__}") from None
    if response.status_code != 200:
        raise MediaError(f"could not fetch {url}: HTTP {response.status_code}")
    if len(response.content) > _LIMIT:
        raise MediaError(f"{url} is larger than {_LIMIT // 2**20} MB")
    return response.content


def _mime(value: str, body: bytes) -> str:
    guess = mimetypes.guess_type(value.split("?")[0])[0]
    if guess:
        return guess
    if body[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    if body[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if body[:4] == b"RIFF":
        return "audio/wav"
    return "application/octet-stream"
