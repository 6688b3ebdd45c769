"""``Project.export``: Label Studio's own export formats, streamed to a file.

Formats are produced by the server's converter (``/api/projects/{id}/export?exportType=...``); they
are not re-implemented here. ``JSON``, ``JSON_MIN``, ``CSV``, ``TSV``, ``CONLL2003``, ``COCO``,
``YOLO``, ``VOC``... (whatever the server lists at ``/api/projects/{id}/export/formats``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ls_notebook.errors import LabelStudioError

if TYPE_CHECKING:
    from ls_notebook.client import ProjectRef

__all__ = ["export", "formats"]


def formats(project: ProjectRef) -> list[str]:
    """The export formats the server offers for this project's config."""
    body = project.conn.request("GET", f"/api/projects/{project.id}/export/formats", "listing export formats")
    return [f["name"] for f in body if not f.get("disabled")]


def export(
    project: ProjectRef,
    path: str | Path,
    *,
    format: str,
    progress: bool,
    download_all_tasks: bool = True,
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
    with project.conn.stream("GET", url, doing, params=params) as resp:
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
