"""DataFrame → Label Studio task dicts (checked completely before anything is sent)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ls_notebook.configs import data_variables, interface
from ls_notebook.errors import DataError
from ls_notebook.tasks._coerce import column_to_json
from ls_notebook.tasks._frames import as_pandas
from ls_notebook.tasks._keys import KEY_FIELD, row_keys
from ls_notebook.tasks._media import LocalMedia, check_media, media_columns, split_media
from ls_notebook.tasks._predictions import to_prediction

__all__ = ["Predictions", "TaskBatch", "build_tasks", "check_columns"]

Predictions = str | Callable[[pd.Series], Any] | pd.Series | list | None


@dataclass
class TaskBatch:
    """Tasks built from a DataFrame: ``tasks[i]`` is row ``index[i]`` with key ``keys[i]``.

    ``media[i]`` maps the media columns of row ``i`` that hold a local file or bytes to what must be
    uploaded; until then the task data holds a placeholder.
    """

    tasks: list[dict[str, Any]]
    keys: list[str]
    index: pd.Index
    media: dict[int, dict[str, LocalMedia]] = field(default_factory=dict)


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
    to_list = getattr(predictions, "to_pylist", None) or getattr(predictions, "to_list", None)
    values = to_list() if callable(to_list) else list(predictions)  # Arrow / polars: Python values
    if len(values) != len(df):
        raise DataError(f"predictions has {len(values)} items for {len(df)} rows: give one per row.")
    return values, []


def build_tasks(
    df: Any,
    config: str,
    key: str | None = None,
    predictions: Predictions = None,
    model_version: str | None = None,
) -> TaskBatch:
    """Turn each row of ``df`` into a task ``{"data": ..., "meta": {KEY_FIELD: key}, "predictions": ...}``.

    ``df`` is any frame :func:`~ls_notebook.tasks.as_pandas` takes (pandas, polars, pyarrow, an Arrow
    stream).
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
    df = as_pandas(df)
    if df.shape[1] == 0:
        raise DataError(
            "The DataFrame is empty (it has no columns): push a DataFrame with the columns the label "
            f"config reads ({[v.column for v in data_variables(config)]})."
        )
    not_text = [c for c in df.columns if not isinstance(c, str)]
    if not_text:
        raise DataError(
            f"Column names must be text, not {[f'{c!r} ({type(c).__name__})' for c in not_text[:5]]}: "
            "rename them first, e.g. df.columns = df.columns.map(str)."
        )
    check_columns(df, config)
    names = [str(c) for c in df.columns]
    dup_names = sorted({n for n in names if names.count(n) > 1})
    if dup_names:
        raise DataError(
            f"Duplicate column names {dup_names}: task data needs unique names. Rename or drop the "
            "duplicates, e.g. df.loc[:, ~df.columns.duplicated()]."
        )
    keys = row_keys(df, key)
    simple, skip = _prediction_values(df, predictions)
    media_names = set(media_columns(config))
    local: list[LocalMedia] = []
    columns: dict[str, list[Any]] = {}
    for i, name in enumerate(names):
        if name in skip:
            continue
        series = df.iloc[:, i]
        if name in media_names:
            series, found = split_media(series, name)
            local.extend(found)
        columns[name] = column_to_json(series, name)
    variables = data_variables(config)
    for var in variables:
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
    check_sizes(tasks, df.index)
    check_media(local)
    if local and len(variables) > 1:
        held = sorted({item.column for item in local})
        raise DataError(
            f"Column(s) {held} hold local files or bytes, but Label Studio accepts file uploads only in "
            f"projects whose label config reads one data field, and this one reads {len(variables)} "
            f"({', '.join(v.describe() for v in variables)}). Give those columns as URLs (http(s)://, or "
            "s3://... with Project.connect_storage()), or label the files with a one-object config."
        )
    media: dict[int, dict[str, LocalMedia]] = {}
    for item in local:
        media.setdefault(item.position, {})[item.column] = item
    return TaskBatch(tasks=tasks, keys=keys, index=df.index, media=media)


#: Largest task (as UTF-8 JSON) sent to Label Studio: the editor and data manager load whole tasks.
MAX_TASK_BYTES = 5 * 2**20


def check_sizes(tasks: list[dict[str, Any]], index: pd.Index) -> None:
    """Raise :class:`DataError` for a task that is not valid UTF-8 JSON or is over :data:`MAX_TASK_BYTES`.

    The data of several tasks is encoded at once, chunks sized from the previous one to stay near
    :data:`MAX_TASK_BYTES` of JSON (at most 1,000 tasks): when a chunk fits in the limit every task
    of it does. Only a chunk that does not (too big, not UTF-8, too deep) is checked task by task.
    """
    start, n = 0, 32
    while start < len(tasks):
        chunk = tasks[start : start + n]
        try:
            size = len(json.dumps([task["data"] for task in chunk], ensure_ascii=False).encode("utf-8"))
        except (UnicodeEncodeError, RecursionError):
            size = MAX_TASK_BYTES + 1
        if size > MAX_TASK_BYTES:
            _check_each(chunk, index[start : start + len(chunk)])
        start += len(chunk)
        n = max(1, min(1000, len(chunk) * MAX_TASK_BYTES // max(size, 1)))


def _check_each(tasks: list[dict[str, Any]], index: pd.Index) -> None:
    for label, task in zip(index, tasks, strict=True):
        try:
            size = len(json.dumps(task["data"], ensure_ascii=False).encode("utf-8"))
        except UnicodeEncodeError as exc:
            column = next(
                (k for k, v in task["data"].items() if isinstance(v, str) and not v.isascii() and _bad(v)),
                "?",
            )
            raise DataError(
                f"Column {column!r}, row {label!r}: the text is not valid UTF-8 ({exc.reason}, e.g. bytes "
                "decoded with errors='surrogateescape'). Clean it first, e.g. "
                "df[col].str.encode('utf-8', 'replace').str.decode('utf-8')."
            ) from None
        except RecursionError:
            raise DataError(
                f"Row {label!r}: a value is nested deeper than JSON parsers accept. Flatten it, or store "
                "it as text (json.dumps) in the column."
            ) from None
        if size > MAX_TASK_BYTES:
            raise DataError(
                f"Row {label!r} is {size / 2**20:.1f} MB of task data, over the {MAX_TASK_BYTES // 2**20} MB "
                "ls_notebook sends per task (Label Studio loads whole tasks in the editor): store large "
                "text or media in files and put their path or URL in the column."
            )


def _bad(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
