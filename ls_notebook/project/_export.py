"""``Project.export``: Label Studio's own export formats, streamed to a file.

Formats are produced by the server's converter (``/api/projects/{id}/export?exportType=...``); they
are not re-implemented here. ``JSON``, ``JSON_MIN``, ``CSV``, ``TSV``, ``CONLL2003``, ``COCO``,
``YOLO``, ``VOC``... (whatever the server lists at ``/api/projects/{id}/export/formats``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ls_notebook.client import api_errors
from ls_notebook.errors import LabelStudioError
from ls_notebook.project._http import _client, request

if TYPE_CHECKING:
    from ls_notebook.project._project import Project

__all__ = ["export", "formats"]


def formats(project: Project) -> list[str]:
    """The export formats the server offers for this project's config."""
    body = request(
        project.server, "GET", f"/api/projects/{project.id}/export/formats", "listing export formats"
    )
    return [f["name"] for f in body if not f.get("disabled")]


def export(
    project: Project,
    path: str | Path,
    format: str = "JSON",
    download_all_tasks: bool = True,
    progress: bool = True,
) -> Path:
    """Download the project in ``format`` to ``path`` (streamed) and return the path."""
    from tqdm.auto import tqdm

    available = formats(project)
    if format not in available:
        raise LabelStudioError(
            f"Export format {format!r} is not available for this project: use one of {available}."
        )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    params = {"exportType": format, "download_all_tasks": str(download_all_tasks).lower()}
    tmp = path.with_name(path.name + ".part")
    doing = f"exporting project {project.id} as {format}"
    url = f"/api/projects/{project.id}/export"
    with (
        api_errors(doing, project.server.url),
        _client(project.server).stream("GET", url, params=params) as resp,
    ):
        if resp.status_code >= 400:
            resp.read()
            raise LabelStudioError(f"Export as {format} failed (HTTP {resp.status_code}): {resp.text[:300]}")
        total = int(resp.headers.get("content-length") or 0) or None
        with (
            open(tmp, "wb") as out,
            tqdm(
                total=total, unit="B", unit_scale=True, desc="export", disable=not progress, leave=False
            ) as bar,
        ):
            for chunk in resp.iter_bytes(1 << 20):
                out.write(chunk)
                bar.update(len(chunk))
    tmp.replace(path)
    return path
