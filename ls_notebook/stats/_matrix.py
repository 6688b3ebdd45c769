"""Ratings in one shape: factorized (unit, rater, value) codes, with counts and coincidences.

Every metric accepts either a long frame (one row per rating) or a raters × units matrix with
missing values, and turns it into :class:`Ratings` once. From there the work is ``np.bincount`` over
integer codes; nothing loops over units or raters.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from ls_notebook.errors import DataError

__all__ = ["Ratings", "agreement_weights", "as_ratings"]

_DENSE_LIMIT = 40_000_000  # cells of a units × categories matrix kept dense


def _factorize(values: Any, categories: Sequence[Any] | None) -> tuple[np.ndarray, pd.Index]:
    """Integer codes of ``values`` and the sorted categories they index."""
    if categories is not None:
        cats = pd.Index(list(categories))
        if cats.has_duplicates:
            raise DataError("categories= lists a category twice; pass each category once.")
        codes = cats.get_indexer(pd.Index(values))
        if (codes < 0).any():
            unknown = pd.unique(np.asarray(pd.Index(values)[codes < 0], dtype=object))[:5]
            raise DataError(
                f"values {list(unknown)} are not among categories={list(cats)[:10]}; "
                "add them to categories= or drop those ratings."
            )
        return codes.astype(np.int64), cats
    if isinstance(values, np.ndarray):
        fast = _small_int_codes(values)
        if fast is not None:
            return fast[0], pd.Index(fast[1])
    try:
        codes, uniques = pd.factorize(values, sort=True)
    except TypeError:  # mixed types that do not sort: keep first-seen order
        codes, uniques = pd.factorize(values, sort=False)
    return np.asarray(codes, dtype=np.int64), pd.Index(uniques)


@dataclass(frozen=True, eq=False)
class Ratings:
    """Ratings as integer codes: row ``i`` says rater ``rater[i]`` gave unit ``unit[i]`` the value
    ``categories[value[i]]``. Missing ratings are absent rows.

    Build one with :func:`as_ratings` (or :meth:`from_counts`); metrics accept it in place of a frame,
    which saves factorizing the same data once per metric.

    Examples
    --------
    >>> from ls_notebook.stats import as_ratings
    >>> r = as_ratings([[1, 2, None], [1, 3, 3]])  # 2 raters × 3 units
    >>> r.n_units, r.n_raters, list(r.categories)
    (3, 2, [1.0, 2.0, 3.0])
    >>> r.counts.tolist()
    [[2.0, 0.0, 0.0], [0.0, 1.0, 1.0], [0.0, 0.0, 1.0]]
    """

    unit: np.ndarray
    rater: np.ndarray
    value: np.ndarray
    units: pd.Index
    raters: pd.Index
    categories: pd.Index

    @property
    def n_units(self) -> int:
        return len(self.units)

    @property
    def n_raters(self) -> int:
        return len(self.raters)

    @property
    def n_categories(self) -> int:
        return len(self.categories)

    @property
    def n_ratings(self) -> int:
        return len(self.unit)

    @cached_property
    def counts(self) -> np.ndarray:
        """Units × categories matrix: how many raters gave unit ``u`` category ``c``.

        Stored category by category (Fortran order): sums over units and over categories then run
        over contiguous memory, several times faster than row order for a few categories.
        """
        u, c = self.n_units, self.n_categories
        if u * c > _DENSE_LIMIT:
            raise DataError(
                f"{u} units × {c} categories is too large for a dense count matrix; "
                "group rare categories together or compute the metric on a subset of units."
            )
        flat = np.bincount(self.cell, minlength=u * c)
        return flat.reshape(c, u).astype(np.float64).T

    @cached_property
    def cell(self) -> np.ndarray:
        """Each rating's position in :attr:`counts` raveled in Fortran order (``value * n_units + unit``)."""
        return self.value * self.n_units + self.unit

    @property
    def dense_ok(self) -> bool:
        """Whether a dense units × categories count matrix is small enough to build."""
        return self.n_units * self.n_categories <= _DENSE_LIMIT

    @cached_property
    def sparse_counts(self) -> sparse.csr_matrix:
        """:attr:`counts` as a sparse matrix (for many categories, e.g. free text or numbers)."""
        data = np.ones(self.n_ratings)
        shape = (self.n_units, self.n_categories)
        return sparse.csr_matrix((data, (self.unit, self.value)), shape=shape)

    @cached_property
    def per_unit(self) -> np.ndarray:
        """Number of ratings of each unit."""
        if "counts" in self.__dict__:  # already built: its row sums are cheaper than a bincount
            return self.counts.sum(axis=1)
        return np.bincount(self.unit, minlength=self.n_units).astype(np.float64)

    @cached_property
    def unit_max(self) -> np.ndarray:
        """The largest count of each unit (row maxima of :attr:`counts`)."""
        return self.counts.max(axis=1, initial=0.0)

    @cached_property
    def sum_sq(self) -> np.ndarray:
        """``sum_k counts[u, k]²`` per unit (exact: integers in float64)."""
        if self.dense_ok:
            n = self.counts
            return np.einsum("ij,ij->i", n, n)
        ns = self.sparse_counts
        return np.asarray(ns.multiply(ns).sum(axis=1)).ravel()

    @cached_property
    def unit_agreement(self) -> np.ndarray:
        """Share of agreeing ordered rater pairs per unit, ``0`` for units with fewer than two ratings.

        ``sum_k n_uk (n_uk - 1) / (m_u (m_u - 1))``: the per-unit term of percent agreement, Fleiss' κ
        and AC1 (identity weights), computed once and shared by all of them.
        """
        m = self.per_unit
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(m >= 2, (self.sum_sq - m) / (m * (m - 1.0)), 0.0)

    def numeric_categories(self) -> np.ndarray:
        """The categories as floats (for interval and ratio metrics)."""
        try:
            return np.asarray(self.categories, dtype=np.float64)
        except (TypeError, ValueError):
            raise DataError(
                "this metric needs numeric values but the ratings are "
                f"{list(self.categories[:5])}...; use level='nominal' or map the labels to numbers."
            ) from None

    def rater_matrix(self) -> np.ndarray:
        """Units × raters matrix of category codes, ``-1`` where a rater did not rate a unit."""
        out = np.full((self.n_units, self.n_raters), -1, dtype=np.int64)
        out[self.unit, self.rater] = self.value
        return out

    def unit_category_matrix(self) -> sparse.csr_matrix:
        """Sparse (units · categories) × raters indicator: row ``u*C + c``, column ``r``."""
        rows = self.unit * self.n_categories + self.value
        data = np.ones(self.n_ratings)
        shape = (self.n_units * self.n_categories, self.n_raters)
        return sparse.csr_matrix((data, (rows, self.rater)), shape=shape)

    def subset(self, mask: np.ndarray) -> Ratings:
        """The ratings where ``mask`` is true (keeps all unit/rater/category labels)."""
        return Ratings(
            self.unit[mask], self.rater[mask], self.value[mask], self.units, self.raters, self.categories
        )

    @classmethod
    def from_counts(cls, table: Any, categories: Sequence[Any] | None = None) -> Ratings:
        """Ratings from a units × categories table of counts (the shape Fleiss 1971 and statsmodels use).

        Rater identities are unknown in such a table, so raters are numbered per unit (0, 1, ...):
        fine for Fleiss κ, α, AC1 and percent agreement, meaningless for pairwise statistics.

        Examples
        --------
        >>> from ls_notebook.stats import Ratings, fleiss_kappa
        >>> r = Ratings.from_counts([[3, 0], [0, 3], [2, 1]])
        >>> round(fleiss_kappa(r), 4)
        0.55
        """
        tab = np.asarray(table)
        if tab.ndim != 2 or not np.issubdtype(tab.dtype, np.number) or (tab < 0).any():
            raise DataError("from_counts needs a 2-D table of non-negative counts (units × categories).")
        tab = tab.astype(np.int64)
        n_u, n_c = tab.shape
        flat = tab.ravel()
        cell = np.repeat(np.arange(flat.size), flat)
        unit, value = cell // n_c, cell % n_c
        m = tab.sum(1)
        starts = np.repeat(np.cumsum(m) - m, m)
        rater = np.arange(len(unit)) - starts
        cats = pd.Index(range(n_c) if categories is None else list(categories))
        used = np.flatnonzero(m > 0)
        remap = np.full(n_u, -1)
        remap[used] = np.arange(len(used))
        return cls(remap[unit], rater, value, pd.Index(used), pd.RangeIndex(int(m.max(initial=0))), cats)


def _long_columns(data: pd.DataFrame, unit: str, rater: str, value: str) -> bool:
    return all(col in data.columns for col in (unit, rater, value))


def as_ratings(
    data: Any,
    *,
    unit: str = "unit",
    rater: str = "rater",
    value: str = "value",
    categories: Sequence[Any] | None = None,
) -> Ratings:
    """Turn ratings into :class:`Ratings` codes.

    Parameters
    ----------
    data : DataFrame, array-like or Ratings
        * a long DataFrame with columns ``unit``, ``rater``, ``value`` (names configurable), one row per
          rating; rows with a missing value are dropped;
        * anything else 2-D (array, nested lists, wide DataFrame) is read as a **raters × units** matrix
          (the convention of Krippendorff and the ``krippendorff`` package) with ``nan``/``None`` for
          missing ratings. Transpose a units × raters frame with ``df.T``.
    unit, rater, value : str
        Column names of a long frame.
    categories : sequence, optional
        The full, ordered category list. Pass it when some categories were never used (chance
        agreement of AC1 and Brennan–Prediger depends on their number) or to fix the order used by
        ordinal and weighted metrics. By default the observed values, sorted.

    Raises
    ------
    DataError
        If a rater rated a unit twice, or the data is not 1-D/2-D as described.

    Examples
    --------
    >>> import pandas as pd
    >>> from ls_notebook.stats import as_ratings
    >>> df = pd.DataFrame({"unit": [1, 1, 2], "rater": ["a", "b", "a"], "value": ["x", "y", "x"]})
    >>> r = as_ratings(df)
    >>> r.n_units, r.n_raters, list(r.categories)
    (2, 2, ['x', 'y'])
    """
    if isinstance(data, Ratings):
        if categories is None:
            return data
        codes, cats = _factorize(data.categories[data.value], categories)
        return Ratings(data.unit, data.rater, codes, data.units, data.raters, cats)
    if isinstance(data, pd.DataFrame) and _long_columns(data, unit, rater, value):
        vals = data[value]
        keep = ~np.asarray(vals.isna(), dtype=bool)
        if not keep.all():
            data = data.loc[keep]
        return _from_long(data[unit], data[rater], data[value], categories)
    return _from_matrix(data, categories)


_OVERLAP_ROWS = 100_000  # from this many rows on, the values' hashing runs beside the raters'


def _from_long(units: Any, raters: Any, values: Any, categories: Sequence[Any] | None) -> Ratings:
    job = None
    if categories is None and len(values) >= _OVERLAP_ROWS and isinstance(values, pd.Series):
        dtype = values.dtype
        if isinstance(dtype, pd.ArrowDtype) and not pd.api.types.is_integer_dtype(dtype):
            from ls_notebook.stats._threads import background

            # Arrow hashes strings without the GIL: the labels on the helper thread, the raters here
            job = background(lambda: arrow_dictionary(values))
    u_codes, u_index = encode(units, sort=False)
    r_codes, r_index = encode(raters, sort=True)
    if job is not None and (enc := job.result()) is not None:
        import pyarrow as pa

        v_codes, cats = codes_from_dictionary(
            enc, True, drop_unused=pa.types.is_dictionary(values.array._pa_array.type)
        )
    elif categories is None:
        v_codes, cats = encode(values, sort=True)
    else:
        v_codes, cats = _factorize(values, categories)
    if (u_codes < 0).any() or (r_codes < 0).any():
        raise DataError("some ratings have no unit or no rater; drop those rows (they cannot be compared).")
    out = Ratings(np.asarray(u_codes, np.int64), r_codes, v_codes, pd.Index(u_index), r_index, cats)
    _check_unique(out)
    return out


def _from_matrix(data: Any, categories: Sequence[Any] | None) -> Ratings:
    if isinstance(data, pd.DataFrame):
        rater_index, unit_index = pd.Index(data.index), pd.Index(data.columns)
        arr = data.to_numpy(dtype=object, na_value=None)
    else:
        arr = np.asarray(data, dtype=None if _is_numeric_like(data) else object)
        rater_index = unit_index = None
    if arr.dtype == object:
        with contextlib.suppress(TypeError, ValueError):
            arr = arr.astype(np.float64)
    if arr.ndim == 1:
        raise DataError(
            "got 1-D ratings; pass a raters × units matrix (2-D) or a long frame with "
            "unit/rater/value columns."
        )
    if arr.ndim != 2:
        raise DataError(f"ratings must be a raters × units matrix, got an array with {arr.ndim} dimensions.")
    if arr.dtype.kind in "fiub":
        arr = arr.astype(np.float64, copy=False)
        present = ~np.isnan(arr)
    else:
        present = ~np.asarray(pd.isna(arr), dtype=bool)
    # drop units nobody rated and keep the rest in column order (no sorting)
    used = present.any(axis=0)
    used_units = np.flatnonzero(used)
    if len(used_units) == arr.shape[1]:
        flat = np.flatnonzero(present)  # 1-D positions: cheaper than 2-D fancy indexing
        vals = arr.ravel()[flat]
    else:  # positions among the rated units: the codes come out of divmod with no remapping
        vals = arr[present]  # row-major, the order of the positions below
        flat = np.flatnonzero(np.compress(used, present, axis=1))
    r_idx, u_codes = np.divmod(flat, len(used_units))
    v_codes, cats = _factorize(vals, categories)
    n_r = arr.shape[0]
    raters = pd.RangeIndex(n_r) if rater_index is None else rater_index
    units = pd.Index(used_units) if unit_index is None else unit_index[used_units]
    # divmod of int64 positions is int64 already: no copies
    return Ratings(
        u_codes.astype(np.int64, copy=False), r_idx.astype(np.int64, copy=False), v_codes, units, raters, cats
    )


def _is_numeric_like(data: Any) -> bool:
    try:
        arr = np.asarray(data)
    except (ValueError, TypeError):
        return False
    return arr.dtype.kind in "fiub"


def _check_unique(r: Ratings) -> None:
    if r.n_ratings == 0:
        return
    key = r.unit * max(r.n_raters, 1) + r.rater
    if r.n_units * r.n_raters <= _DENSE_LIMIT:
        dup = np.bincount(key, minlength=r.n_units * r.n_raters) > 1
        bad = np.flatnonzero(dup)
    else:
        uniq, cnt = np.unique(key, return_counts=True)
        bad = uniq[cnt > 1]
    if len(bad):
        u, rr = bad[0] // r.n_raters, bad[0] % r.n_raters
        raise DataError(
            f"rater {r.raters[rr]!r} rated unit {r.units[u]!r} more than once ({len(bad)} such pairs); "
            "keep one rating per rater and unit, e.g. df.drop_duplicates([unit, rater], keep='last')."
        )


def agreement_weights(kind: Any, n_categories: int, values: np.ndarray | None = None) -> np.ndarray:
    """Agreement weights ``w[k, l]`` (1 on the diagonal, 0 for full disagreement).

    ``kind`` is ``None``/"identity" (nominal), ``"linear"`` (``1 - |k-l|/(q-1)``), ``"quadratic"``
    (``1 - (k-l)²/(q-1)²``) over category ranks, or a ``q × q`` matrix used as is.
    """
    q = n_categories
    if kind is None or (isinstance(kind, str) and kind in ("identity", "nominal", "unweighted")):
        return np.eye(q)
    if isinstance(kind, str):
        pos = np.arange(q, dtype=np.float64) if values is None else np.asarray(values, np.float64)
        span = pos.max() - pos.min() if q > 1 else 1.0
        span = span or 1.0
        diff = np.abs(pos[:, None] - pos[None, :]) / span
        if kind == "linear":
            return 1.0 - diff
        if kind == "quadratic":
            return 1.0 - diff**2
        raise DataError(f"weights={kind!r} is not known; use None, 'linear', 'quadratic' or a q × q matrix.")
    w = np.asarray(kind, dtype=np.float64)
    if w.shape != (q, q):
        raise DataError(
            f"a weight matrix must be {q} × {q} (one row and column per category), got {w.shape}."
        )
    return w


def _small_int_codes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Codes of integer-valued numbers in a small range by counting (no hashing, no sort)."""
    if values.dtype.kind not in "iuf" or not len(values):
        return None
    lo, hi = values.min(), values.max()
    if not (np.isfinite(lo) and np.isfinite(hi)) or hi - lo > 4 * len(values) + 1_000:
        return None
    ints = values.astype(np.int64) if values.dtype.kind == "f" else values.astype(np.int64, copy=False)
    if values.dtype.kind == "f" and not np.array_equal(ints, values):
        return None
    shifted = ints - int(lo)
    used = np.bincount(shifted) > 0
    uniques = np.flatnonzero(used) + lo
    codes = shifted if used.all() else (np.cumsum(used) - 1)[shifted]
    return codes, uniques.astype(values.dtype)


def arrow_dictionary(values: pd.Series) -> Any:
    """The Arrow hashing step of :func:`encode` for an Arrow string (or dictionary) column.

    Returns a ``DictionaryArray`` (``None`` for other columns). Pure Arrow: it releases the GIL, so it
    can run on a helper thread while Python code runs on the main one; finish with
    :func:`codes_from_dictionary`.
    """
    if not (isinstance(values, pd.Series) and isinstance(values.dtype, pd.ArrowDtype)):
        return None
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = values.array._pa_array  # ChunkedArray, no copy
    if pa.types.is_dictionary(arr.type):  # already encoded (e.g. a categorical column): no hashing
        one = arr.unify_dictionaries().combine_chunks() if arr.num_chunks != 1 else arr.chunk(0)
        return pa.DictionaryArray.from_arrays(one.indices, one.dictionary)
    if isinstance(arr.type, (pa.ListType, pa.LargeListType)):
        return None
    return pc.dictionary_encode(arr.combine_chunks() if arr.num_chunks != 1 else arr.chunk(0))


def codes_from_dictionary(enc: Any, sort: bool, drop_unused: bool) -> tuple[np.ndarray, pd.Index]:
    """Codes (``-1`` for missing) and uniques from a ``DictionaryArray`` (see :func:`arrow_dictionary`).

    ``drop_unused`` removes dictionary entries no row uses (a column that was already dictionary
    encoded may carry them; hashing never does); ``sort`` orders the uniques.
    """
    import pyarrow as pa

    codes = enc.indices.to_numpy(zero_copy_only=False)
    if enc.indices.null_count:
        codes = np.where(enc.indices.is_null().to_numpy(zero_copy_only=False), -1, codes)
    codes = codes.astype(np.int64, copy=False)
    dictionary = enc.dictionary
    # new code of each dictionary entry; a last slot maps -1 (missing) to itself
    lut = np.arange(len(dictionary) + 1, dtype=np.int64)
    lut[-1] = -1
    if drop_unused:
        present = codes if not enc.indices.null_count else codes[codes >= 0]
        used = np.bincount(present, minlength=len(dictionary)) > 0
        if not used.all():
            lut[:-1] = np.where(used, np.cumsum(used) - 1, -1)
            dictionary = dictionary.filter(pa.array(used))
    if pa.types.is_string(dictionary.type) or pa.types.is_large_string(dictionary.type):
        uniques = pd.Index(np.asarray(dictionary.to_pylist(), dtype=object))
    else:
        uniques = pd.Index(dictionary.to_numpy(zero_copy_only=False))
    if sort and len(uniques) > 1:
        try:
            order = np.argsort(uniques.to_numpy(), kind="stable")
        except TypeError:  # mixed types that do not sort: keep first-seen order
            order = None
        if order is not None and not (order == np.arange(len(order))).all():
            rank = np.empty_like(order)
            rank[order] = np.arange(len(order))
            kept = lut[:-1] >= 0
            lut[:-1][kept] = rank[lut[:-1][kept]]
            uniques = uniques[order]
    if not (lut[:-1] == np.arange(len(lut) - 1)).all():  # one lookup for both remappings
        codes = lut[codes]
    return codes, uniques


def encode(values: Any, sort: bool = True) -> tuple[np.ndarray, pd.Index]:
    """Integer codes (``-1`` for missing) and uniques of a Series; Arrow columns use Arrow's hashing."""
    if isinstance(values, pd.Series) and isinstance(values.dtype, pd.ArrowDtype):
        import pyarrow as pa

        arr = values.array._pa_array  # ChunkedArray, no copy
        if pa.types.is_integer(arr.type) and arr.null_count == 0:
            fast = _small_int_codes(arr.to_numpy())
            if fast is not None:
                return fast[0], pd.Index(fast[1])
        enc = arrow_dictionary(values)
        if enc is not None:
            return codes_from_dictionary(enc, sort, drop_unused=pa.types.is_dictionary(arr.type))
    if isinstance(values, pd.Series) and values.dtype.kind in "iu":  # plain integer column
        values = values.to_numpy()
    if isinstance(values, np.ndarray):  # small integer ranges are counted, in sorted order
        fast = _small_int_codes(values)
        if fast is not None:
            return fast[0], pd.Index(fast[1])
    try:
        codes, uniques = pd.factorize(values, sort=sort)
    except TypeError:  # mixed types that do not sort: keep first-seen order
        codes, uniques = pd.factorize(values, sort=False)
    return np.asarray(codes, dtype=np.int64), pd.Index(uniques)


def ratings_from_codes(
    unit: np.ndarray,
    rater: np.ndarray,
    value: np.ndarray,
    units: pd.Index,
    raters: pd.Index,
    categories: pd.Index,
) -> Ratings:
    """Ratings from global codes, keeping only the units and raters that occur (no sort)."""
    used_u = np.bincount(unit, minlength=len(units)) > 0
    used_r = np.bincount(rater, minlength=len(raters)) > 0
    if used_u.all() and used_r.all():  # nothing to drop: no remapping
        return Ratings(unit, rater, value, units, raters, categories)
    remap_u = np.cumsum(used_u) - 1
    remap_r = np.cumsum(used_r) - 1
    return Ratings(remap_u[unit], remap_r[rater], value, units[used_u], raters[used_r], categories)
