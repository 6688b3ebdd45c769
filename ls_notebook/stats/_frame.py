"""From the pulled long frame to per-control-tag pieces with shared task and annotator codes."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from scipy import sparse

from ls_notebook.errors import DataError
from ls_notebook.stats._matrix import arrow_dictionary, codes_from_dictionary, encode
from ls_notebook.stats._threads import background

__all__ = ["Prepared", "prepare"]

_REQUIRED = ("task_id", "annotator", "from_name", "type")


@dataclass
class Prepared:
    """The pull frame reduced to what agreement needs.

    ``frame`` holds the kept rows; ``task``/``annotator`` are codes into ``tasks``/``annotators``
    aligned with ``frame``; ``annotated`` is a sparse tasks × annotators boolean matrix of who
    submitted an annotation (even one with no result for a given control tag).
    """

    frame: pd.DataFrame
    task: np.ndarray
    annotator: np.ndarray
    tasks: pd.Index
    annotators: pd.Index
    keep: np.ndarray
    groups: dict[str, np.ndarray]
    types: dict[str, str]
    notes: list[str]
    label_codes: tuple[np.ndarray, pd.Index] | None = None
    one_row_per_pair: bool = False
    label_complete: bool = False  # the ``label`` column has no missing value

    @cached_property
    def annotated(self) -> sparse.csr_matrix:
        """Sparse tasks × annotators: who submitted an annotation (built when first needed)."""
        t, a = self.task[self.keep], self.annotator[self.keep]
        return sparse.csr_matrix(
            (np.ones(len(t), dtype=bool), (t, a)), shape=(len(self.tasks), len(self.annotators)), dtype=bool
        )

    def annotators_per_task(self) -> np.ndarray:
        """How many annotators submitted an annotation of each task."""
        return np.asarray(self.annotated.sum(axis=1)).ravel()

    def at(self, values: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """``values[rows]`` for an array aligned with the frame; no copy when ``rows`` is every row."""
        return values if len(rows) == len(values) else values[rows]

    def take(self, rows: np.ndarray, cols: list[str]) -> pd.DataFrame:
        """Rows ``rows`` (sorted positions) of the columns ``cols`` that exist; no copy for all rows."""
        frame = self.frame[[c for c in cols if c in self.frame.columns]]
        return frame if len(rows) == len(frame) else frame.iloc[rows]


def _bool(col: pd.Series) -> np.ndarray | None:
    """A boolean column as an array (missing = false), or ``None`` when no value is true."""
    arrow_bool = isinstance(col.dtype, pd.ArrowDtype) and pa.types.is_boolean(col.dtype.pyarrow_dtype)
    if arrow_bool and not sum(chunk.true_count for chunk in col.array._pa_array.chunks):
        return None  # Arrow counts set bits: no array needed in the usual case
    return col.to_numpy(dtype=bool, na_value=False)


def _arrow_strings(col: pd.Series, dictionary: bool = False) -> Any:
    """The Arrow ChunkedArray behind a string column (or, with ``dictionary``, a dictionary one)."""
    if not isinstance(col.dtype, pd.ArrowDtype):
        return None
    arr = col.array._pa_array
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        return arr
    return arr if dictionary and pa.types.is_dictionary(arr.type) else None


def _constant_dictionary(arr: Any) -> str | None:
    """:func:`_constant` for a dictionary-encoded column: every index points at one value."""
    values = set()
    for chunk in arr.chunks:
        if not len(chunk):
            continue
        idx = chunk.indices.to_numpy(zero_copy_only=False)
        if not (idx == idx[0]).all():
            return None
        values.add(chunk.dictionary[int(idx[0])].as_py())
    return values.pop() if len(values) == 1 else None


def _constant(col: pd.Series) -> str | None:
    """The one value of an Arrow string column without nulls that holds a single value, else ``None``.

    Compares the column's buffers (equal lengths, each value's bytes equal to the previous one's)
    instead of hashing: the usual case for ``from_name`` and ``source`` of a one-tag project.
    """
    arr = _arrow_strings(col, dictionary=True)
    if arr is None or not len(arr) or arr.null_count:
        return None
    if pa.types.is_dictionary(arr.type):
        return _constant_dictionary(arr)
    first = arr[0].as_py()
    width = len(first.encode())
    off_type = np.int64 if pa.types.is_large_string(arr.type) else np.int32
    for chunk in arr.chunks:
        if not len(chunk):
            continue
        _, off_buf, data_buf = chunk.buffers()
        offsets = np.frombuffer(
            off_buf, dtype=off_type, count=len(chunk) + 1, offset=chunk.offset * off_type().itemsize
        )
        if offsets[-1] - offsets[0] != width * len(chunk) or not (np.diff(offsets) == width).all():
            return None
        data = np.frombuffer(
            data_buf, dtype=np.uint8, count=int(offsets[-1] - offsets[0]), offset=int(offsets[0])
        )
        if width and not (
            np.array_equal(data[:width], np.frombuffer(first.encode(), np.uint8))
            and np.array_equal(data[width:], data[:-width])
        ):
            return None
    return first


_SPLIT_ROWS = 100_000  # from this many rows on, two threads share the hashing of the annotators


def prepare(df: pd.DataFrame, from_name: str | list[str] | None, include_cancelled: bool) -> Prepared:
    """Validate, drop cancelled and superseded annotations, and split rows by ``from_name``.

    Every column is factorized once for the whole frame: strings with Arrow's hashing, which runs
    without the GIL, on two threads (a helper takes half of ``annotator``, then ``label``; this
    thread the other half, then the numeric columns); integer ids by counting; a column holding one
    value (``from_name``, ``source``, ``type`` in a one-tag project) by comparing buffers; a
    dictionary-encoded column without hashing.
    """
    if not isinstance(df, pd.DataFrame):
        raise DataError(f"agreement() needs the DataFrame of Project.pull(), got {type(df).__name__}.")
    missing = [c for c in _REQUIRED if c not in df.columns]
    if missing:
        raise DataError(
            f"the frame lacks columns {missing}; pass the long frame of Project.pull() "
            "(see ls_notebook.annotations.schema) or rename your columns to match it."
        )
    # Arrow hashes strings without the GIL: a helper thread takes half of the annotators, then the
    # labels, while this thread hashes the other half and goes on with the numeric columns
    names = _arrow_strings(df["annotator"])
    half = len(df) // 2 if names is not None and len(df) >= _SPLIT_ROWS else 0
    second_half = background(lambda: pc.dictionary_encode(names.slice(half))) if half else None
    labels = _arrow_strings(df["label"]) if "label" in df.columns else None
    job = None
    if labels is not None and labels.null_count < len(labels):
        job = background(lambda: arrow_dictionary(df["label"]))
    notes: list[str] = []
    keep = np.ones(len(df), dtype=bool)
    if not include_cancelled and "was_cancelled" in df.columns:
        cancelled = _bool(df["was_cancelled"])
        if cancelled is not None and cancelled.any():
            notes.append(f"{int(cancelled.sum())} rows of cancelled (skipped) annotations excluded")
            keep &= ~cancelled
    if "source" in df.columns and _constant(df["source"]) != "annotation":
        src = df["source"]  # predictions and drafts are not annotators
        is_ann = (src == "annotation").to_numpy(dtype=bool, na_value=False)
        other = ~(is_ann | src.isna().to_numpy(dtype=bool))
        if other.any():
            notes.append(f"{int(other.sum())} rows of predictions/drafts excluded")
        keep &= ~other
    if second_half is not None:
        first_half = pc.dictionary_encode(names.slice(0, half))
        both = pa.chunked_array([*first_half.chunks, *second_half.result().chunks])
        enc = both.unify_dictionaries().combine_chunks()
        annotator, annotators = codes_from_dictionary(enc, sort=True, drop_unused=False)
    else:
        annotator, annotators = encode(df["annotator"], sort=True)
    single = _constant(df["from_name"])
    if single is not None:
        fn_codes, fn_names = None, pd.Index([single])
    else:
        fn_codes, fn_names = encode(df["from_name"], sort=True)
    wanted = _wanted(from_name, fn_names)
    task, tasks = encode(df["task_id"], sort=False)
    keep &= (task >= 0) & (annotator >= 0)
    one_per_pair = False
    if "annotation_id" in df.columns:
        stale, one_per_pair = _superseded(df["annotation_id"], task, annotator, len(annotators), keep)
        if stale is not None:
            notes.append(
                f"{int(stale.sum())} rows of superseded annotations (same annotator, same task) excluded"
            )
            keep &= ~stale
    # rows are positions in the caller's frame; dropped rows are simply never referenced (no copy)
    all_rows = bool(keep.all())
    one_type = _constant(df["type"])
    groups, types = {}, {}
    for i, name in enumerate(fn_names):  # one pass per control tag
        if str(name) not in wanted:
            continue
        if fn_codes is None:
            rows = np.arange(len(df)) if all_rows else np.flatnonzero(keep)
        else:
            rows = np.flatnonzero((fn_codes == i) & keep)
        if not len(rows):
            continue
        groups[str(name)] = rows
        if one_type is not None:
            types[str(name)] = one_type
            continue
        sample = df["type"].iloc[rows[:1000]].dropna()
        types[str(name)] = str(sample.mode().iloc[0]) if len(sample) else ""
    label_codes = None
    if job is not None:
        label_codes = codes_from_dictionary(job.result(), sort=True, drop_unused=False)
    elif "label" in df.columns and _arrow_strings(df["label"], dictionary=True) is not None:
        label_codes = encode(df["label"], sort=True)  # dictionary encoded already: no hashing
    complete = label_codes is not None and not df["label"].array._pa_array.null_count
    return Prepared(
        df, task, annotator, tasks, annotators, keep, groups, types, notes,
        label_codes=label_codes, one_row_per_pair=one_per_pair, label_complete=complete,
    )  # fmt: skip


def _wanted(from_name: str | list[str] | None, names: pd.Index) -> set[str]:
    if from_name is None:
        return {str(n) for n in names}
    asked = [from_name] if isinstance(from_name, str) else list(from_name)
    unknown = [n for n in asked if n not in set(map(str, names))]
    if unknown:
        raise DataError(
            f"from_name {unknown} not in the frame; control tags present: {list(map(str, names))}."
        )
    return set(asked)


def _superseded(
    ann: pd.Series, task: np.ndarray, annotator: np.ndarray, n_ann: int, keep: np.ndarray
) -> tuple[np.ndarray | None, bool]:
    """Rows of an annotator's older annotations of a task (a lower ``annotation_id`` than their latest).

    Returns the stale rows (``None`` if there are none) and whether every kept (task, annotator)
    pair has a single row, which lets later steps skip their own check for repeats.
    """
    ids = ann.to_numpy(dtype=np.float64, na_value=np.nan)
    ok = keep & ~np.isnan(ids)
    if not ok.any():
        return None, False
    every = bool(ok.all())
    key = task.astype(np.int64, copy=False) * max(n_ann, 1) + annotator
    top = int(key.max())
    if top < 50_000_000:
        kc, n_keys = (key if every else np.where(ok, key, 0)), top + 1
    else:
        uniq, kc = np.unique(np.where(ok, key, -1), return_inverse=True)
        n_keys = len(uniq)
    if every:
        rows_per_key = np.bincount(kc, minlength=n_keys)
        if rows_per_key.max() <= 1:
            return None, True
        rows_per_key = rows_per_key.astype(np.float64)
    else:
        rows_per_key = np.bincount(kc, weights=ok, minlength=n_keys)
    # the mean id of a key equals every id of it exactly when the key has one annotation
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.bincount(kc, weights=np.where(ok, ids, 0.0), minlength=n_keys) / rows_per_key
    if not (ok & (ids != mean[kc])).any():  # one annotation per (task, annotator): the usual case
        return None, False
    vals = np.where(ok, ids, -np.inf)
    best = np.full(n_keys, -np.inf)
    np.maximum.at(best, kc, vals)
    stale = ok & (ids < best[kc])
    return (stale if stale.any() else None), False
