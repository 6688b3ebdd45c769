"""``Project.prelabel``: run a model in the kernel over tasks and upload its predictions with scores.

The model is called through :class:`ls_notebook.model.ModelAdapter`, the same adapter
``Project.serve_model`` uses: it sees the task data as the column(s) the label config reads (a Series
when the config reads one column, as a scikit-learn text pipeline expects), and its output goes
through the same conversion as ``push(predictions=...)``, so the simple forms (a choice, spans,
boxes...) work here too. Predictions are uploaded in bulk, one request per batch, to
``/api/projects/{id}/import/predictions``.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from ls_notebook.errors import DataError
from ls_notebook.loop._select import task_selection
from ls_notebook.loop._tasks import read_tasks, was_labeled
from ls_notebook.model._adapter import Features, ModelAdapter

if TYPE_CHECKING:
    from ls_notebook.client import ProjectRef

__all__ = ["PrelabelResult", "model_version_of", "prelabel"]


@dataclass
class PrelabelResult:
    """What a pre-labeling pass did.

    Attributes
    ----------
    created : int
        Predictions uploaded.
    skipped : int
        Tasks left alone (they already had a prediction of this ``model_version``, or the model
        returned no prediction for them).
    model_version : str
        The version stored with the predictions.
    scores : pandas.Series
        Score of each new prediction (``NaN`` when the model gives none), indexed by task id.
    """

    created: int = 0
    skipped: int = 0
    model_version: str = ""
    scores: pd.Series = field(default_factory=lambda: pd.Series(dtype="float64", name="score"))

    def __repr__(self) -> str:
        return (
            f"PrelabelResult(created={self.created}, skipped={self.skipped}, "
            f"model_version={self.model_version!r})"
        )

    def _repr_html_(self) -> str:
        return html.escape(repr(self))


def model_version_of(model: Any, model_version: str | None) -> str:
    """The version to store: ``model_version``, else ``model.model_version``, else the model's name.

    Examples
    --------
    >>> def rules(texts): return ["pos"] * len(texts)
    >>> model_version_of(rules, None), model_version_of(rules, "v2")
    ('rules', 'v2')
    """
    if model_version is not None:
        return str(model_version)
    named = getattr(model, "model_version", None)
    if named:
        return str(named)
    return str(getattr(model, "__name__", None) or type(model).__name__)


def _has_version(task: dict[str, Any], version: str) -> bool:
    return any(p.get("model_version") == version for p in task.get("predictions") or [])


def _progress(total: int, enabled: bool):
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="prelabel", unit="task", disable=not enabled or total == 0, leave=False)


def _batches(items: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def prelabel(
    project: ProjectRef,
    model: Any,
    *,
    tasks: Any,
    batch_size: int,
    model_version: str | None,
    features: Features,
    progress: bool,
) -> PrelabelResult:
    """Pre-label tasks of ``project`` with ``model`` (see :meth:`Project.prelabel`)."""
    if batch_size < 1:
        raise DataError(f"batch_size={batch_size} must be at least 1.")
    version = model_version_of(model, model_version)
    adapter = ModelAdapter(model, project.config, features)
    wanted, unlabeled = task_selection(tasks)
    found = read_tasks(project)
    if wanted is not None:
        by_id = {t["id"]: t for t in found}
        unknown = [t for t in wanted if t not in by_id]
        if unknown:
            raise DataError(f"Tasks {unknown[:5]} are not in project {project.id}.")
        found = [by_id[t] for t in wanted]
    if unlabeled:
        found = [t for t in found if not was_labeled(t)]
    todo = [t for t in found if not _has_version(t, version)]
    result = PrelabelResult(skipped=len(found) - len(todo), model_version=version)
    scores: dict[int, float] = {}
    with _progress(len(todo), progress) as bar:
        for batch in _batches(todo, batch_size):
            body = []
            for task, prediction in zip(batch, adapter.predict(batch, version), strict=True):
                if not prediction.get("result"):  # the model gave no prediction for this task
                    result.skipped += 1
                    continue
                prediction["task"] = int(task["id"])
                body.append(prediction)
                score = prediction.get("score")
                scores[int(task["id"])] = float(score) if score is not None else float("nan")
            if body:
                project.conn.request(
                    "POST",
                    f"/api/projects/{project.id}/import/predictions",
                    f"uploading predictions to project {project.id}",
                    refused=DataError,
                    json=body,
                )
            result.created += len(body)
            bar.update(len(batch))
    result.scores = pd.Series(scores, dtype="float64", name="score").rename_axis("task_id")
    return result
