"""Point estimates and bootstrap intervals from per-unit sufficient statistics.

Every metric here is a function of sums over units: observed agreement, category totals,
coincidences. A metric describes itself as a units × K matrix ``stats`` and a ``finalize`` that maps
summed rows (B × K) to B values. The point estimate is ``finalize(stats.sum(0))``; a bootstrap
replicate resamples units with replacement, which is a multinomial weight vector ``w`` and the sum
``w @ stats``. So B replicates are one matrix product, not B calls of the metric.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from ls_notebook.errors import DataError
from ls_notebook.stats._estimate import Estimate

__all__ = ["Plan", "evaluate"]

_DRAWS_PER_CHUNK = 20_000_000


@dataclass
class Plan:
    """How to compute one statistic from per-unit sums.

    ``finalize(sums)`` takes a (B, K) array and returns B values (``nan`` where undefined);
    ``explain(sums)`` returns the explanation for a (K,) sum whose value is ``nan`` (or a note).

    ``stats`` may be a function that builds the units × K matrix: with ``total`` (its column sums,
    computed directly) and ``n_rows`` given, the matrix is only built for a bootstrap.
    """

    stats: np.ndarray | sparse.spmatrix | Callable[[], np.ndarray | sparse.spmatrix]
    finalize: Callable[[np.ndarray], np.ndarray]
    explain: Callable[[np.ndarray], str]
    n_units: int
    n_raters: int
    se: Callable[[np.ndarray], float] | None = None
    total: np.ndarray | None = None
    n_rows: int | None = None

    def matrix(self) -> np.ndarray | sparse.spmatrix:
        """The units × K statistics (built now if they were deferred)."""
        if callable(self.stats):
            self.stats = self.stats()
        return self.stats

    def sums(self) -> np.ndarray:
        """Column sums of the statistics (the point estimate's input)."""
        if self.total is None:
            m = self.matrix()
            self.total = _total(m) if m.shape[0] else np.zeros(m.shape[1])
        return self.total

    @property
    def rows(self) -> int:
        """Number of rows (units) of the statistics."""
        return self.n_rows if self.n_rows is not None else self.matrix().shape[0]


def _total(stats: np.ndarray | sparse.spmatrix) -> np.ndarray:
    return np.asarray(stats.sum(axis=0)).ravel().astype(np.float64)


def _weighted_sums(stats: np.ndarray | sparse.spmatrix, w: np.ndarray) -> np.ndarray:
    if sparse.issparse(stats):
        return np.asarray((stats.T @ w.T).T)
    return w @ stats


def bootstrap(plan: Plan, n_boot: int, seed: int | None) -> np.ndarray:
    """``n_boot`` replicate values of the statistic, resampling units with replacement."""
    stats = plan.matrix()
    n = stats.shape[0]
    rng = np.random.default_rng(seed)
    chunk = max(1, min(n_boot, _DRAWS_PER_CHUNK // max(n, 1)))
    out = []
    done = 0
    while done < n_boot:  # loops over chunks of replicates, never over units
        b = min(chunk, n_boot - done)
        idx = rng.integers(0, n, size=(b, n)) + (np.arange(b) * n)[:, None]
        w = np.bincount(idx.ravel(), minlength=b * n).reshape(b, n).astype(np.float64)
        with np.errstate(all="ignore"):
            out.append(plan.finalize(_weighted_sums(stats, w)))
        done += b
    return np.concatenate(out)


def evaluate(plan: Plan, ci: float | None = None, n_boot: int = 1000, seed: int | None = 0) -> Estimate:
    """The point estimate of ``plan`` as an :class:`Estimate`, with a bootstrap CI when ``ci`` is set."""
    total = plan.sums()
    empty = plan.rows == 0
    with np.errstate(all="ignore"):
        value = float(plan.finalize(total[None, :])[0])
    explanation = plan.explain(total) if np.isnan(value) or empty else ""
    if empty:
        value = float("nan")
    se = float("nan")
    if plan.se is not None and not np.isnan(value):
        with np.errstate(all="ignore"):
            se = float(plan.se(total))
    interval = None
    if ci is not None:
        if not 0 < ci < 1:
            raise DataError(f"ci={ci!r} must be a confidence level between 0 and 1, e.g. ci=0.95.")
        if n_boot < 2:
            raise DataError("n_boot must be at least 2 for a bootstrap interval.")
        if not np.isnan(value):
            reps = bootstrap(plan, n_boot, seed)
            reps = reps[~np.isnan(reps)]
            if len(reps) >= 2:
                lo, hi = np.percentile(reps, [50 * (1 - ci), 50 * (1 + ci)])
                interval = (float(lo), float(hi))
                if plan.se is None:
                    se = float(np.std(reps, ddof=1))
        if interval is None:
            interval = (float("nan"), float("nan"))
    return Estimate(
        value,
        se=se,
        ci=interval,
        ci_level=ci,
        n_units=plan.n_units,
        n_raters=plan.n_raters,
        explanation=explanation,
    )
