"""Krippendorff's α for nominal, ordinal, interval and ratio data (and any distance matrix).

Follows Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability": values are pairable
within a unit that has at least two of them; the coincidence matrix ``o_ck`` counts ordered pairs of
values ``c, k`` within units, each unit's pairs weighted by ``1 / (m_u - 1)``; then
``α = 1 - (n - 1) * sum o_ck δ²_ck / sum n_c n_k δ²_ck``. Units with a single value are dropped
(they cannot be paired), exactly as Krippendorff defines it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from scipy import sparse

from ls_notebook.errors import DataError
from ls_notebook.stats._bootstrap import Plan, evaluate
from ls_notebook.stats._estimate import Estimate
from ls_notebook.stats._matrix import Ratings, as_ratings

__all__ = ["alpha_plan", "krippendorff_alpha"]

NO_PAIRS = "no unit has two or more values, so no value can be paired"
NO_VARIATION = "all pairable values are identical: expected disagreement is 0 and α is 0/0"
_LEVELS = ("nominal", "ordinal", "interval", "ratio")
_MAX_MATRIX_CATEGORIES = 1000


def _pairable(r: Ratings) -> tuple[np.ndarray, np.ndarray]:
    m = r.per_unit
    return m, m >= 2


def _nominal_plan(r: Ratings) -> Plan:
    m, ok = _pairable(r)
    # a_u = sum_c n_uc (n_uc - 1) / (m_u - 1): the unit's weight in the diagonal of o_ck
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(ok, (r.sum_sq - m) / (m - 1.0), 0.0)
    mm = np.where(ok, m, 0.0)
    total = None
    if r.dense_ok:
        n = r.counts
        # the point estimate needs column sums only; the per-unit matrix is built for a bootstrap
        total = np.concatenate([[a.sum(), mm.sum()], n.T @ ok.astype(np.float64)])  # one BLAS pass

        def stats() -> np.ndarray:
            return np.column_stack([a, mm, n * ok[:, None]])

        plan_stats: Any = stats
    else:  # many distinct values (free text, numbers): same statistics, sparse
        head = sparse.csr_matrix(np.column_stack([a, mm]))
        rows = sparse.diags(ok.astype(np.float64)) @ r.sparse_counts
        plan_stats = sparse.hstack([head, rows], format="csr")

    def finalize(s: np.ndarray) -> np.ndarray:
        tot, agree, nc = s[:, 1], s[:, 0], s[:, 2:]
        expected = tot**2 - (nc**2).sum(axis=1)
        out = 1.0 - (tot - 1.0) * (tot - agree) / expected
        return np.where(expected > 0, out, np.nan)

    return Plan(
        plan_stats, finalize, _explain_total(1), int(ok.sum()), r.n_raters, total=total, n_rows=r.n_units
    )


def _interval_plan(r: Ratings) -> Plan:
    m, ok = _pairable(r)
    v = r.numeric_categories()[r.value]
    keep = ok[r.unit]
    u = r.unit[keep]
    s1 = np.bincount(u, weights=v[keep], minlength=r.n_units)
    s2 = np.bincount(u, weights=v[keep] ** 2, minlength=r.n_units)
    mm = np.where(ok, m, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        do = np.where(ok, 2.0 * (mm * s2 - s1**2) / (mm - 1.0), 0.0)
    stats = np.column_stack([do, mm, s1, s2])

    def finalize(s: np.ndarray) -> np.ndarray:
        tot = s[:, 1]
        expected = 2.0 * (tot * s[:, 3] - s[:, 2] ** 2)
        # relative tolerance: identical values leave rounding noise in n*S2 - S1²
        flat = expected <= 1e-12 * np.maximum(tot * s[:, 3], 1e-300)
        return np.where(flat, np.nan, 1.0 - (tot - 1.0) * s[:, 0] / np.where(flat, 1.0, expected))

    return Plan(stats, finalize, _explain_total(1), int(ok.sum()), r.n_raters)


def _explain_total(col: int) -> Callable[[np.ndarray], str]:
    def explain(s: np.ndarray) -> str:
        return NO_PAIRS if s.size == 0 or s[col] == 0 else NO_VARIATION

    return explain


def coincidence_rows(r: Ratings) -> sparse.csr_matrix:
    """Units × q² sparse matrix: row ``u`` is unit ``u``'s contribution to the coincidence matrix."""
    q = r.n_categories
    m, ok = _pairable(r)
    n = r.counts
    cu, cc = np.nonzero(n * ok[:, None])  # cells, sorted by unit
    cn = n[cu, cc]
    w = 1.0 / (m[cu] - 1.0)
    rows, cols, vals = [cu], [cc * q + cc], [cn * (cn - 1.0) * w]
    for d in range(1, q):  # offsets between cells of one unit: at most q - 1, never per unit
        i = np.flatnonzero(cu[:-d] == cu[d:]) if len(cu) > d else np.empty(0, np.int64)
        if not len(i):
            break
        j = i + d
        prod = cn[i] * cn[j] * w[i]
        rows += [cu[i], cu[i]]
        cols += [cc[i] * q + cc[j], cc[j] * q + cc[i]]
        vals += [prod, prod]
    return sparse.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(r.n_units, q * q)
    )


def _ordinal_delta(nc: np.ndarray) -> np.ndarray:
    """(B, q) marginals → (B, q, q) ordinal δ²."""
    g = np.cumsum(nc, axis=1)
    lo = np.minimum.outer(np.arange(nc.shape[1]), np.arange(nc.shape[1]))
    hi = np.maximum.outer(np.arange(nc.shape[1]), np.arange(nc.shape[1]))
    between = g[:, hi] - g[:, lo] + nc[:, lo]
    return (between - (nc[:, :, None] + nc[:, None, :]) / 2.0) ** 2


def _matrix_plan(r: Ratings, delta: Callable[[np.ndarray], np.ndarray]) -> Plan:
    q = r.n_categories
    if q > _MAX_MATRIX_CATEGORIES:
        raise DataError(
            f"{q} distinct values is too many for this level of α (limit {_MAX_MATRIX_CATEGORIES}); "
            "use level='interval' for numbers or bin the values."
        )
    _, ok = _pairable(r)
    stats = coincidence_rows(r)

    def finalize(s: np.ndarray) -> np.ndarray:
        o = s.reshape(len(s), q, q)
        nc = o.sum(axis=2)
        tot = nc.sum(axis=1)
        d = delta(nc)
        observed = (o * d).sum(axis=(1, 2))
        expected = np.einsum("bk,bkl,bl->b", nc, d, nc)
        out = 1.0 - (tot - 1.0) * observed / np.where(expected > 0, expected, 1.0)
        return np.where(expected > 1e-12 * np.maximum(tot, 1.0) ** 2, out, np.nan)

    def explain(s: np.ndarray) -> str:
        return NO_PAIRS if s.sum() == 0 else NO_VARIATION

    return Plan(stats, finalize, explain, int(ok.sum()), r.n_raters)


def alpha_plan(r: Ratings, level: str | np.ndarray) -> Plan:
    """The α :class:`Plan` for ``level`` (a name or a q × q matrix of squared distances)."""
    if isinstance(level, str):
        if level == "nominal":
            return _nominal_plan(r)
        if level == "interval":
            return _interval_plan(r)
        if level == "ordinal":
            return _matrix_plan(r, _ordinal_delta)
        if level == "ratio":
            v = r.numeric_categories()
            with np.errstate(divide="ignore", invalid="ignore"):
                d = ((v[:, None] - v[None, :]) / (v[:, None] + v[None, :])) ** 2
            d = np.nan_to_num(d)
            return _matrix_plan(r, lambda nc: np.broadcast_to(d, (len(nc), *d.shape)))
        raise DataError(f"level={level!r} is not known; use one of {_LEVELS} or a distance matrix.")
    d = np.asarray(level, dtype=np.float64)
    if d.shape != (r.n_categories, r.n_categories):
        raise DataError(
            f"a distance matrix must be {r.n_categories} × {r.n_categories} (one row per category), "
            f"got {d.shape}."
        )
    return _matrix_plan(r, lambda nc: np.broadcast_to(d, (len(nc), *d.shape)))


def krippendorff_alpha(
    data: Any,
    level: str | np.ndarray = "nominal",
    *,
    categories: Sequence[Any] | None = None,
    ci: float | None = None,
    n_boot: int = 1000,
    seed: int | None = 0,
    **columns: str,
) -> Estimate:
    """Krippendorff's α with missing data, at any level of measurement.

    Units with a single value are dropped: a lone value has nothing to be compared with (Krippendorff's
    definition; ``n_units`` counts the units kept). ``nan`` with an ``explanation`` when no unit has
    two values or all pairable values are identical.

    Parameters
    ----------
    data : DataFrame, array-like or Ratings
        A raters × units matrix with ``nan`` for missing (the ``krippendorff`` package's
        ``reliability_data``) or a long frame; see :func:`as_ratings`.
    level : {"nominal", "ordinal", "interval", "ratio"} or array
        Metric of differences. Ordinal ranks follow ``categories=`` (or sorted values); interval and
        ratio need numbers. A q × q matrix of squared distances (zero diagonal) gives α for any
        other metric, e.g. a set distance for multi-label data.
    categories : sequence, optional
        Order of ordinal categories.
    ci : float, optional
        Confidence level of a percentile bootstrap interval over units; ``n_boot`` replicates with
        ``seed``.

    Examples
    --------
    Krippendorff (2011), 4 observers × 12 units with missing values:

    >>> import numpy as np
    >>> from ls_notebook.stats import krippendorff_alpha
    >>> nan = np.nan
    >>> data = [[1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
    ...         [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
    ...         [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
    ...         [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan]]
    >>> round(krippendorff_alpha(data), 3), round(krippendorff_alpha(data, "interval"), 3)
    (0.743, 0.849)
    """
    r = as_ratings(data, categories=categories, **columns)
    return evaluate(alpha_plan(r, level), ci, n_boot, seed)
