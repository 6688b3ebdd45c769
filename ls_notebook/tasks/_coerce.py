"""DataFrame values → JSON-safe Python values, faithfully, column by column."""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections.abc import Mapping
from decimal import Decimal
from pathlib import PurePath
from typing import Any

import numpy as np
import pandas as pd

from ls_notebook.errors import DataError

__all__ = ["column_to_json", "to_json_value"]


class _Unsupported(Exception):
    def __init__(self, value: Any) -> None:
        super().__init__(value)
        self.value = value


def _decimal(value: Decimal) -> int | float | str:
    if not value.is_finite():
        raise _Unsupported(value)
    if value == value.to_integral_value():
        return int(value)
    as_float = float(value)
    # keep the exact digits when a float would change them
    return as_float if Decimal(repr(as_float)) == value else str(value)


def to_json_value(value: Any) -> Any:
    """Convert one cell to a JSON-safe value (``None`` for missing values).

    Raises ``_Unsupported`` for objects JSON cannot represent; :func:`column_to_json` turns that
    into a :class:`DataError` naming the column and row.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from decimal import Decimal
    >>> [to_json_value(v) for v in (np.int64(3), np.nan, pd.NA, Decimal("1.10"), pd.Timestamp("2024-01-02"))]
    [3, None, None, 1.1, '2024-01-02T00:00:00']
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        f = float(value)
        if math.isnan(f):
            return None
        if math.isinf(f):
            raise _Unsupported(value)
        return f
    if isinstance(value, str):
        return value
    if isinstance(value, Decimal):
        return _decimal(value)
    if isinstance(value, (pd.Timestamp, dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, np.datetime64):
        return None if np.isnat(value) else pd.Timestamp(value).isoformat()
    if isinstance(value, (pd.Timedelta, dt.timedelta, np.timedelta64)):
        td = pd.Timedelta(value)
        return None if td is pd.NaT else td.isoformat()
    if isinstance(value, Mapping):
        return {str(k): to_json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [to_json_value(v) for v in value]
    if isinstance(value, (uuid.UUID, PurePath)):
        return str(value)
    raise _Unsupported(value)


def _unsupported(column: str, label: Any, value: Any) -> DataError:
    if isinstance(value, bytes | bytearray):
        return DataError(
            f"Column {column!r}, row {label!r}: bytes ({value!r:.40}) cannot be stored in a Label Studio "
            "task (JSON). Decode the column first, e.g. df[col].str.decode('utf-8', errors='replace')."
        )
    return DataError(
        f"Column {column!r}, row {label!r}: a {type(value).__name__} ({value!r:.60}) cannot be stored in a "
        "Label Studio task (JSON). Convert the column first, e.g. df[col].astype(str)."
    )


def column_to_json(series: pd.Series, column: str | None = None) -> list[Any]:
    """Convert a whole column to a list of JSON-safe values, fast for the common dtypes.

    Examples
    --------
    >>> import pandas as pd
    >>> column_to_json(pd.Series([1.5, None, 3.0]))
    [1.5, None, 3.0]
    >>> column_to_json(pd.Series(["a", None], dtype="category"))
    ['a', None]
    """
    name = str(series.name if column is None else column)
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        series = series.astype(dtype.categories.dtype if len(dtype.categories) else object)
        dtype = series.dtype
    kind = getattr(dtype, "kind", "O")
    if kind in "iub" and not isinstance(dtype, pd.ArrowDtype) and not series.hasnans:
        return series.to_list()
    if kind == "f" and not isinstance(dtype, pd.ArrowDtype):
        values = series.to_numpy(dtype=float, na_value=np.nan)
        bad = np.isinf(values)
        if bad.any():
            label = series.index[int(np.argmax(bad))]
            raise _unsupported(name, label, values[bad][0])
        out = series.astype(object).to_list()
        return [None if v != v else v for v in out]  # NaN → None
    if isinstance(dtype, pd.StringDtype) or kind in "OUSMm" or isinstance(dtype, pd.ArrowDtype):
        values = series.to_list()
    else:
        values = series.astype(object).to_list()
    out = []
    for label, value in zip(series.index, values, strict=True):
        if isinstance(value, str):
            out.append(value)
            continue
        try:
            out.append(to_json_value(value))
        except _Unsupported as exc:
            raise _unsupported(name, label, exc.value) from None
        except RecursionError:
            raise DataError(
                f"Column {name!r}, row {label!r}: the value is nested deeper than JSON parsers accept. "
                "Flatten it, or store it as text (json.dumps) in the column."
            ) from None
    return out
