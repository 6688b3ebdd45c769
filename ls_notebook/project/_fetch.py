"""Reading tasks with their annotations through the API (pages of ``/api/tasks?fields=all``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ls_notebook.client import ProjectRef

__all__ = ["INCLUDE", "counts", "iter_tasks", "users"]

PAGE = 500
#: Fields the pull needs, for ``include=``: the data manager then skips its computed columns and
#: drafts (about half the time per task). Names apply to nested annotations and predictions too.
INCLUDE = (
    "id,data,meta,updated_at,annotations,predictions,result,completed_by,created_at,lead_time,"
    "was_cancelled,ground_truth,model_version,score"
)


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


def iter_tasks(
    project: ProjectRef,
    updated_after: str | None = None,
    progress: bool = False,
    ids: list[int] | None = None,
    include: str | None = None,
) -> Iterator[dict]:
    """Yield the project's tasks (``fields=all``: annotations, predictions, drafts), page by page.

    ``updated_after`` keeps tasks updated after that time, ``ids`` the tasks with those ids,
    ``include`` (e.g. :data:`INCLUDE`) only those fields.
    """
    from tqdm.auto import tqdm

    if ids is not None and len(ids) > PAGE:  # keep each query small: one selection per page
        for start in range(0, len(ids), PAGE):
            yield from iter_tasks(project, updated_after, progress, ids[start : start + PAGE], include)
        return
    bar = None
    pages = project.conn.pages(
        project.id,
        f"reading the tasks of project {project.id}",
        page_size=PAGE,
        fields="all",
        **({"include": include} if include else {}),
        **_query(updated_after, ids),
    )
    for tasks, total in pages:
        if bar is None:
            bar = tqdm(
                total=total, desc="pull", unit="task", disable=not progress or total < PAGE, leave=False
            )
        yield from tasks
        bar.update(len(tasks))
    if bar is not None:
        bar.close()


def users(project: ProjectRef) -> dict[int, str]:
    """User id → e-mail of the server's users."""
    body = project.conn.request("GET", "/api/users/", "listing users")
    return {int(u["id"]): u.get("email") or "" for u in body}


def counts(project: ProjectRef) -> tuple[int, int, int]:
    """The project's task, annotation (skipped ones included) and prediction counts, read now.

    One light request (the project list restricted to this project and these fields); servers that
    ignore its filters are asked for the project itself.
    """
    fields = "id,task_number,total_annotations_number,skipped_annotations_number,total_predictions_number"
    body = project.conn.request(
        "GET",
        "/api/projects/",
        f"counting the tasks of project {project.id}",
        params={"ids": project.id, "include": fields, "page_size": 1},
    )
    found = [
        p for p in (body.get("results", []) if isinstance(body, dict) else body) if p.get("id") == project.id
    ]
    if not found or "task_number" not in found[0]:
        found = [project.conn.request("GET", f"/api/projects/{project.id}/", f"reading project {project.id}")]
    p = found[0]
    annotations = int(p.get("total_annotations_number") or 0) + int(p.get("skipped_annotations_number") or 0)
    return int(p.get("task_number") or 0), annotations, int(p.get("total_predictions_number") or 0)
