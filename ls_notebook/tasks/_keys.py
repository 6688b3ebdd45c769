"""Push keys: the text that identifies a DataFrame row across pushes.

The key of a row is the value of the ``key`` column (or of the index when ``key`` is None), as text.
It is stored in the task's ``meta`` under :data:`KEY_FIELD` — not in ``data``, so it neither shows up
as a labeling column nor changes what annotators see — and ``pull()`` returns it as the ``key`` column.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pandas as pd

from ls_notebook.errors import DataError
from ls_notebook.tasks._coerce import column_to_json

__all__ = ["KEY_FIELD", "row_keys"]

KEY_FIELD = "ls_notebook_key"


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def row_keys(df: pd.DataFrame, key: str | None = None) -> list[str]:
    """Return each row's push key as text, checking there are no nulls or duplicates.

    Examples
    --------
    >>> import pandas as pd
    >>> row_keys(pd.DataFrame({"id": [10, 11]}), "id")
    ['10', '11']
    >>> row_keys(pd.DataFrame({"t": ["a", "b"]}, index=["x", "y"]))
    ['x', 'y']
    """
    if key is None:
        if isinstance(df.index, pd.MultiIndex):
            values = ["|".join(_as_text(v) for v in tup) for tup in df.index.to_list()]
            return _checked(values, "the index", df.index)
        source = pd.Series(df.index, index=df.index, name="index")
        where = "the index"
    else:
        if key not in df.columns:
            raise DataError(
                f"key={key!r} is not a column of the DataFrame (columns: {list(map(str, df.columns))}); "
                "pass an existing column, or key=None to use the index."
            )
        source = df[key]
        where = f"key column {key!r}"
    values = column_to_json(source, str(source.name))
    nulls = [label for label, v in zip(df.index, values, strict=True) if v is None]
    if nulls:
        raise DataError(
            f"{where} has missing values at rows {nulls[:10]}: every row needs a key. Fill them or drop "
            "those rows (df.dropna(subset=[...])), or choose another key column."
        )
    return _checked([_as_text(v) for v in values], where, df.index)


def _checked(values: list[str], where: str, index: pd.Index) -> list[str]:
    counts = Counter(values)
    if len(counts) != len(values):
        dupes = sorted(k for k, n in counts.items() if n > 1)
        rows = [label for label, v in zip(index, values, strict=True) if counts[v] > 1]
        raise DataError(
            f"Duplicate keys in {where}: {dupes[:20]}{' ...' if len(dupes) > 20 else ''} (rows "
            f"{rows[:20]}). Each row needs a unique key: drop duplicates or choose another key column."
        )
    return values
