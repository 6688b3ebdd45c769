"""From the pulled long frame to per-control-tag pieces with shared task and annotator codes."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
from scipy import sparse

from ls_notebook.errors import DataError
from ls_notebook.stats._matrix import encode

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

    def take(self, rows: np.ndarray, cols: list[str]) -> pd.DataFrame:
        """Rows ``rows`` (sorted positions) of the columns ``cols`` that exist; no copy for all rows."""
        frame = self.frame[[c for c in cols if c in self.frame.columns]]
        return frame if len(rows) == len(frame) else frame.iloc[rows]


def _bool(col: pd.Series) -> np.ndarray:
    return col.to_numpy(dtype=bool, na_value=False)


def prepare(df: pd.DataFrame, from_name: str | list[str] | None, include_cancelled: bool) -> Prepared:
    """Validate, drop cancelled and superseded annotations, and split rows by ``from_name``."""
    if not isinstance(df, pd.DataFrame):
        raise DataError(f"agreement() needs the DataFrame of Project.pull(), got {type(df).__name__}.")
    missing = [c for c in _REQUIRED if c not in df.columns]
    if missing:
        raise DataError(
            f"the frame lacks columns {missing}; pass the long frame of Project.pull() "
            "(see ls_notebook.annotations.schema) or rename your columns to match it."
        )
    notes: list[str] = []
    keep = np.ones(len(df), dtype=bool)
    if not include_cancelled and "was_cancelled" in df.columns:
        cancelled = _bool(df["was_cancelled"])
        if cancelled.any():
            notes.append(f"{int(cancelled.sum())} rows of cancelled (skipped) annotations excluded")
        keep &= ~cancelled
    if "source" in df.columns:  # predictions and drafts are not annotators
        src = df["source"]
        is_ann = (src == "annotation").to_numpy(dtype=bool, na_value=False)
        other = ~(is_ann | src.isna().to_numpy(dtype=bool))
        if other.any():
            notes.append(f"{int(other.sum())} rows of predictions/drafts excluded")
        keep &= ~other
    task, tasks = encode(df["task_id"], sort=False)
    annotator, annotators = encode(df["annotator"], sort=True)
    keep &= (task >= 0) & (annotator >= 0)
    if "annotation_id" in df.columns:
        keep &= _latest_annotation(df["annotation_id"], task, annotator, len(annotators), keep, notes)
    # rows are positions in the caller's frame; dropped rows are simply never referenced (no copy)
    fn_codes, fn_names = encode(df["from_name"], sort=True)
    wanted = _wanted(from_name, fn_names)
    groups, types = {}, {}
    for i, name in enumerate(fn_names):  # one pass per control tag
        if str(name) not in wanted:
            continue
        rows = np.flatnonzero((fn_codes == i) & keep)
        if not len(rows):
            continue
        groups[str(name)] = rows
        sample = df["type"].iloc[rows[:1000]].dropna()
        types[str(name)] = str(sample.mode().iloc[0]) if len(sample) else ""
    return Prepared(df, task, annotator, tasks, annotators, keep, groups, types, notes)


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


def _distinct(values: np.ndarray) -> int:
    """Number of distinct integers (counting when the range is small, else hashing)."""
    lo, hi = values.min(), values.max()
    if hi - lo < 50_000_000:
        return int(np.count_nonzero(np.bincount((values - lo).astype(np.int64))))
    return len(pd.unique(values))


def _latest_annotation(
    ann: pd.Series, task: np.ndarray, annotator: np.ndarray, n_ann: int, keep: np.ndarray, notes: list[str]
) -> np.ndarray:
    """Keep only each annotator's latest annotation of a task (highest annotation id)."""
    ids = ann.to_numpy(dtype=np.float64, na_value=np.nan)
    ok = keep & ~np.isnan(ids)
    if not ok.any():
        return np.ones(len(ids), dtype=bool)
    key = task.astype(np.int64) * max(n_ann, 1) + annotator
    if _distinct(ids[ok]) == _distinct(key[ok]):  # one annotation per (task, annotator): the usual case
        return np.ones(len(ids), dtype=bool)
    if int(key.max()) < 50_000_000:
        kc, n_keys = np.where(ok, key, 0), int(key.max()) + 1
    else:
        uniq, kc = np.unique(np.where(ok, key, -1), return_inverse=True)
        n_keys = len(uniq)
    vals = np.where(ok, ids, -np.inf)
    best = np.full(n_keys, -np.inf)
    np.maximum.at(best, kc, vals)
    stale = ok & (ids < best[kc])
    if stale.any():
        notes.append(
            f"{int(stale.sum())} rows of superseded annotations (same annotator, same task) excluded"
        )
    return ~stale
