"""Agreement sections for ratings with one value per annotator and task (choices, ratings, text)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import sparse

from ls_notebook.stats._alpha import alpha_plan
from ls_notebook.stats._blas import one_blas_thread
from ls_notebook.stats._bootstrap import evaluate
from ls_notebook.stats._matrix import Ratings, agreement_weights
from ls_notebook.stats._multirater import chance_bp, chance_fleiss, chance_gwet, multirater_plan
from ls_notebook.stats._report import most_first_order
from ls_notebook.stats._section import Section
from ls_notebook.stats._threads import background

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


_GRAM_MAX_CELLS = 16_000_000  # units × raters × categories of a dense one-hot matrix
_GRAM_MAX_COLUMNS = 2048  # raters × categories: the Gram matrix is its square


_PATTERN_MAX = 1 << 16  # distinct answer patterns ((categories + 1) ** raters) counted directly


def joint_tables(r: Ratings) -> np.ndarray | None:
    """Every rater pair's q × q table of joint ratings, as an R × q × R × q array (``None`` if too big).

    ``T[a, c, b, d]`` counts units where rater ``a`` gave category ``c`` and rater ``b`` gave ``d``.
    It is the Gram matrix ``XᵀX`` of the units × (raters · categories) one-hot matrix ``X``: one matrix
    product, no loop over raters, categories or units. ``T[a, :, a, :]`` is diagonal and holds each
    rater's label counts.

    With few raters and categories, units are first counted by their answer pattern (each rater's
    category or nothing, a number below ``(q + 1) ** R``): ``X`` then has one row per pattern that
    occurs, weighted by its count, instead of one row per unit.
    """
    u, q, k = r.n_units, r.n_categories, r.n_raters
    cols = k * q
    if q > _KAPPA_MAX_CATEGORIES or cols > _GRAM_MAX_COLUMNS or u * cols > _GRAM_MAX_CELLS or u >= 2**24:
        return None
    if (q + 1) ** k <= _PATTERN_MAX:
        return _joint_by_pattern(r)
    # Xᵀ, (rater, category) × unit: each rating's position is its count cell plus the rater's block
    xt = np.zeros(cols * u, dtype=np.float32)  # float32 counts stay exact below 2**24 units
    xt[r.rater * (q * u) + r.cell] = 1.0
    xt = xt.reshape(cols, u)
    with one_blas_thread():
        gram = xt @ xt.T
    return gram.astype(np.float64).reshape(k, q, k, q)


def _joint_by_pattern(r: Ratings) -> np.ndarray:
    """:func:`joint_tables` from the count of each answer pattern (requires one rating per unit and rater)."""
    q, k = r.n_categories, r.n_raters
    base = q + 1
    place = base ** np.arange(k, dtype=np.int64)
    # a unit's pattern: sum over its ratings of (category + 1) · base ** rater (exact in float64)
    digit = (place[:, None] * np.arange(1, base)).astype(np.float64).ravel()  # per (rater, category)
    weights = digit[r.rater * q + r.value]
    pattern = np.bincount(r.unit, weights=weights, minlength=r.n_units).astype(np.int64)
    freq = np.bincount(pattern, minlength=base**k)
    seen = np.flatnonzero(freq)
    answers = (seen[:, None] // place[None, :]) % base - 1  # patterns × raters, -1 = no rating
    x = np.zeros((len(seen), k, q))
    i, a = np.nonzero(answers >= 0)
    x[i, a, answers[i, a]] = 1.0
    x = x.reshape(len(seen), k * q)
    with one_blas_thread():
        gram = (x * freq[seen][:, None]).T @ x
    return gram.reshape(k, q, k, q)


def pairwise_matrices(
    r: Ratings, with_kappa: bool = True, joint: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Overlap counts, agreement counts and Cohen's κ for every pair of raters (R × R each).

    ``overlap[a, b]`` units both rated; ``agree[a, b]`` of those, units where they gave the same value;
    ``kappa[a, b]`` Cohen's κ on the shared units. From the :func:`joint_tables` when given (or small
    enough to build), else Gram matrices of sparse indicator matrices (κ then left ``nan``).
    """
    u, q, k = r.n_units, r.n_categories, r.n_raters
    kappa = np.full((k, k), np.nan)
    t = joint if joint is not None else joint_tables(r)
    if t is not None:
        overlap = t.sum(axis=(1, 3))
        agree = np.einsum("aibi->ab", t)
        if with_kappa:
            # chance agreement: a's label margins on the shared units times b's
            pe = np.einsum("acb,abc->ab", t.sum(axis=3), t.sum(axis=1))
            with np.errstate(divide="ignore", invalid="ignore"):
                pe /= overlap**2
                po = agree / overlap
                kappa = np.where(np.isclose(pe, 1.0), np.nan, (po - pe) / (1.0 - pe))
        return overlap, agree, kappa
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
    """Share of each rater's ratings that match a most common value among the other raters.

    A rating of value ``v`` in a unit with counts ``n`` matches when ``n_v - 1`` (the others' count of
    ``v``) reaches the others' largest count, i.e. exactly when ``v`` is the unit's only most common
    value. Units rated once are left out.
    """
    if not r.dense_ok or r.n_categories > 200:
        return np.full(r.n_raters, np.nan)
    n = r.counts
    first = r.unit_max
    top = n == first[:, None]
    has_others = r.per_unit >= 2
    sole_top = (top.sum(axis=1) == 1) & has_others
    # per unit and value: 0 = nobody else rated the unit, 1 = rated, no match, 2 = match
    state = (top & sole_top[:, None]).astype(np.int8) + has_others[:, None]
    if state.flags.f_contiguous:  # counts are stored category by category
        rating_state = state.ravel(order="F")[r.cell]
    else:
        rating_state = state.ravel()[r.unit * r.n_categories + r.value]
    tally = np.bincount(r.rater * 3 + rating_state, minlength=3 * r.n_raters).reshape(r.n_raters, 3)
    with np.errstate(divide="ignore", invalid="ignore"):
        return tally[:, 2] / (tally[:, 1] + tally[:, 2])


def _per_annotator(
    r: Ratings,
    overlap: np.ndarray,
    agree: np.ndarray,
    joint: np.ndarray | None = None,
    vs_consensus: np.ndarray | None = None,
) -> pd.DataFrame:
    if vs_consensus is None:
        vs_consensus = _vs_consensus(r)
    with np.errstate(divide="ignore", invalid="ignore"):
        off = ~np.eye(r.n_raters, dtype=bool)
        vs_others = (agree * off).sum(axis=1) / (overlap * off).sum(axis=1)
    if joint is not None:  # the diagonal of a rater's own block counts their ratings
        n_tasks = np.einsum("aiai->a", joint).astype(np.int64)
    else:
        n_tasks = np.bincount(r.rater, minlength=r.n_raters)
    return pd.DataFrame(
        {
            "annotator": np.asarray(r.raters, dtype=object),
            "n_tasks": n_tasks,
            "agreement": vs_others,
            "agreement_with_consensus": vs_consensus,
        }
    )


def _top(r: Ratings) -> np.ndarray:
    """Per unit, the first category with the largest count (``argmax`` along rows)."""
    n = r.counts
    q = n.shape[1]
    if q > 32 or n.flags.c_contiguous:
        return n.argmax(axis=1)
    first = r.unit_max
    top = np.zeros(len(n), dtype=np.intp)
    for c in range(q - 1, -1, -1):  # loop over categories: columns are contiguous here
        top = np.where(n[:, c] == first, c, top)
    return top


def _per_task(r: Ratings, labels: Sequence[object] | None = None) -> pd.DataFrame:
    """One row per task, most disagreement first (sorted here, on arrays, rather than as a frame)."""
    m = r.per_unit
    top = _top(r) if r.dense_ok else np.asarray(r.sparse_counts.argmax(axis=1)).ravel()
    disagreement = np.where(m >= 2, 1.0 - r.unit_agreement, np.nan)
    task_ids = r.units.to_numpy()
    order = most_first_order(disagreement)
    if order is not None:
        m, top, disagreement, task_ids = m[order], top[order], disagreement[order], task_ids[order]
    cats = pd.Index(r.categories if labels is None else labels)
    if cats.has_duplicates:
        cats = pd.Index(np.asarray(cats, dtype=object)[top])
        consensus = np.asarray(cats, dtype=object)
    else:
        # codes are argmax positions, in range by construction
        consensus = pd.Categorical.from_codes(top, dtype=pd.CategoricalDtype(cats), validate=False)
    return pd.DataFrame(
        {
            "task_id": task_ids,
            "n_annotations": m.astype(np.int64),
            "disagreement": disagreement,
            "consensus": consensus,
        }
    )


def label_counts(
    r: Ratings, labels: Sequence[object] | None = None, joint: np.ndarray | None = None
) -> pd.DataFrame | None:
    """Long frame: annotator, label, count (``None`` when there are too many distinct values)."""
    q = r.n_categories
    if r.n_raters * q > 1_000_000:
        return None
    if joint is not None:  # each rater's own block is diagonal: their label counts
        cnt = np.einsum("aiai->ai", joint).ravel().astype(np.int64)
    else:
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
    # what both threads read is built first; then the helper thread makes the pairwise tables and the
    # consensus shares (numpy and BLAS work, mostly without the GIL) while this one does the rest
    _ = r.cell, r.per_unit
    if r.dense_ok:
        _ = r.counts, r.unit_max
    job = background(lambda: (joint_tables(r), _vs_consensus(r)))
    est = metric_estimates(r, metrics, level, ci, seed)
    per_task = _per_task(r, labels)
    joint, vs_consensus = job.result()
    overlap, agree, kappa = pairwise_matrices(r, kind in ("choices", "rating", "text"), joint)
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
        per_annotator=_per_annotator(r, overlap, agree, joint, vs_consensus),
        per_task=per_task,
        label_counts=label_counts(r, labels, joint),
        estimates=est,
    )
