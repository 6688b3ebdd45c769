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
from ls_notebook.loop._tasks import read_tasks
from ls_notebook.model._adapter import Features, ModelAdapter
from ls_notebook.project._http import request
from ls_notebook.tasks import as_pandas, is_frame

if TYPE_CHECKING:
    from ls_notebook.project._project import Project

__all__ = ["PrelabelResult", "model_version_of", "prelabel", "task_ids_of"]


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


def task_ids_of(rows: Any) -> list[int] | None:
    """Task ids from ``None`` (all), ids, a DataFrame with a ``task_id`` column, or a Series of ids.

    Examples
    --------
    >>> task_ids_of(pd.DataFrame({"task_id": [3, 1, 3]}))
    [3, 1]
    """
    if rows is None:
        return None
    if is_frame(rows):
        rows = as_pandas(rows, "prelabel(rows=...)")
        if "task_id" not in rows.columns:
            raise DataError("rows= as a DataFrame needs a 'task_id' column (e.g. the result of sync()).")
        rows = rows["task_id"]
    if hasattr(rows, "task_ids") and isinstance(rows.task_ids, pd.Series):  # a PushResult
        rows = rows.task_ids
    values = rows.dropna().tolist() if isinstance(rows, pd.Series) else list(rows)
    return [int(t) for t in dict.fromkeys(values)]


def _has_version(task: dict[str, Any], version: str) -> bool:
    return any(p.get("model_version") == version for p in task.get("predictions") or [])


def _progress(total: int, enabled: bool):
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="prelabel", unit="task", disable=not enabled or total == 0, leave=False)


def _batches(items: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def prelabel(
    project: Project,
    model: Any,
    rows: Any = None,
    batch_size: int = 500,
    model_version: str | None = None,
    features: Features = None,
    progress: bool = True,
) -> PrelabelResult:
    """Pre-label tasks of ``project`` with ``model`` (see :meth:`Project.prelabel`)."""
    if batch_size < 1:
        raise DataError(f"batch_size={batch_size} must be at least 1.")
    version = model_version_of(model, model_version)
    adapter = ModelAdapter(model, project.config, features)
    wanted = task_ids_of(rows)
    tasks = read_tasks(project)
    if wanted is not None:
        by_id = {t["id"]: t for t in tasks}
        unknown = [t for t in wanted if t not in by_id]
        if unknown:
            raise DataError(f"Tasks {unknown[:5]} are not in project {project.id}.")
        tasks = [by_id[t] for t in wanted]
    todo = [t for t in tasks if not _has_version(t, version)]
    result = PrelabelResult(skipped=len(tasks) - len(todo), model_version=version)
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
                request(
                    project.server,
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
