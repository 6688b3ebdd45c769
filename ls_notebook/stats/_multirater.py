"""Shared machinery of the multi-rater chance-corrected coefficients (Gwet's unified notation).

For unit ``i`` with ``r_i`` ratings, ``r_ik`` of them in category ``k``, and agreement weights ``w``:

* observed agreement ``p_a = mean over units with r_i >= 2 of
  sum_k r_ik (r*_ik - 1) / (r_i (r_i - 1))`` with ``r*_ik = sum_l w_kl r_il``;
* category propensities ``pi_k = mean over all rated units of r_ik / r_i``.

Fleiss' κ, Gwet's AC1/AC2, Brennan–Prediger and percent agreement differ only in the chance
agreement ``p_e`` computed from ``pi``; coefficient = ``(p_a - p_e) / (1 - p_e)``. These are the
formulas of Gwet, *Handbook of Inter-Rater Reliability* (4th ed., ch. 2), also used by irrCAC, which
handle any number of raters per unit (missing ratings).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

import numpy as np
from scipy import sparse

from ls_notebook.stats._bootstrap import Plan
from ls_notebook.stats._matrix import Ratings

__all__ = ["DEGENERATE", "NO_PAIRS", "multirater_plan"]

NO_PAIRS = "no unit has two or more ratings, so there is no agreement to measure"
DEGENERATE = (
    "chance agreement is 1 (all ratings fall in one category), so the chance-corrected "
    "coefficient is 0/0; look at percent agreement instead"
)

ChanceFn = Callable[[np.ndarray, np.ndarray], np.ndarray]  # (pi (B×q), weights) -> p_e (B,)


def _sparse_unit_stats(r: Ratings) -> sparse.csr_matrix:
    n = r.sparse_counts
    m = r.per_unit
    pairable = m >= 2
    with np.errstate(divide="ignore", invalid="ignore"):
        pa_u = np.where(pairable, (np.asarray(n.multiply(n).sum(axis=1)).ravel() - m) / (m * (m - 1.0)), 0.0)
    props = sparse.diags(1.0 / m) @ n
    cols = [sparse.csr_matrix(c[:, None]) for c in (pa_u, pairable.astype(np.float64))]
    return sparse.hstack([*cols, props, sparse.csr_matrix(np.ones((len(m), 1)))], format="csr")


_CACHE: weakref.WeakKeyDictionary[Ratings, np.ndarray | sparse.csr_matrix] = weakref.WeakKeyDictionary()


def _unit_stats(r: Ratings, w: np.ndarray) -> np.ndarray | sparse.csr_matrix:
    identity = np.array_equal(w, np.eye(len(w)))
    if identity and r in _CACHE:  # κ, AC1, BP and percent agreement share these statistics
        return _CACHE[r]
    out = _compute_unit_stats(r, w, identity)
    if identity:
        _CACHE[r] = out
    return out


def _compute_unit_stats(r: Ratings, w: np.ndarray, identity: bool) -> np.ndarray | sparse.csr_matrix:
    if not r.dense_ok and identity:
        return _sparse_unit_stats(r)
    n = r.counts
    m = n.sum(axis=1)
    pairable = m >= 2
    with np.errstate(divide="ignore", invalid="ignore"):
        if identity:
            pa_u = r.unit_agreement
        else:
            pa_u = np.where(pairable, (n * (n @ w - 1.0)).sum(axis=1) / (m * (m - 1.0)), 0.0)
        props = n / m[:, None]
    return np.column_stack([pa_u, pairable.astype(np.float64), props, np.ones(len(m))])


_TOTALS: weakref.WeakKeyDictionary[Ratings, np.ndarray] = weakref.WeakKeyDictionary()


def _identity_totals(r: Ratings) -> np.ndarray:
    """Column sums of the identity-weight unit statistics, without building the units × K matrix."""
    if r in _TOTALS:  # percent agreement, κ, AC1 and BP share them
        return _TOTALS[r]
    pairable = r.per_unit >= 2
    with np.errstate(divide="ignore", invalid="ignore"):
        props = (r.counts / r.per_unit[:, None]).sum(axis=0)
    head = [r.unit_agreement.sum(), float(np.count_nonzero(pairable))]
    out = _TOTALS[r] = np.concatenate([head, props, [float(r.n_units)]])
    return out


def multirater_plan(r: Ratings, weights: np.ndarray, chance: ChanceFn | None) -> Plan:
    """Plan for a coefficient whose chance agreement is ``chance(pi, weights)``; ``None`` gives p_a."""
    q = r.n_categories
    if r.n_units and r.dense_ok and weights.shape == (q, q) and np.array_equal(weights, np.eye(q)):
        # the point estimate needs only column sums: the per-unit matrix waits for a bootstrap
        total = _identity_totals(r)
        stats: Any = lambda: _unit_stats(r, weights)  # noqa: E731
        n_units = int(total[1])
    else:
        stats = _unit_stats(r, weights) if r.n_units else np.zeros((0, q + 3))
        total = None
        n_units = int(stats[:, 1].sum()) if stats.shape[0] else 0

    def finalize(s: np.ndarray) -> np.ndarray:
        pa = s[:, 0] / s[:, 1]
        if chance is None:
            return pa
        pi = s[:, 2 : 2 + q] / s[:, -1:]
        pe = chance(pi, weights)
        out = (pa - pe) / (1.0 - pe)
        return np.where(np.isclose(pe, 1.0), np.nan, out)

    def explain(s: np.ndarray) -> str:
        if s.size == 0 or s[1] == 0:
            return NO_PAIRS
        return DEGENERATE

    return Plan(stats, finalize, explain, n_units=n_units, n_raters=r.n_raters, total=total, n_rows=r.n_units)


def chance_fleiss(pi: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Fleiss / Scott: ``sum_kl w_kl pi_k pi_l``."""
    return np.einsum("bk,kl,bl->b", pi, w, pi)


def chance_gwet(pi: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Gwet AC1/AC2: ``T_w / (q (q-1)) * sum_k pi_k (1 - pi_k)``."""
    q = w.shape[0]
    if q < 2:
        return np.ones(len(pi))
    return w.sum() / (q * (q - 1)) * (pi * (1.0 - pi)).sum(axis=1)


def chance_bp(pi: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Brennan–Prediger: ``T_w / q²`` (categories equally likely)."""
    q = w.shape[0]
    return np.full(len(pi), w.sum() / q**2)
