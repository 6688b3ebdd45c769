"""``Project.sync``: push only the rows of a growing DataFrame that the project does not have yet.

The ZenML ``sync_new_data_to_label_studio`` step, for a DataFrame: rows are recognised by their push
key (a column, or the index), so calling ``sync`` again with the same frame — or with a frame that
has grown — sends only what is new, and returns exactly those rows with their new task ids.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from ls_notebook.project._keys import existing_keys
from ls_notebook.project._push import push
from ls_notebook.tasks import as_pandas, backend_of, row_keys, to_backend
from ls_notebook.tasks._build import Predictions

if TYPE_CHECKING:
    from ls_notebook.client import ProjectRef

__all__ = ["new_rows", "sync"]


def new_rows(df: pd.DataFrame, key: str | None, known: set[str] | dict[str, int]) -> pd.Series:
    """Boolean mask of the rows of ``df`` whose push key is not in ``known`` (pure).

    Examples
    --------
    >>> df = pd.DataFrame({"id": [1, 2, 3]})
    >>> new_rows(df, "id", {"1": 10, "3": 12}).tolist()
    [False, True, False]
    """
    keys = row_keys(df, key)
    return pd.Series([k not in known for k in keys], index=df.index, dtype=bool)


def _subset_predictions(predictions: Predictions, mask: pd.Series) -> Predictions:
    if isinstance(predictions, pd.Series):
        return predictions.reindex(mask.index)[mask.to_numpy()]
    if isinstance(predictions, list | tuple):
        return [p for p, keep in zip(predictions, mask.to_numpy(), strict=True) if keep]
    return predictions  # None, a column name or a callable


def sync(
    project: ProjectRef,
    df: Any,
    *,
    key: str | None,
    predictions: Predictions,
    model_version: str | None,
    batch_size: int,
    progress: bool,
) -> Any:
    """Push the rows of ``df`` that are new to ``project`` (see :meth:`Project.sync`).

    ``df`` is any frame :func:`~ls_notebook.tasks.as_pandas` takes; the new rows come back in the same
    kind of frame (pandas, polars, or a pyarrow Table for other Arrow data).
    """
    backend = backend_of(df)
    df = as_pandas(df, "sync()")
    mask = new_rows(df, key, existing_keys(project))
    added = df[mask.to_numpy()]
    if len(added):
        result = push(
            project,
            added,
            key=key,
            predictions=_subset_predictions(predictions, mask),
            model_version=model_version,
            batch_size=batch_size,
            progress=progress,
            update=False,
        )
        task_ids = result.task_ids
    else:
        task_ids = pd.Series(dtype="Int64", index=added.index)
    added = added.assign(task_id=task_ids.reindex(added.index).astype("Int64"))
    return to_backend(added, backend)
