"""DataFrame → Label Studio task dicts (checked completely before anything is sent)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ls_notebook.configs import data_variables, interface
from ls_notebook.errors import DataError
from ls_notebook.tasks._coerce import column_to_json
from ls_notebook.tasks._keys import KEY_FIELD, row_keys
from ls_notebook.tasks._predictions import to_prediction

__all__ = ["Predictions", "TaskBatch", "build_tasks", "check_columns"]

Predictions = str | Callable[[pd.Series], Any] | pd.Series | list | None


@dataclass
class TaskBatch:
    """Tasks built from a DataFrame: ``tasks[i]`` is row ``index[i]`` with key ``keys[i]``."""

    tasks: list[dict[str, Any]]
    keys: list[str]
    index: pd.Index


def check_columns(df: pd.DataFrame, config: str) -> None:
    """Raise :class:`DataError` if a column the config reads is missing from ``df``.

    Examples
    --------
    >>> import pandas as pd
    >>> from ls_notebook import configs
    >>> check_columns(pd.DataFrame({"body": ["x"]}), configs.ner(["PER"]))
    Traceback (most recent call last):
    ...
    ls_notebook.errors.DataError: Column 'text' is missing: ...
    """
    columns = {str(c) for c in df.columns}
    for var in data_variables(config):
        if var.column not in columns:
            raise DataError(
                f"Column {var.column!r} is missing: the label config's {var.describe()} reads it. "
                f"Rename a column to {var.column!r} (df.rename(columns=...)) or build the config with "
                f"column=... (DataFrame columns: {sorted(columns)[:20]})."
            )


def _prediction_values(df: pd.DataFrame, predictions: Predictions) -> tuple[list[Any], list[str]]:
    """Return one prediction (simple form) per row, and the columns to leave out of task data."""
    if predictions is None:
        return [None] * len(df), []
    if isinstance(predictions, str):
        if predictions not in df.columns:
            raise DataError(
                f"predictions={predictions!r} is not a column of the DataFrame: pass a column name, a "
                "callable row -> prediction, or a Series aligned with the DataFrame."
            )
        return df[predictions].to_list(), [predictions]
    if callable(predictions):
        return [predictions(row) for _, row in df.iterrows()], []
    if isinstance(predictions, pd.Series):
        if not predictions.index.equals(df.index):
            predictions = predictions.reindex(df.index)
        return predictions.to_list(), []
    values = list(predictions)
    if len(values) != len(df):
        raise DataError(f"predictions has {len(values)} items for {len(df)} rows: give one per row.")
    return values, []


def build_tasks(
    df: pd.DataFrame,
    config: str,
    key: str | None = None,
    predictions: Predictions = None,
    model_version: str | None = None,
) -> TaskBatch:
    """Turn each row of ``df`` into a task ``{"data": ..., "meta": {KEY_FIELD: key}, "predictions": ...}``.

    Everything is checked before returning (config, columns, keys, values, predictions), so a bad
    frame fails with nothing sent.

    Examples
    --------
    >>> import pandas as pd
    >>> from ls_notebook import configs
    >>> df = pd.DataFrame({"text": ["good", "bad"], "pred": ["pos", None]})
    >>> batch = build_tasks(df, configs.text_classification(["pos", "neg"]), predictions="pred")
    >>> batch.tasks[0]["data"], batch.tasks[0]["meta"], len(batch.tasks[1].get("predictions", []))
    ({'text': 'good'}, {'ls_notebook_key': '0'}, 0)
    """
    li = interface(config)
    if not isinstance(df, pd.DataFrame):
        raise DataError(f"push() takes a pandas DataFrame, got {type(df).__name__}.")
    check_columns(df, config)
    names = [str(c) for c in df.columns]
    dup_names = sorted({n for n in names if names.count(n) > 1})
    if dup_names:
        raise DataError(f"Duplicate column names {dup_names}: task data needs unique names.")
    keys = row_keys(df, key)
    simple, skip = _prediction_values(df, predictions)
    columns = {name: column_to_json(df.iloc[:, i], name) for i, name in enumerate(names) if name not in skip}
    for var in data_variables(config):
        nulls = [label for label, v in zip(df.index, columns[var.column], strict=True) if v is None]
        if nulls:
            raise DataError(
                f"Column {var.column!r} has missing values at rows {nulls[:10]}, but the label config's "
                f"{var.describe()} needs a value in every task: drop or fill those rows first "
                f"(df.dropna(subset=[{var.column!r}]))."
            )
    tasks: list[dict[str, Any]] = []
    col_items = list(columns.items())
    for i, (label, row_key) in enumerate(zip(df.index, keys, strict=True)):
        data = {name: values[i] for name, values in col_items}
        task: dict[str, Any] = {"data": data, "meta": {KEY_FIELD: row_key}}
        prediction = to_prediction(simple[i], li, data, label, model_version)
        if prediction is not None:
            task["predictions"] = [prediction]
        tasks.append(task)
    return TaskBatch(tasks=tasks, keys=keys, index=df.index)
