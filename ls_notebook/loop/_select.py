"""Which tasks: the one parser of ``tasks=`` (:meth:`Project.label`, :meth:`Project.prelabel`)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ls_notebook.errors import DataError
from ls_notebook.tasks import as_pandas, is_frame

__all__ = ["task_selection"]


def task_selection(tasks: Any) -> tuple[list[int] | None, bool]:
    """Task ids (``None``: all) and whether only unlabeled ones are wanted.

    ``tasks`` is ``None`` (all tasks), ``"unlabeled"``, task ids, a DataFrame with a ``task_id``
    column or index (a slice of :meth:`Project.pull`, the result of :meth:`Project.sync`; pandas,
    polars or any frame :func:`~ls_notebook.tasks.as_pandas` takes), a Series
    of ids, or a :class:`PushResult`. Ids keep their first-seen order, without repeats.

    Examples
    --------
    >>> task_selection(pd.DataFrame({"task_id": [3, 1, 3]}))
    ([3, 1], False)
    >>> task_selection("unlabeled")
    (None, True)
    """
    if tasks is None:
        return None, False
    if isinstance(tasks, str):
        if tasks != "unlabeled":
            raise DataError(f"tasks={tasks!r}: use None, 'unlabeled', task ids or a DataFrame with task_id.")
        return None, True
    if hasattr(tasks, "task_ids") and isinstance(tasks.task_ids, pd.Series):  # a PushResult
        tasks = tasks.task_ids
    if is_frame(tasks) and not isinstance(tasks, pd.Series):  # polars, pyarrow...: as pandas
        tasks = as_pandas(tasks, "tasks=")
    if isinstance(tasks, pd.DataFrame):
        if "task_id" in tasks.columns:
            tasks = tasks["task_id"]
        elif tasks.index.name in ("task_id", "id"):
            tasks = tasks.index.to_series()
        else:
            raise DataError(
                "tasks= as a DataFrame needs a 'task_id' column or index (e.g. a slice of pull(), or "
                "the result of sync())."
            )
    values = tasks.dropna().tolist() if isinstance(tasks, pd.Series) else list(tasks)
    try:
        return [int(t) for t in dict.fromkeys(values)], False
    except (TypeError, ValueError):
        raise DataError(f"tasks= must hold task ids (integers), not {values[:3]!r}...") from None
