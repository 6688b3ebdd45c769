"""Cohen's κ (two raters, weighted), Fleiss' κ and Scott's π (any number of raters)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from ls_notebook.errors import DataError
from ls_notebook.stats._bootstrap import Plan, evaluate
from ls_notebook.stats._estimate import Estimate
from ls_notebook.stats._matrix import Ratings, _factorize, agreement_weights, as_ratings
from ls_notebook.stats._multirater import DEGENERATE, chance_fleiss, multirater_plan

__all__ = ["cohen_kappa", "fleiss_kappa", "kappa_from_table", "scotts_pi"]


def _two_raters(a: Any, b: Any, categories: Sequence[Any] | None) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    """Codes of the units both raters rated, over the categories of both."""
    if b is None:
        r = as_ratings(a, categories=categories)
        if r.n_raters != 2:
            raise DataError(
                f"cohen_kappa needs exactly two raters, got {r.n_raters}; pass two rating vectors, "
                "use fleiss_kappa/krippendorff_alpha for more raters, or agreement() for all pairs."
            )
        mat = r.rater_matrix()
        both = (mat >= 0).all(axis=1)
        return mat[both, 0], mat[both, 1], r.categories
    sa, sb = pd.Series(a), pd.Series(b)
    if len(sa) != len(sb):
        raise DataError(
            f"the two raters' vectors differ in length ({len(sa)} vs {len(sb)}); align them by unit."
        )
    both = ~(np.asarray(sa.isna(), bool) | np.asarray(sb.isna(), bool))
    joint = pd.concat([sa[both].astype(object), sb[both].astype(object)], ignore_index=True)
    codes, cats = _factorize(joint, categories)
    k = int(both.sum())
    return codes[:k], codes[k:], cats


def kappa_from_table(table: np.ndarray, w: np.ndarray) -> tuple[float, float, float, float]:
    """κ, its asymptotic SE (Fleiss, Cohen & Everitt 1969), p_o and p_e from a q × q count table."""
    n = table.sum()
    p = table / n
    row, col = p.sum(axis=1), p.sum(axis=0)
    po = (w * p).sum()
    pe = (w * np.outer(row, col)).sum()
    kappa = (po - pe) / (1.0 - pe)
    wi = w @ col  # w̄_i. = sum_j p_.j w_ij
    wj = row @ w  # w̄_.j = sum_i p_i. w_ij
    inner = (p * (w - (wi[:, None] + wj[None, :]) * (1.0 - kappa)) ** 2).sum()
    var = (inner - (kappa - pe * (1.0 - kappa)) ** 2) / (n * (1.0 - pe) ** 2)
    return float(kappa), float(np.sqrt(max(var, 0.0))), float(po), float(pe)


def cohen_kappa(
    a: Any,
    b: Any = None,
    *,
    weights: str | np.ndarray | None = None,
    categories: Sequence[Any] | None = None,
    ci: float | None = None,
    n_boot: int = 1000,
    seed: int | None = 0,
) -> Estimate:
    """Cohen's κ between two raters, optionally weighted, with its standard error.

    Parameters
    ----------
    a, b : array-like
        The two raters' labels for the same units, position by position (``nan``/``None`` = not rated;
        units that either rater left out are dropped). With ``b=None``, ``a`` is any ratings input of
        :func:`as_ratings` holding exactly two raters.
    weights : None, "linear", "quadratic" or array
        Agreement weights over the category order (``categories=`` or sorted values): linear
        ``1 - |i-j|/(q-1)``, quadratic ``1 - (i-j)²/(q-1)²`` (Cohen 1968), or a q × q matrix.
    categories : sequence, optional
        Category order (for weights) and any categories neither rater used.
    ci : float, optional
        Confidence level of a bootstrap interval over units (e.g. 0.95).
    n_boot, seed : int
        Bootstrap replicates and random seed.

    Returns
    -------
    Estimate
        κ; ``se`` is the large-sample standard error of Fleiss, Cohen & Everitt (1969), the one
        ``statsmodels``' ``std_kappa`` reports. ``nan`` with an ``explanation`` when κ is undefined.

    Examples
    --------
    >>> from ls_notebook.stats import cohen_kappa
    >>> a = ["yes"] * 25 + ["no"] * 25
    >>> b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    >>> k = cohen_kappa(a, b)
    >>> round(k, 4), round(k.se, 4)
    (0.4, 0.127)
    """
    ca, cb, cats = _two_raters(a, b, categories)
    q = len(cats)
    w = agreement_weights(weights, q)
    cell = ca * q + cb
    n = len(cell)
    stats = sparse.csr_matrix((np.ones(n), (np.arange(n), cell)), shape=(n, q * q))

    def finalize(s: np.ndarray) -> np.ndarray:
        p = s.reshape(len(s), q, q) / s.sum(axis=1)[:, None, None]
        po = (p * w).sum(axis=(1, 2))
        pe = np.einsum("bi,ij,bj->b", p.sum(axis=2), w, p.sum(axis=1))
        return np.where(np.isclose(pe, 1.0), np.nan, (po - pe) / (1.0 - pe))

    def explain(s: np.ndarray) -> str:
        return "the two raters have no unit in common" if s.sum() == 0 else DEGENERATE

    def se(s: np.ndarray) -> float:
        return kappa_from_table(s.reshape(q, q), w)[1]

    return evaluate(Plan(stats, finalize, explain, n, 2, se), ci, n_boot, seed)


def fleiss_kappa(
    data: Any,
    *,
    weights: str | np.ndarray | None = None,
    categories: Sequence[Any] | None = None,
    ci: float | None = None,
    n_boot: int = 1000,
    seed: int | None = 0,
    **columns: str,
) -> Estimate:
    """Fleiss' κ for any number of raters, also when units have different numbers of ratings.

    Chance agreement uses the category propensities ``pi_k = mean_i r_ik / r_i`` over all rated units;
    observed agreement averages over units with at least two ratings (units with one rating only enter
    ``pi``). With equal raters per unit this is exactly Fleiss (1971); with missing ratings it is the
    generalisation in Gwet's handbook (and irrCAC's ``fleiss.kappa.raw``). ``weights`` gives the
    weighted version.

    Parameters
    ----------
    data : DataFrame, array-like or Ratings
        Long frame (``unit``, ``rater``, ``value`` columns; other names via ``unit=...`` etc.) or a
        raters × units matrix with ``nan`` for missing; see :func:`as_ratings`.
    weights, categories, ci, n_boot, seed
        As in :func:`cohen_kappa`.

    Examples
    --------
    >>> from ls_notebook.stats import fleiss_kappa
    >>> fleiss_kappa([["a", "a", "b"], ["a", "a", "b"], ["a", "b", "b"]]).n_units
    3
    >>> round(fleiss_kappa([["a", "a", "b"], ["a", "a", "b"], ["a", "b", "b"]]), 4)
    0.55
    """
    r = as_ratings(data, categories=categories, **columns)
    w = agreement_weights(weights, r.n_categories)
    return evaluate(multirater_plan(r, w, chance_fleiss), ci, n_boot, seed)


def scotts_pi(
    data: Any,
    b: Any = None,
    *,
    categories: Sequence[Any] | None = None,
    ci: float | None = None,
    n_boot: int = 1000,
    seed: int | None = 0,
) -> Estimate:
    """Scott's π: chance agreement from the pooled label distribution of both raters.

    Fleiss' κ generalises π to more raters, so for two raters and complete data the two are equal;
    this function accepts two vectors (like :func:`cohen_kappa`) or any ratings input.

    Examples
    --------
    >>> from ls_notebook.stats import scotts_pi
    >>> round(scotts_pi(["a", "a", "b", "b"], ["a", "b", "b", "b"]), 4)
    0.4667
    """
    if b is not None:
        ca, cb, cats = _two_raters(data, b, categories)
        n = len(ca)
        r = Ratings(
            np.concatenate([np.arange(n), np.arange(n)]),
            np.repeat([0, 1], n),
            np.concatenate([ca, cb]),
            pd.RangeIndex(n),
            pd.RangeIndex(2),
            cats,
        )
    else:
        r = as_ratings(data, categories=categories)
    return evaluate(multirater_plan(r, np.eye(r.n_categories), chance_fleiss), ci, n_boot, seed)
