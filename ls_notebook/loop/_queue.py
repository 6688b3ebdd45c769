"""Uncertainty ordering for active learning: least confident tasks first, inline and in Label Studio.

:func:`queue` returns the tasks ordered by their prediction score (lowest first); its ``task_id``
column is what the inline editor takes (``project.label(tasks=project.queue())`` labels the least
confident tasks first, in that order). :func:`use_uncertainty_sampling` makes Label Studio's own
label stream do the same (its "Uncertainty sampling" mode, which orders by the scores of the
project's active ``model_version``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from ls_notebook.errors import ProjectError
from ls_notebook.loop._tasks import read_tasks, was_labeled
from ls_notebook.tasks import KEY_FIELD

if TYPE_CHECKING:
    from ls_notebook.client import ProjectRef

__all__ = ["latest_model_version", "queue", "rank_by_uncertainty", "use_uncertainty_sampling"]

UNCERTAINTY_SAMPLING = "Uncertainty sampling"
SEQUENTIAL_SAMPLING = "Sequential sampling"


def latest_model_version(tasks: list[dict[str, Any]]) -> str | None:
    """The ``model_version`` of the most recently created prediction among ``tasks`` (None if none)."""
    best: tuple[str, int] | None = None
    version = None
    for task in tasks:
        for p in task.get("predictions") or []:
            stamp = (str(p.get("created_at") or ""), int(p.get("id") or 0))
            if best is None or stamp > best:
                best, version = stamp, p.get("model_version")
    return version


def _label_of(result: list[dict[str, Any]]) -> str | None:
    for item in result or []:
        value = item.get("value") or {}
        for key in ("choices", "labels", "rectanglelabels", "polygonlabels", "keypointlabels"):
            if value.get(key):
                return str(value[key][0])
    return None


def rank_by_uncertainty(
    tasks: list[dict[str, Any]], model_version: str | None = None, include_labeled: bool = False
) -> pd.DataFrame:
    """Order tasks by prediction score, lowest (least confident) first (pure: no server).

    A task's score is the lowest score of its predictions of ``model_version`` (default: the most
    recent version). Tasks without a scored prediction come last, in task id order.

    Examples
    --------
    >>> tasks = [
    ...     {"id": 1, "predictions": [{"id": 1, "model_version": "m", "score": 0.9, "result": []}]},
    ...     {"id": 2, "predictions": [{"id": 2, "model_version": "m", "score": 0.55, "result": []}]},
    ...     {"id": 3, "predictions": []},
    ... ]
    >>> rank_by_uncertainty(tasks)["task_id"].tolist()
    [2, 1, 3]
    """
    version = model_version if model_version is not None else latest_model_version(tasks)
    rows = []
    for task in tasks:
        if not include_labeled and was_labeled(task):
            continue
        mine = [p for p in task.get("predictions") or [] if p.get("model_version") == version]
        scored = [p for p in mine if p.get("score") is not None]
        low = min(scored, key=lambda p: float(p["score"])) if scored else (mine[0] if mine else None)
        rows.append(
            {
                "task_id": int(task["id"]),
                "key": (task.get("meta") or {}).get(KEY_FIELD),
                "score": float(low["score"]) if low is not None and low.get("score") is not None else None,
                "prediction": _label_of(low.get("result") or []) if low is not None else None,
                "model_version": version if low is not None else None,
            }
        )
    frame = pd.DataFrame(rows, columns=["task_id", "key", "score", "prediction", "model_version"])
    frame = frame.astype(
        {
            "task_id": "int64",
            "key": "string",
            "score": "Float64",
            "prediction": "string",
            "model_version": "string",
        }
    )
    frame = frame.sort_values(["score", "task_id"], na_position="last", kind="stable")
    return frame.reset_index(drop=True)


def queue(project: ProjectRef, *, model_version: str | None, include_labeled: bool) -> pd.DataFrame:
    """Tasks of ``project`` from least to most confident prediction (see :meth:`Project.queue`)."""
    return rank_by_uncertainty(read_tasks(project), model_version, include_labeled)


def use_uncertainty_sampling(project: ProjectRef, *, model_version: str | None, enabled: bool) -> str:
    """Make Label Studio's label stream serve the least confident tasks first; return the version used.

    Sets the project's ``sampling`` to "Uncertainty sampling" and its active ``model_version``
    (default: the most recent one of its predictions). ``enabled=False`` goes back to sequential
    sampling.
    """
    if not enabled:
        project.conn.request(
            "PATCH",
            f"/api/projects/{project.id}/",
            f"setting the sampling of project {project.id}",
            json={"sampling": SEQUENTIAL_SAMPLING},
        )
        return ""
    version = model_version if model_version is not None else latest_model_version(read_tasks(project))
    if not version:
        raise ProjectError(
            f"Project {project.id} has no predictions to order by: run project.prelabel(model) first."
        )
    project.conn.request(
        "PATCH",
        f"/api/projects/{project.id}/",
        f"setting the sampling of project {project.id}",
        json={"sampling": UNCERTAINTY_SAMPLING, "model_version": version},
    )
    return version
