"""Any dataframe in, the chosen one out: pandas, polars, pyarrow and the Arrow PyCapsule stream.

Every entry that takes a frame (``push``, ``sync``, ``annotate``, ``prelabel(rows=...)``) passes it
through :func:`as_pandas` first, once; the rest of the package works on pandas. Frames other than
pandas go through Arrow: a ``pyarrow.Table``, ``RecordBatch`` or ``RecordBatchReader`` as they are,
anything else that exposes ``__arrow_c_stream__`` (polars, DuckDB relations, narwhals frames...)
through ``pyarrow.table``. The Arrow table becomes a pandas frame of ``pd.ArrowDtype`` columns, so
values keep their types (integers with nulls stay integers, nested lists stay lists); its index is
positional (``0..n-1``), which is then the default push key, as for a pandas frame with a default
index. polars is never imported here unless the caller hands in or asks for a polars frame.

:func:`to_backend` is the way out: ``pull(backend="pandas"|"polars"|"arrow")`` and ``sync``'s
returned rows (in the kind of frame given).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from ls_notebook.errors import DataError

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["BACKENDS", "Backend", "as_pandas", "backend_of", "is_frame", "to_backend"]

Backend = Literal["pandas", "polars", "arrow"]
BACKENDS: tuple[str, ...] = ("pandas", "polars", "arrow")

ACCEPTED = (
    "a pandas or polars DataFrame, a pyarrow Table, RecordBatch or RecordBatchReader, or any object "
    "with the Arrow PyCapsule stream (__arrow_c_stream__: DuckDB, narwhals, ...)"
)


def _is_arrow(obj: Any) -> bool:
    module = type(obj).__module__ or ""
    return module.startswith("pyarrow") and type(obj).__name__ in {
        "Table",
        "RecordBatch",
        "RecordBatchReader",
    }


def is_frame(obj: Any) -> bool:
    """True for what :func:`as_pandas` takes: a pandas DataFrame, Arrow tabular data or an Arrow stream.

    Examples
    --------
    >>> import pandas as pd, pyarrow as pa
    >>> is_frame(pd.DataFrame()), is_frame(pa.table({"a": [1]})), is_frame({"a": [1]})
    (True, True, False)
    """
    if isinstance(obj, pd.DataFrame):
        return True
    if isinstance(obj, pd.Series | pd.Index):
        return False
    return _is_arrow(obj) or hasattr(obj, "__arrow_c_stream__")


def _without_views(dtype: pa.DataType) -> pa.DataType:
    """``dtype`` with view layouts (polars' strings) replaced by the ones pandas' kernels take."""
    import pyarrow as pa

    t = pa.types
    if t.is_string_view(dtype):
        return pa.large_string()
    if t.is_binary_view(dtype):
        return pa.large_binary()
    if t.is_list(dtype) or t.is_large_list(dtype) or t.is_list_view(dtype) or t.is_large_list_view(dtype):
        inner = dtype.value_field.with_type(_without_views(dtype.value_type))
        return pa.list_(inner) if t.is_list(dtype) else pa.large_list(inner)
    if t.is_struct(dtype):
        return pa.struct([f.with_type(_without_views(f.type)) for f in dtype])
    return dtype


def _arrow_table(obj: Any) -> pa.Table:
    import pyarrow as pa

    if isinstance(obj, pa.Table):
        table = obj
    elif isinstance(obj, pa.RecordBatch):
        table = pa.Table.from_batches([obj])
    elif isinstance(obj, pa.RecordBatchReader):
        table = obj.read_all()
    else:
        table = pa.table(obj)  # the PyCapsule stream (polars, DuckDB, narwhals, ...)
    fields = [f.with_type(_without_views(f.type)) for f in table.schema]
    schema = pa.schema(fields, metadata=table.schema.metadata)
    return table if schema.equals(table.schema) else table.cast(schema)


def as_pandas(obj: Any, what: str = "push()") -> pd.DataFrame:
    """Return ``obj`` as a pandas DataFrame: a pandas frame as it is, Arrow data with ``pd.ArrowDtype``.

    Raises :class:`DataError` naming the accepted types for anything else (``what`` names the caller).

    Examples
    --------
    >>> import pyarrow as pa
    >>> df = as_pandas(pa.table({"text": ["a", None], "n": [1, None]}))
    >>> df["n"].tolist(), str(df["n"].dtype)
    ([1, <NA>], 'int64[pyarrow]')
    >>> as_pandas({"text": ["a"]})
    Traceback (most recent call last):
    ...
    ls_notebook.errors.DataError: push() takes a pandas or polars DataFrame, ...
    """
    if isinstance(obj, pd.DataFrame):
        return obj
    if not is_frame(obj):
        hint = ""
        if hasattr(obj, "collect") and hasattr(obj, "lazy"):
            hint = " A polars LazyFrame: call .collect() first."
        elif isinstance(obj, dict):
            hint = " A dict of columns: wrap it, e.g. pandas.DataFrame(d)."
        elif isinstance(obj, pd.Series):
            hint = " A Series: make it a frame, e.g. s.to_frame('text')."
        raise DataError(f"{what} takes {ACCEPTED}; got {type(obj).__module__}.{type(obj).__name__}.{hint}")
    table = _arrow_table(obj)
    return table.to_pandas(types_mapper=pd.ArrowDtype)


def backend_of(obj: Any) -> Backend:
    """The backend a frame given to us is returned in: pandas, polars, or Arrow for the rest.

    Examples
    --------
    >>> import pandas as pd, pyarrow as pa
    >>> backend_of(pd.DataFrame()), backend_of(pa.table({"a": [1]}))
    ('pandas', 'arrow')
    """
    if isinstance(obj, pd.DataFrame):
        return "pandas"
    if (type(obj).__module__ or "").startswith("polars"):
        return "polars"
    return "arrow"


def _check_backend(backend: str) -> None:
    if backend not in BACKENDS:
        raise DataError(f"backend={backend!r}: use one of {list(BACKENDS)}.")


def _polars() -> Any:
    try:
        import polars
    except ImportError:
        raise DataError(
            "backend='polars' needs the polars package: pip install polars (or use backend='arrow' and "
            "polars.from_arrow later)."
        ) from None
    return polars


def to_backend(data: pd.DataFrame | pa.Table, backend: str) -> Any:
    """Return ``data`` (a pandas frame or an Arrow table) as a ``backend`` frame, without copies where
    Arrow allows (pandas ``ArrowDtype`` columns and polars share the Arrow buffers).

    A pandas frame's index is left behind (polars and Arrow have none): make it a column first
    (``reset_index()``) to keep it.

    Examples
    --------
    >>> import pyarrow as pa
    >>> to_backend(pa.table({"a": [1, 2]}), "pandas")["a"].dtype
    int64[pyarrow]
    >>> to_backend(pa.table({"a": [1, 2]}), "arrow").num_rows
    2
    """
    import pyarrow as pa

    _check_backend(backend)
    if isinstance(data, pd.DataFrame):
        if backend == "pandas":
            return data
        if data.attrs:  # e.g. a pull's cursor: pandas would warn that it cannot store it
            data = data.copy(deep=False)
            data.attrs = {}
        table = pa.Table.from_pandas(data, preserve_index=False)
        table = table.replace_schema_metadata(None)  # pandas' own metadata: meaningless elsewhere
    else:
        if backend == "pandas":
            return data.to_pandas(types_mapper=pd.ArrowDtype)
        table = data
    if backend == "arrow":
        return table
    # polars reads schema metadata as UTF-8 text; ours may hold binary (the pull cursor's IPC bytes)
    return _polars().from_arrow(table.replace_schema_metadata(None))
