"""Reading tasks with their annotations through the API (pages of ``/api/tasks?fields=all``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ls_notebook.project._http import request

if TYPE_CHECKING:
    from ls_notebook.project._project import Project

__all__ = ["counts", "iter_tasks", "updated_since", "users"]

PAGE = 500
LIGHT_PAGE = 5000  # rows of (id, updated_at) per page


def _query(updated_after: str | None, ids: list[int] | None = None) -> dict[str, str]:
    query: dict[str, Any] = {}
    if updated_after is not None:
        item = {
            "filter": "filter:tasks:updated_at",
            "operator": "greater",
            "type": "Datetime",
            "value": updated_after,  # the data manager wants %Y-%m-%dT%H:%M:%S.%fZ exactly
        }
        query["filters"] = {"conjunction": "and", "items": [item]}
    if ids is not None:
        query["selectedItems"] = {"all": False, "included": ids}
    return {"query": json.dumps(query)} if query else {}


def updated_since(project: Project, updated_after: str) -> dict[int, str]:
    """Task id → ``updated_at`` of the tasks updated after ``updated_after``, without their content."""
    out: dict[int, str] = {}
    page = 1
    while True:
        body = request(
            project.server,
            "GET",
            "/api/tasks/",
            f"listing the changed tasks of project {project.id}",
            params={
                "project": project.id,
                "include": "id,updated_at",
                "page": page,
                "page_size": LIGHT_PAGE,
                "resolve_uri": "false",
                **_query(updated_after),
            },
        )
        tasks = body.get("tasks", [])
        out.update((int(t["id"]), str(t.get("updated_at") or "")) for t in tasks)
        if not tasks or len(out) >= int(body.get("total", 0)):
            return out
        page += 1


def iter_tasks(
    project: Project,
    updated_after: str | None = None,
    progress: bool = False,
    ids: list[int] | None = None,
) -> Iterator[dict]:
    """Yield the project's tasks (``fields=all``: annotations, predictions, drafts), page by page.

    ``updated_after`` keeps tasks updated after that time, ``ids`` the tasks with those ids.
    """
    from tqdm.auto import tqdm

    if ids is not None and len(ids) > PAGE:  # keep each query small: one selection per page
        for start in range(0, len(ids), PAGE):
            yield from iter_tasks(project, updated_after, progress, ids[start : start + PAGE])
        return
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
                **_query(updated_after, ids),
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
