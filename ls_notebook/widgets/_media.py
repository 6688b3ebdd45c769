"""Media a task refers to (images, audio, video, PDFs, CSV), fetched by the kernel for the widget.

The browser may not reach the Label Studio server (remote kernels, Binder, Colab), so the kernel
reads each file a media tag points to and sends the bytes to the widget as a binary buffer.
"""

from __future__ import annotations

import mimetypes
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import httpx

__all__ = ["MediaError", "fetch_media", "media_keys"]

# Object tags whose value is the URL of a file (TimeSeries: a CSV; Text/HyperText only with valueType="url").
_MEDIA_TAGS = {"image", "audio", "audioplus", "video", "pdf", "timeseries", "paragraphs"}
_URL_VALUE_TAGS = {"text", "hypertext"}
_IMAGE_TAGS = {"image", "video", "pdf"}
_LIMIT = 200 * 1024 * 1024


class MediaError(Exception):
    """A task's media file could not be read (the message says which and why)."""


def _tags(config: str) -> list[ET.Element]:
    try:
        return list(ET.fromstring(config).iter())
    except ET.ParseError:
        return []


def media_keys(config: str) -> list[str]:
    """Task data keys that hold the URL of a media file, per the label config's object tags."""
    keys = []
    for tag in _tags(config):
        name = tag.tag.lower()
        value = tag.get("value", "")
        if not value.startswith("$"):
            continue
        if (name in _MEDIA_TAGS and name != "paragraphs") or (
            name in _URL_VALUE_TAGS and tag.get("valueType", tag.get("valuetype", "")) == "url"
        ):
            keys.append(value[1:])
        if name == "paragraphs" and tag.get("audioUrl", "").startswith("$"):
            keys.append(tag.get("audioUrl", "")[1:])
    return list(dict.fromkeys(keys))


def needs_fixed_height(config: str) -> bool:
    """True for configs with an image-like object (an auto-sized frame would shrink it in a loop)."""
    return any(tag.tag.lower() in _IMAGE_TAGS | {"audio", "audioplus", "timeseries"} for tag in _tags(config))


def fetch_media(
    data: Mapping[str, Any],
    keys: Sequence[str],
    server_url: str,
    headers: Mapping[str, str],
    local_roots: Sequence[Path] = (),
) -> tuple[list[tuple[str, str]], list[bytes]]:
    """Read the files ``data[key]`` points to.

    Parameters
    ----------
    data
        The task's data.
    keys
        Keys holding media URLs (see :func:`media_keys`).
    server_url
        The Label Studio server as the kernel reaches it; ``/data/...`` paths are read from it with
        ``headers`` (the API key stays in the kernel).
    headers
        Authentication headers for the server.
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
        body = _read(value, server_url, headers, local_roots)
        if body is None:
            continue
        described.append((key, _mime(value, body)))
        buffers.append(body)
    return described, buffers


def _read(value: str, server_url: str, headers: Mapping[str, str], roots: Sequence[Path]) -> bytes | None:
    base = server_url.rstrip("/")
    if value.startswith(base + "/"):
        return _get(value, headers)
    if value.startswith(("http://", "https://")):
        return _get(value, {})  # another site: never send the server's key there
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
    return _get(base + value, headers)


def _get(url: str, headers: Mapping[str, str]) -> bytes:
    try:
        response = httpx.get(url, headers=dict(headers), timeout=60, follow_redirects=True, trust_env=False)
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
