"""Turn one control tag's rows into :class:`Ratings`: single labels, label sets, numbers, texts."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ls_notebook.stats._frame import Prepared
from ls_notebook.stats._matrix import Ratings, encode, ratings_from_codes
from ls_notebook.stats._regions import first_label
from ls_notebook.stats._text import normalize_text

__all__ = [
    "MAX_SET_LABELS",
    "label_sets",
    "masi_distance",
    "numeric_ratings",
    "single_label_ratings",
    "text_ratings",
]

MAX_SET_LABELS = 62  # label sets are bit masks in an int64


def _key(p: Prepared, rows: np.ndarray) -> np.ndarray:
    return p.at(p.task, rows).astype(np.int64) * max(len(p.annotators), 1) + p.at(p.annotator, rows)


def has_repeats(p: Prepared, rows: np.ndarray) -> bool:
    """Whether some annotator has several rows for one task (per-region choices, several items)."""
    if p.one_row_per_pair:  # known from the frame-wide check for superseded annotations
        return False
    key = _key(p, rows)
    if not len(key):
        return False
    if int(key.max()) < 50_000_000:
        return bool(np.bincount(key).max() > 1)
    return len(pd.unique(key)) < len(key)


def _shared_label_codes(p: Prepared, rows: np.ndarray) -> tuple[np.ndarray, pd.Index] | None:
    """This tag's codes from the frame-wide ``label`` factorization (``None`` if a label is missing)."""
    if p.label_codes is None:
        return None
    codes, uniques = p.label_codes
    if p.label_complete and len(rows) == len(codes):  # every row, no label missing: all codes used
        return codes, uniques
    codes = p.at(codes, rows)
    if not len(codes) or codes.min() < 0:
        return None
    used = np.bincount(codes, minlength=len(uniques)) > 0
    if used.all():
        return codes, uniques
    return (np.cumsum(used) - 1)[codes], uniques[used]  # keep the sorted order of the labels used


def single_label_ratings(p: Prepared, rows: np.ndarray) -> Ratings:
    shared = _shared_label_codes(p, rows)
    if shared is not None:
        codes, cats = shared
        if len(rows) == len(p.frame) and p.keep.all():  # every task and annotator code occurs
            return Ratings(p.task, p.annotator, codes, p.tasks, p.annotators, cats)
        return ratings_from_codes(
            p.at(p.task, rows), p.at(p.annotator, rows), codes, p.tasks, p.annotators, cats
        )
    sub = p.take(rows, ["label", "labels"])
    lab = sub["label"] if "label" in sub.columns and not sub["label"].isna().any() else first_label(sub)
    codes, cats = encode(lab, sort=True)
    ok = codes >= 0
    return ratings_from_codes(p.task[rows][ok], p.annotator[rows][ok], codes[ok], p.tasks, p.annotators, cats)


def label_sets(p: Prepared, rows: np.ndarray) -> tuple[Ratings, pd.Index, np.ndarray] | None:
    """Ratings whose values are label sets (bit masks), the label names and each set's mask.

    Every (task, annotator) gets the union of its labels for this tag. ``None`` if there are more
    than :data:`MAX_SET_LABELS` labels.
    """
    sub = p.take(rows, ["label", "labels"])
    if "labels" in sub.columns and isinstance(sub["labels"].dtype, pd.ArrowDtype):
        import pyarrow.compute as pc

        arr = sub["labels"].array._pa_array.combine_chunks()
        flat = pc.list_flatten(arr)
        parent = pc.list_parent_indices(arr).to_numpy()
        flat_s = pd.Series(pd.arrays.ArrowExtensionArray(flat))
    else:
        col = sub["labels"] if "labels" in sub.columns else first_label(sub).map(lambda v: [v])
        ex = col.reset_index(drop=True).explode()
        parent = ex.index.to_numpy()
        flat_s = ex.reset_index(drop=True).astype("string")
    codes, names = encode(flat_s, sort=True)
    if len(names) > MAX_SET_LABELS:
        return None
    ok = codes >= 0
    key = _key(p, rows)
    pair_codes, pair_keys = pd.factorize(key)
    masks = np.zeros(len(pair_keys), dtype=np.int64)
    np.bitwise_or.at(masks, pair_codes[parent[ok]], np.left_shift(np.int64(1), codes[ok]))
    n_ann = max(len(p.annotators), 1)
    task, ann = np.divmod(np.asarray(pair_keys, dtype=np.int64), n_ann)
    set_codes, uniq = pd.factorize(masks, sort=True)
    r = ratings_from_codes(task, ann, set_codes.astype(np.int64), p.tasks, p.annotators, pd.Index(uniq))
    return r, names, np.asarray(uniq, dtype=np.int64)


def _popcount(x: np.ndarray) -> np.ndarray:
    x = x.astype(np.uint64)
    return np.unpackbits(x.view(np.uint8).reshape(*x.shape, 8), axis=-1).sum(axis=-1)


def masi_distance(masks: np.ndarray) -> np.ndarray:
    """MASI distance (Passonneau 2006) between all pairs of label sets given as bit masks.

    ``1 - J·M`` with Jaccard ``J`` and monotonicity ``M`` = 1 (equal), 2/3 (one contains the other),
    1/3 (overlap), 0 (disjoint).

    Examples
    --------
    >>> import numpy as np
    >>> from ls_notebook.stats._kinds import masi_distance
    >>> masi_distance(np.array([0b011, 0b001, 0b100])).round(4).tolist()[0]
    [0.0, 0.6667, 1.0]
    """
    a, b = masks[:, None], masks[None, :]
    inter = _popcount(a & b).astype(np.float64)
    union = _popcount(a | b).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        jac = np.where(union > 0, inter / union, 1.0)
    equal = a == b
    subset = ((a & b) == a) | ((a & b) == b)
    mono = np.where(equal, 1.0, np.where(subset, 2 / 3, np.where(inter > 0, 1 / 3, 0.0)))
    return 1.0 - jac * mono


def numeric_ratings(p: Prepared, rows: np.ndarray) -> tuple[Ratings, bool]:
    """Numbers per (task, annotator): ``number``, else ``value`` parsed; repeats averaged."""
    sub = p.take(rows, ["number", "value"])
    num = (
        sub["number"].to_numpy(dtype=np.float64, na_value=np.nan)
        if "number" in sub.columns
        else np.full(len(sub), np.nan)
    )
    if np.isnan(num).any() and "value" in sub.columns:
        parsed = pd.to_numeric(sub["value"].astype(object), errors="coerce").to_numpy(np.float64)
        num = np.where(np.isnan(num), parsed, num)
    ok = ~np.isnan(num)
    key = _key(p, rows)[ok]
    num = num[ok]
    averaged = False
    if len(pd.unique(key)) < len(key):
        kc, uk = pd.factorize(key)
        num = np.bincount(kc, weights=num) / np.bincount(kc)
        key = np.asarray(uk, dtype=np.int64)
        averaged = True
    task, ann = np.divmod(key, max(len(p.annotators), 1))
    codes, cats = pd.factorize(num, sort=True)
    return ratings_from_codes(
        task, ann, codes.astype(np.int64), p.tasks, p.annotators, pd.Index(cats)
    ), averaged


def text_ratings(p: Prepared, rows: np.ndarray) -> tuple[Ratings, pd.DataFrame]:
    """Normalised texts per (task, annotator) (several rows are joined by newlines)."""
    sub = p.take(rows, ["value", "text"])
    col = sub["value"] if "value" in sub.columns else sub.get("text")
    frame = pd.DataFrame({"key": _key(p, rows), "text": col.astype(object).to_numpy()}).dropna()
    joined = frame.groupby("key", sort=False)["text"].agg(lambda t: "\n".join(map(str, t)))
    norm = normalize_text(joined.astype("string"))
    key = joined.index.to_numpy(np.int64)
    task, ann = np.divmod(key, max(len(p.annotators), 1))
    codes, cats = pd.factorize(norm.to_numpy(dtype=object), sort=True)
    texts = pd.DataFrame({"task": task, "ann": ann, "text": norm.to_numpy(dtype=object)})
    return ratings_from_codes(task, ann, codes.astype(np.int64), p.tasks, p.annotators, pd.Index(cats)), texts
