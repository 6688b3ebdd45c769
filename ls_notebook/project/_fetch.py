"""Reading tasks with their annotations through the API (pages of ``/api/tasks?fields=all``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ls_notebook.project._http import request

if TYPE_CHECKING:
    from ls_notebook.project._project import Project

__all__ = ["counts", "iter_tasks", "users"]

PAGE = 500


def _query(updated_after: str | None) -> dict[str, str]:
    if updated_after is None:
        return {}
    item = {
        "filter": "filter:tasks:updated_at",
        "operator": "greater",
        "type": "Datetime",
        "value": updated_after,
    }
    return {"query": json.dumps({"filters": {"conjunction": "and", "items": [item]}})}


def iter_tasks(project: Project, updated_after: str | None = None, progress: bool = False) -> Iterator[dict]:
    """Yield the project's tasks (``fields=all``: annotations, predictions, drafts), page by page."""
    from tqdm.auto import tqdm

    page, seen = 1, 0
    bar = None
    while True:
        body = request(
            project.server,
            "GET",
            "/api/tasks/",
            f"reading the tasks of project {project.id}",
            params={
                "project": project.id,
                "fields": "all",
                "page": page,
                "page_size": PAGE,
                "resolve_uri": "false",
                **_query(updated_after),
            },
        )
        tasks: list[dict[str, Any]] = body.get("tasks", [])
        total = int(body.get("total", 0))
        if bar is None:
            bar = tqdm(
                total=total, desc="pull", unit="task", disable=not progress or total < PAGE, leave=False
            )
        yield from tasks
        seen += len(tasks)
        bar.update(len(tasks))
        if not tasks or seen >= total:
            bar.close()
            return
        page += 1


def users(project: Project) -> dict[int, str]:
    """User id → e-mail of the server's users."""
    body = request(project.server, "GET", "/api/users/", "listing users")
    return {int(u["id"]): u.get("email") or "" for u in body}


def counts(project: Project) -> tuple[int, int]:
    """The project's (task count, annotation count including skipped ones), read now."""
    p = request(project.server, "GET", f"/api/projects/{project.id}/", f"reading project {project.id}")
    annotations = int(p.get("total_annotations_number") or 0) + int(p.get("skipped_annotations_number") or 0)
    return int(p.get("task_number") or 0), annotations
