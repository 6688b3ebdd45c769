"""One parser for task selections (label(tasks=), prelabel(tasks=)) and one error."""

from __future__ import annotations

import pandas as pd
import polars as pl
import pytest

from ls_notebook.errors import DataError
from ls_notebook.loop._select import task_selection
from ls_notebook.project._push import PushResult


@pytest.mark.parametrize(
    ("tasks", "expected"),
    [
        (None, (None, False)),
        ("unlabeled", (None, True)),
        ([3, 1, 3], ([3, 1], False)),
        (pd.DataFrame({"task_id": [5, 4]}), ([5, 4], False)),
        (pd.DataFrame({"x": [1]}, index=pd.Index([9], name="task_id")), ([9], False)),
        (pl.DataFrame({"task_id": [7, 7, 2]}), ([7, 2], False)),
        (pd.Series([1.0, None, 2.0]), ([1, 2], False)),
        (PushResult(task_ids=pd.Series([11, 12])), ([11, 12], False)),
    ],
)
def test_selections(tasks, expected):
    assert task_selection(tasks) == expected


@pytest.mark.parametrize(
    ("tasks", "message"),
    [("all", "'unlabeled'"), (pd.DataFrame({"x": [1]}), "task_id"), (["a"], "task ids")],
)
def test_one_error_type_naming_the_fix(tasks, message):
    with pytest.raises(DataError, match=message):
        task_selection(tasks)
