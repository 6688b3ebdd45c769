"""Uploading a push's local media (files, bytes) to the server, once per content.

Files go through Label Studio's import endpoint without creating tasks
(``POST /api/projects/{id}/import?commit_to_project=false`` with the files): the server stores them
under ``upload/<project>/`` as it does for the UI's uploads, and the tasks then hold their
``/data/upload/...`` URLs, which the labeling UI, the inline editor and exports read. Each upload is
named after the SHA-256 of its content (``<stem>-<16 hex digits><suffix>``), so content already
uploaded to the project (an earlier push, an interrupted one, another row) is reused, not sent again.
Works the same for local and attached servers.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ls_notebook.errors import DataError
from ls_notebook.tasks._media import UPLOAD_TYPES, LocalMedia

if TYPE_CHECKING:
    from ls_notebook.client import ProjectRef

__all__ = ["resolve_media"]

MAX_FILES = 50  # per request; Label Studio refuses more than DATA_UPLOAD_MAX_NUMBER_FILES (100)
MAX_BYTES = 64 * 2**20  # per request; its limit is DATA_UPLOAD_MAX_MEMORY_SIZE (250 MB)


def _tag(name: str) -> str:
    """The digest-and-suffix tail of an upload name (``-<16 hex><suffix>``) that identifies content."""
    stem, dot, suffix = name.rpartition(".")
    return f"{stem[-17:]}{dot}{suffix.lower()}" if dot else name[-17:]


def _url(project: ProjectRef, stored: str) -> str:
    """Task URL of a stored upload (``upload/3/ab12-x.png`` → ``/data/upload/3/ab12-x.png``)."""
    prefix = urlsplit(project.conn.url).path.rstrip("/")  # a server under a path prefix
    return f"{prefix}/data/{stored.lstrip('/')}"


def _uploaded(project: ProjectRef, ids: list[int] | None = None) -> dict[str, str]:
    """Content tag → task URL of the project's uploads (all of them, or those with ``ids``)."""
    params: dict[str, Any] = {"all": "true"} if ids is None else {"ids": json.dumps(ids)}
    body = project.conn.request(
        "GET",
        f"/api/projects/{project.id}/file-uploads",
        f"listing the uploaded files of project {project.id}",
        params=params,
    )
    return {_tag(str(f["file"])): _url(project, str(f["file"])) for f in body or [] if f.get("file")}


def _chunks(items: list[LocalMedia]) -> Iterable[list[LocalMedia]]:
    chunk: list[LocalMedia] = []
    size = 0
    for item in items:
        n = len(item.content())
        if chunk and (len(chunk) >= MAX_FILES or size + n > MAX_BYTES):
            yield chunk
            chunk, size = [], 0
        chunk.append(item)
        size += n
    if chunk:
        yield chunk


def _send(project: ProjectRef, chunk: list[LocalMedia]) -> dict[str, str]:
    files = [
        (f"file{i}", (item.filename, item.content(), UPLOAD_TYPES[item.suffix]))
        for i, item in enumerate(chunk)
    ]
    body = project.conn.request(
        "POST",
        f"/api/projects/{project.id}/import",
        f"uploading {len(chunk)} media files to project {project.id}",
        refused=DataError,
        params={"commit_to_project": "false"},
        files=files,
    )
    ids = [int(i) for i in (body or {}).get("file_upload_ids") or []]
    return _uploaded(project, ids) if ids else {}


def resolve_media(project: ProjectRef, items: list[LocalMedia], progress: bool = True) -> dict[int, str]:
    """Upload the content of ``items`` not yet on the server; return ``id(item)`` → task URL.

    Raises
    ------
    DataError
        The server refused a file (e.g. too large).
    """
    if not items:
        return {}
    from tqdm.auto import tqdm

    known = _uploaded(project)
    missing: dict[str, LocalMedia] = {}
    for item in items:
        tag = _tag(item.filename)
        if tag not in known:
            missing.setdefault(tag, item)
    with tqdm(total=len(missing), desc="upload", unit="file", disable=not progress or not missing) as bar:
        for chunk in _chunks(list(missing.values())):
            known.update(_send(project, chunk))
            bar.update(len(chunk))
    out: dict[int, str] = {}
    for item in items:
        url = known.get(_tag(item.filename))
        if url is None:
            raise DataError(
                f"Column {item.column!r}, row {item.row!r}: the server stored no file for the upload "
                f"{item.filename!r}; push again, and look at the server's log if it persists."
            )
        out[id(item)] = url
    return out
