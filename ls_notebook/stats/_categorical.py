"""Agreement sections for ratings with one value per annotator and task (choices, ratings, text)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import sparse

from ls_notebook.stats._alpha import alpha_plan
from ls_notebook.stats._bootstrap import evaluate
from ls_notebook.stats._matrix import Ratings, agreement_weights
from ls_notebook.stats._multirater import chance_bp, chance_fleiss, chance_gwet, multirater_plan
from ls_notebook.stats._section import Section

__all__ = ["CATEGORICAL_METRICS", "categorical_section", "pairwise_matrices"]

CATEGORICAL_METRICS = (
    "percent_agreement",
    "krippendorff_alpha",
    "fleiss_kappa",
    "gwet_ac1",
    "gwet_ac2",
    "brennan_prediger",
    "cohen_kappa",
)
_KAPPA_MAX_CATEGORIES = 50


def _indicator(rows: np.ndarray, cols: np.ndarray, shape: tuple[int, int]) -> sparse.csr_matrix:
    return sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=shape)


def pairwise_matrices(r: Ratings, with_kappa: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Overlap counts, agreement counts and Cohen's κ for every pair of raters (R × R each).

    ``overlap[a, b]`` units both rated; ``agree[a, b]`` of those, units where they gave the same value;
    ``kappa[a, b]`` Cohen's κ on the shared units. Gram matrices of indicator matrices (dense for a
    few categories, sparse otherwise); the only loop is over categories.
    """
    u, q, k = r.n_units, r.n_categories, r.n_raters
    kappa = np.full((k, k), np.nan)
    if q <= _KAPPA_MAX_CATEGORIES and u * k <= 20_000_000:
        mat = r.rater_matrix()
        dtype = np.float32 if u < 2**24 else np.float64  # counts stay exact
        pres = (mat >= 0).astype(dtype)
        overlap = (pres.T @ pres).astype(np.float64)
        agree = np.zeros((k, k))
        pe = np.zeros((k, k))
        for c in range(q):  # loop over categories
            ind = (mat == c).astype(dtype)
            agree += (ind.T @ ind).astype(np.float64)
            if with_kappa:
                m_c = (ind.T @ pres).astype(np.float64)
                pe += m_c * m_c.T
    else:
        pres_s = _indicator(r.unit, r.rater, (u, k))
        overlap = (pres_s.T @ pres_s).toarray()
        x = _indicator(r.unit * q + r.value, r.rater, (u * q, k))
        agree = (x.T @ x).toarray()
        with_kappa = False
    if with_kappa:
        with np.errstate(divide="ignore", invalid="ignore"):
            pe /= overlap**2
            po = agree / overlap
            kappa = np.where(np.isclose(pe, 1.0), np.nan, (po - pe) / (1.0 - pe))
    return overlap, agree, kappa


def _pairs_frame(r: Ratings, overlap: np.ndarray, agree: np.ndarray, kappa: np.ndarray) -> pd.DataFrame:
    ia, ib = np.triu_indices(r.n_raters, k=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = agree[ia, ib] / overlap[ia, ib]
    out = pd.DataFrame(
        {
            "annotator_a": np.asarray(r.raters[ia], dtype=object),
            "annotator_b": np.asarray(r.raters[ib], dtype=object),
            "n_tasks": overlap[ia, ib].astype(np.int64),
            "agreement": share,
            "cohen_kappa": kappa[ia, ib],
        }
    )
    return out


def _vs_consensus(r: Ratings) -> np.ndarray:
    """Share of each rater's ratings that match a most common value among the other raters."""
    if not r.dense_ok or r.n_categories > 200:
        return np.full(r.n_raters, np.nan)
    n = r.counts
    q = r.n_categories
    top = n.argmax(axis=1)
    first = n.max(axis=1)
    masked = n.copy()
    masked[np.arange(r.n_units), top] = -1.0
    second = masked.max(axis=1) if q > 1 else np.zeros(r.n_units)
    # per unit and value: the best count among the *other* raters if one rater gave that value
    others_max = np.where(
        np.arange(q)[None, :] == top[:, None], np.maximum(first - 1.0, second)[:, None], first[:, None]
    )
    flat = r.unit * q + r.value
    hit_cell = (n - 1.0 == others_max).ravel()  # own value ties the others' best
    has_others = r.per_unit[r.unit] > 1
    hit = hit_cell[flat] & has_others
    rated = np.bincount(r.rater, weights=has_others, minlength=r.n_raters)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.bincount(r.rater, weights=hit, minlength=r.n_raters) / rated


def _per_annotator(r: Ratings, overlap: np.ndarray, agree: np.ndarray) -> pd.DataFrame:
    vs_consensus = _vs_consensus(r)
    with np.errstate(divide="ignore", invalid="ignore"):
        off = ~np.eye(r.n_raters, dtype=bool)
        vs_others = (agree * off).sum(axis=1) / (overlap * off).sum(axis=1)
    return pd.DataFrame(
        {
            "annotator": np.asarray(r.raters, dtype=object),
            "n_tasks": np.bincount(r.rater, minlength=r.n_raters),
            "agreement": vs_others,
            "agreement_with_consensus": vs_consensus,
        }
    )


def _per_task(r: Ratings, labels: Sequence[object] | None = None) -> pd.DataFrame:
    m = r.per_unit
    if r.dense_ok:
        n = r.counts
        sq, top = (n * n).sum(axis=1), n.argmax(axis=1)
    else:
        ns = r.sparse_counts
        sq = np.asarray(ns.multiply(ns).sum(axis=1)).ravel()
        top = np.asarray(ns.argmax(axis=1)).ravel()
    with np.errstate(divide="ignore", invalid="ignore"):
        pa = (sq - m) / (m * (m - 1.0))
    cats = pd.Index(r.categories if labels is None else labels)
    if cats.has_duplicates:
        cats = pd.Index(np.asarray(cats, dtype=object)[top])
        consensus = np.asarray(cats, dtype=object)
    else:
        consensus = pd.Categorical.from_codes(top, categories=cats)
    return pd.DataFrame(
        {
            "task_id": r.units.to_numpy(),
            "n_annotations": m.astype(np.int64),
            "disagreement": np.where(m >= 2, 1.0 - pa, np.nan),
            "consensus": consensus,
        }
    )


def label_counts(r: Ratings, labels: Sequence[object] | None = None) -> pd.DataFrame | None:
    """Long frame: annotator, label, count (``None`` when there are too many distinct values)."""
    q = r.n_categories
    if r.n_raters * q > 1_000_000:
        return None
    cnt = np.bincount(r.rater * q + r.value, minlength=r.n_raters * q)
    ia, ic = np.divmod(np.arange(r.n_raters * q), q)
    cats = np.asarray(r.categories if labels is None else labels, dtype=object)
    return pd.DataFrame(
        {"annotator": np.asarray(r.raters, dtype=object)[ia], "label": cats[ic], "count": cnt}
    )


def metric_estimates(
    r: Ratings, metrics: Sequence[str], level: str | np.ndarray, ci: float | None, seed: int | None
) -> dict[str, object]:
    """The requested chance-corrected metrics on ``r`` (one factorization, shared counts)."""
    out: dict[str, object] = {}
    eye = np.eye(r.n_categories)
    for name in metrics:
        if name == "percent_agreement":
            plan = multirater_plan(r, eye, None)
        elif name == "krippendorff_alpha":
            plan = alpha_plan(r, level)
        elif name == "fleiss_kappa":
            plan = multirater_plan(r, eye, chance_fleiss)
        elif name == "gwet_ac1":
            plan = multirater_plan(r, eye, chance_gwet)
        elif name == "gwet_ac2":
            plan = multirater_plan(r, agreement_weights("quadratic", r.n_categories), chance_gwet)
        elif name == "brennan_prediger":
            plan = multirater_plan(r, eye, chance_bp)
        else:
            continue
        out[name] = evaluate(plan, ci=ci, seed=seed)
    return out


def categorical_section(
    r: Ratings,
    kind: str,
    metrics: Sequence[str],
    level: str | np.ndarray,
    ci: float | None = None,
    seed: int | None = 0,
    labels: Sequence[object] | None = None,
) -> Section:
    """Metrics, pairwise, per-annotator and per-task tables for one control tag."""
    if r.n_ratings == 0 or r.n_categories == 0:
        return Section(kind=kind, summary={"explanation": "no values for this control tag (empty results)"})
    est = metric_estimates(r, metrics, level, ci, seed)
    overlap, agree, kappa = pairwise_matrices(r, with_kappa=kind in ("choices", "rating", "text"))
    pairs = _pairs_frame(r, overlap, agree, kappa)
    summary: dict[str, object] = {k: v for k, v in est.items()}
    if "cohen_kappa" in metrics:
        # Light's κ: mean Cohen's κ over annotator pairs that share at least one task
        vals = pairs.loc[pairs["n_tasks"] > 0, "cohen_kappa"].to_numpy(np.float64)
        summary["cohen_kappa"] = float(np.nanmean(vals)) if np.isfinite(vals).any() else float("nan")
    return Section(
        kind=kind,
        summary=summary,
        pairwise=pairs,
        per_annotator=_per_annotator(r, overlap, agree),
        per_task=_per_task(r, labels),
        label_counts=label_counts(r, labels),
        estimates=est,
    )
