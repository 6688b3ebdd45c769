"""Media columns: local file paths and bytes that must be uploaded before tasks can show them.

A column read by a media tag of the config (``<Image>``, ``<Audio>``, ``<Video>``...) may hold:

- URLs, which pass through: ``http(s)://``, ``data:``, storage URIs (``s3://``, ``gs://``,
  ``azure-blob://``), other ``scheme://`` values, and the server's own paths (``/data/...``);
- local file paths (``str`` or ``pathlib.Path``, ``file://`` URLs), which must exist;
- ``bytes`` (e.g. PNG or WAV contents), whose type is recognised from their first bytes.

Local files and bytes become :class:`LocalMedia` items; :mod:`ls_notebook.project._upload` sends them
to the server and puts the server's ``/data/upload/...`` URL in the task. This module does no I/O
beyond checking and reading local files.
"""

from __future__ import annotations

import hashlib
import os
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ls_notebook.configs import data_variables
from ls_notebook.errors import DataError

__all__ = [
    "FILE_TAGS",
    "MEDIA_TAGS",
    "STORAGE_SCHEMES",
    "LocalMedia",
    "check_media",
    "is_storage_uri",
    "media_columns",
    "media_keys",
    "split_media",
]

#: Object tags whose value is a media file's URL (lower case, as the SDK reports them); a push
#: uploads local files and bytes given for them.
MEDIA_TAGS = frozenset({"image", "audio", "audioplus", "video", "pdf"})
#: Every object tag whose value may be a file's URL (what the inline editor's kernel side reads):
#: the media tags, ``TimeSeries`` (a CSV), ``Paragraphs`` (its ``audioUrl``), and ``Text`` /
#: ``HyperText`` with ``valueType="url"``.
FILE_TAGS = MEDIA_TAGS | {"timeseries", "paragraphs"}
_URL_VALUE_TAGS = frozenset({"text", "hypertext"})

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


def config_tags(config: str) -> list[ET.Element]:
    """Every element of a label config (none when it is not XML)."""
    try:
        return list(ET.fromstring(config).iter())
    except ET.ParseError:
        return []


def media_keys(config: str) -> list[str]:
    """Task data keys that hold the URL of a file, per the label config's object tags (:data:`FILE_TAGS`).

    Examples
    --------
    >>> media_keys('<View><Image name="i" value="$img"/><Text name="t" value="$text"/></View>')
    ['img']
    """
    keys = []
    for tag in config_tags(config):
        name = tag.tag.lower()
        value = tag.get("value", "")
        if not value.startswith("$"):
            continue
        if (name in FILE_TAGS and name != "paragraphs") or (
            name in _URL_VALUE_TAGS and tag.get("valueType", tag.get("valuetype", "")) == "url"
        ):
            keys.append(value[1:])
        if name == "paragraphs" and tag.get("audioUrl", "").startswith("$"):
            keys.append(tag.get("audioUrl", "")[1:])
    return list(dict.fromkeys(keys))


#: File types Label Studio 1.23 accepts as uploads (its ``SUPPORTED_EXTENSIONS``), media only.
UPLOAD_TYPES = {
    ".bmp": "image/bmp",
    ".gif": "image/gif",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
    ".flac": "audio/flac",
    ".m4a": "audio/mp4",
    ".mp3": "audio/mpeg",
    ".ogg": "audio/ogg",
    ".wav": "audio/wav",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".pdf": "application/pdf",
}

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_SERVER_PATHS = ("/data/",)  # uploads (/data/upload/...), local files (/data/local-files/?d=...)


@dataclass
class LocalMedia:
    """A local file or bytes to upload for ``column`` of row number ``position`` (labelled ``row``)."""

    column: str
    position: int
    row: Any
    path: Path | None = None
    data: bytes | None = None
    suffix: str = ""

    def content(self) -> bytes:
        """The bytes to upload."""
        if self.data is None:
            self.data = self.path.read_bytes()  # type: ignore[union-attr]
        return self.data

    @property
    def digest(self) -> str:
        """SHA-256 of the content (hex): the same content is uploaded once."""
        return hashlib.sha256(self.content()).hexdigest()

    @property
    def filename(self) -> str:
        """Upload name: the file's stem (if any) and the start of the digest, e.g. ``cat-1a2b....png``."""
        stem = re.sub(r"[^A-Za-z0-9_.-]", "_", self.path.stem)[:40] if self.path else "bytes"
        return f"{stem}-{self.digest[:16]}{self.suffix}"


def media_columns(config: str) -> list[str]:
    """Columns that ``config`` reads with a media tag.

    Examples
    --------
    >>> from ls_notebook import configs
    >>> media_columns(configs.image_classification(["cat"])), media_columns(configs.ner(["PER"]))
    (['image'], [])
    """
    return [v.column for v in data_variables(config) if v.tag.lower() in MEDIA_TAGS]


def _sniff(data: bytes) -> str:
    """File suffix of media bytes from their signature ('' when not recognised)."""
    head = data[:16]
    signatures = (
        (b"\x89PNG\r\n\x1a\n", ".png"),
        (b"\xff\xd8\xff", ".jpg"),
        (b"GIF8", ".gif"),
        (b"BM", ".bmp"),
        (b"fLaC", ".flac"),
        (b"OggS", ".ogg"),
        (b"ID3", ".mp3"),
        (b"\xff\xfb", ".mp3"),
        (b"\xff\xf3", ".mp3"),
        (b"%PDF", ".pdf"),
        (b"\x1aE\xdf\xa3", ".webm"),
    )
    for magic, suffix in signatures:
        if head.startswith(magic):
            return suffix
    if head[:4] == b"RIFF" and head[8:12] in (b"WAVE", b"WEBP"):
        return ".wav" if head[8:12] == b"WAVE" else ".webp"
    if head[4:8] == b"ftyp":
        return ".m4a" if head[8:11] == b"M4A" else ".mp4"
    if data[:256].lstrip().startswith((b"<svg", b"<?xml")) and b"<svg" in data[:2048]:
        return ".svg"
    return ""


def _local(value: Any) -> Path | bytes | None:
    """The local file or bytes a cell stands for, or None when it passes through unchanged."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, os.PathLike):
        return Path(value)
    if not isinstance(value, str) or not value:
        return None
    if value.startswith("file://"):
        return Path(value[len("file://") :])
    if _SCHEME.match(value) or value.startswith(("data:", *_SERVER_PATHS)) or is_storage_uri(value):
        return None
    return Path(value).expanduser()


def split_media(series: pd.Series, column: str) -> tuple[pd.Series, list[LocalMedia]]:
    """Separate the local files and bytes of a media column from the values that pass through.

    Returns the column with each local item replaced by a text placeholder (its path, or
    ``"<N bytes>"``) and the list of :class:`LocalMedia` items, which :func:`check_media` checks.

    Examples
    --------
    >>> import pandas as pd
    >>> values, local = split_media(pd.Series(["https://x/a.png", b"\\x89PNG\\r\\n\\x1a\\n..."]), "image")
    >>> values.tolist(), [(m.row, m.suffix) for m in local]
    (['https://x/a.png', '<11 bytes>'], [(1, '.png')])
    """
    out = series.astype(object).copy()
    local: list[LocalMedia] = []
    for i, (label, value) in enumerate(zip(series.index, series.to_list(), strict=True)):
        found = _local(value)
        if isinstance(found, bytes):
            local.append(LocalMedia(column, i, label, data=found, suffix=_sniff(found)))
            out.iat[i] = f"<{len(found)} bytes>"
        elif found is not None:
            local.append(LocalMedia(column, i, label, path=found, suffix=found.suffix.lower()))
            out.iat[i] = str(found)
    return out, local


def check_media(items: list[LocalMedia]) -> None:
    """Raise :class:`DataError` for a missing file or a type the server does not accept as upload."""
    for item in items:
        where = f"Column {item.column!r}, row {item.row!r}"
        if item.path is not None and not item.path.is_file():
            raise DataError(
                f"{where}: {str(item.path)!r} is not an existing file. Fix the path (relative paths are "
                f"read from {os.getcwd()}), or give a URL (http(s)://, s3://, gs://) the server can read."
            )
        if item.suffix not in UPLOAD_TYPES:
            what = f"a {item.suffix or 'suffix-less'} file" if item.path else "bytes of an unrecognised type"
            raise DataError(
                f"{where}: {what} cannot be uploaded to Label Studio, which accepts "
                f"{', '.join(sorted(UPLOAD_TYPES))}. Convert it (e.g. with PIL to PNG) first."
            )
