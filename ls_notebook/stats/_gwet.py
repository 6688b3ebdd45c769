"""Gwet's AC1/AC2, Brennan–Prediger and percent agreement (any number of raters, missing data)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ls_notebook.stats._bootstrap import evaluate
from ls_notebook.stats._estimate import Estimate
from ls_notebook.stats._matrix import agreement_weights, as_ratings
from ls_notebook.stats._multirater import chance_bp, chance_gwet, multirater_plan

__all__ = ["brennan_prediger", "gwet_ac1", "gwet_ac2", "percent_agreement"]


def percent_agreement(
    data: Any,
    *,
    weights: str | np.ndarray | None = None,
    categories: Sequence[Any] | None = None,
    ci: float | None = None,
    n_boot: int = 1000,
    seed: int | None = 0,
    **columns: str,
) -> Estimate:
    """Share of agreeing rater pairs, averaged over units with two or more ratings.

    For a unit with ``r`` ratings, ``r_k`` in category ``k``, the unit's agreement is
    ``sum_k r_k (r_k - 1) / (r (r - 1))`` (the share of ordered rater pairs that agree); units with a
    single rating are left out. With ``weights`` partial credit is given to near categories.

    Parameters
    ----------
    data : DataFrame, array-like or Ratings
        See :func:`as_ratings`.
    weights, categories, ci, n_boot, seed
        As in :func:`cohen_kappa`.

    Examples
    --------
    >>> from ls_notebook.stats import percent_agreement
    >>> round(percent_agreement([["a", "b", "a"], ["a", "b", "b"]]), 4)
    0.6667
    """
    r = as_ratings(data, categories=categories, **columns)
    w = agreement_weights(weights, r.n_categories)
    return evaluate(multirater_plan(r, w, None), ci, n_boot, seed)


def gwet_ac1(
    data: Any,
    *,
    categories: Sequence[Any] | None = None,
    ci: float | None = None,
    n_boot: int = 1000,
    seed: int | None = 0,
    **columns: str,
) -> Estimate:
    """Gwet's AC1: chance agreement ``sum_k pi_k (1 - pi_k) / (q - 1)``.

    Stable when one category dominates (where κ collapses: the "kappa paradox"). ``q`` is the number
    of categories: pass ``categories=`` if some were never used. Units with one rating only enter the
    propensities ``pi``.

    Examples
    --------
    >>> from ls_notebook.stats import gwet_ac1
    >>> round(gwet_ac1([["a", "a", "a", "b"], ["a", "a", "a", "a"]]), 4)
    0.68
    """
    r = as_ratings(data, categories=categories, **columns)
    return evaluate(multirater_plan(r, np.eye(r.n_categories), chance_gwet), ci, n_boot, seed)


def gwet_ac2(
    data: Any,
    *,
    weights: str | np.ndarray = "quadratic",
    categories: Sequence[Any] | None = None,
    ci: float | None = None,
    n_boot: int = 1000,
    seed: int | None = 0,
    **columns: str,
) -> Estimate:
    """Gwet's AC2, the weighted AC1 for ordered categories (quadratic weights by default).

    Chance agreement is ``T_w / (q (q-1)) * sum_k pi_k (1 - pi_k)`` with ``T_w`` the sum of the weights.
    Categories are ordered as ``categories=`` or sorted.

    Examples
    --------
    >>> from ls_notebook.stats import gwet_ac2
    >>> round(gwet_ac2([[1, 2, 3, 3], [1, 2, 3, 2]], weights="linear"), 4)
    0.7241
    """
    r = as_ratings(data, categories=categories, **columns)
    w = agreement_weights(weights, r.n_categories)
    return evaluate(multirater_plan(r, w, chance_gwet), ci, n_boot, seed)


def brennan_prediger(
    data: Any,
    *,
    weights: str | np.ndarray | None = None,
    categories: Sequence[Any] | None = None,
    ci: float | None = None,
    n_boot: int = 1000,
    seed: int | None = 0,
    **columns: str,
) -> Estimate:
    """Brennan–Prediger coefficient: chance agreement ``1/q`` (every category equally likely).

    Examples
    --------
    >>> from ls_notebook.stats import brennan_prediger
    >>> round(brennan_prediger([["a", "b", "a"], ["a", "b", "b"]]), 4)
    0.3333
    """
    r = as_ratings(data, categories=categories, **columns)
    w = agreement_weights(weights, r.n_categories)
    return evaluate(multirater_plan(r, w, chance_bp), ci, n_boot, seed)
