"""``agreement(df)``: every reliability statistic of a pulled project, per control tag."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ls_notebook.errors import DataError
from ls_notebook.stats._categorical import CATEGORICAL_METRICS, categorical_section, metric_estimates
from ls_notebook.stats._frame import Prepared, prepare
from ls_notebook.stats._kinds import (
    has_repeats,
    label_sets,
    masi_distance,
    numeric_ratings,
    single_label_ratings,
    text_ratings,
)
from ls_notebook.stats._matrix import Ratings
from ls_notebook.stats._regions import region_section
from ls_notebook.stats._report import AgreementReport
from ls_notebook.stats._section import Section
from ls_notebook.stats._spans import SPAN_MODES
from ls_notebook.stats._text import pair_similarity

__all__ = ["KINDS", "AgreementReport", "agreement"]

KINDS: dict[str, str] = {
    "choices": "choices",
    "taxonomy": "choices",
    "rating": "rating",
    "number": "number",
    "labels": "spans",
    "rectanglelabels": "regions",
    "rectangle": "regions",
    "polygonlabels": "regions",
    "polygon": "regions",
    "textarea": "text",
}
DEFAULT_METRICS = ("percent_agreement", "krippendorff_alpha", "fleiss_kappa", "gwet_ac1", "cohen_kappa")


def agreement(
    df: pd.DataFrame,
    from_name: str | Sequence[str] | None = None,
    metrics: Sequence[str] | None = None,
    level: str | Mapping[str, str] | None = None,
    iou: float = 0.5,
    *,
    mode: str = "strict",
    ci: float | None = None,
    seed: int | None = 0,
    include_cancelled: bool = False,
) -> AgreementReport:
    """Inter-annotator agreement of a pulled project, per control tag (``from_name``).

    The unit of comparison follows the result type:

    * ``choices`` (single): percent agreement, Krippendorff's α (nominal), Fleiss' κ, Gwet's AC1 and
      Light's κ (mean pairwise Cohen's κ);
    * ``choices`` with several labels, ``taxonomy``, or per-region choices: each annotator's label
      set per task; exact-set agreement, α with the MASI set distance, and per label a yes/no α
      (``report.per_label``);
    * ``rating`` (ordinal α by default) and ``number`` (interval α): see ``level``;
    * ``labels`` (NER spans): pairwise span F1 with ``mode`` "strict" | "exact" | "partial" | "type"
      (SemEval-2013 Task 9.1's, as ``nervaluate``; "partial" counts an overlap without equal bounds
      0.5) or "overlap" (any overlap counts 1);
    * ``rectanglelabels`` / ``polygonlabels``: regions matched one-to-one by IoU with the Hungarian
      algorithm, label-aware; F1 and mean IoU of matches at ``iou``;
    * ``textarea``: exact match after case/whitespace normalisation, and mean ``difflib`` similarity.

    Parameters
    ----------
    df : DataFrame
        The long frame of ``Project.pull()`` (columns of ``ls_notebook.annotations.schema``; only
        ``task_id``, ``annotator``, ``from_name``, ``type`` and the value columns of the types present
        are needed). Arrow-backed or plain dtypes.
    from_name : str or list of str, optional
        Control tags to report; all by default.
    metrics : list of str, optional
        For choices/ratings: any of ``percent_agreement``, ``krippendorff_alpha``, ``fleiss_kappa``,
        ``gwet_ac1``, ``gwet_ac2``, ``brennan_prediger``, ``cohen_kappa``.
    level : str or dict, optional
        α level for numeric tags ("nominal", "ordinal", "interval", "ratio"), or a dict per from_name.
    iou : float
        IoU threshold for matching image regions.
    mode : str
        Span matching mode (see ``ls_notebook.stats._spans``): "strict" (bounds and label), "exact"
        (bounds), "type" (overlap and label), "partial" (overlap; 0.5 unless the bounds are equal),
        "overlap" (overlap, full credit).
    ci : float, optional
        Bootstrap confidence level for the chance-corrected metrics (units resampled, ``seed``).
    include_cancelled : bool
        Cancelled (skipped) annotations are excluded unless this is true. When an annotator has several
        annotations of one task, only the latest (highest ``annotation_id``) counts.

    Returns
    -------
    AgreementReport
        ``summary`` (one row per from_name), ``pairwise``, ``per_annotator``, ``per_task`` (sorted,
        most disagreement first), ``per_label``, ``plot()``; shows itself as HTML in a notebook.
        Undefined statistics are ``nan`` with the reason in ``summary["explanation"]``.

    Notes
    -----
    Edge cases, each with a defined outcome instead of a warning or an exception:

    * one annotator, or no task with two annotations: chance-corrected metrics are ``nan`` with
      ``explanation`` "no unit has two or more ...", ``pairwise`` is empty and ``per_task``
      disagreement is ``nan``;
    * a task with a single annotation counts in ``n_tasks`` but not in α or observed agreement (it
      still enters the category shares that κ and AC1 use for chance agreement);
    * all raters identical: percent agreement 1, κ and α ``nan`` ("... 0/0") since chance agreement
      is 1;
    * cancelled annotations are left out unless ``include_cancelled=True``, predictions and drafts
      always; superseded annotations of an annotator too (each exclusion is listed in
      ``report.notes``);
    * an empty frame gives an empty ``summary`` and a note.

    Examples
    --------
    >>> import pandas as pd
    >>> from ls_notebook import agreement
    >>> df = pd.DataFrame({
    ...     "task_id": [1, 1, 2, 2, 3, 3],
    ...     "annotator": ["ann", "bob"] * 3,
    ...     "from_name": "sentiment", "type": "choices",
    ...     "label": ["pos", "pos", "neg", "pos", "neg", "neg"],
    ... })
    >>> report = agreement(df)
    >>> row = report.summary.loc["sentiment"]
    >>> int(row["n_tasks"]), round(float(row["percent_agreement"]), 4)
    (3, 0.6667)
    >>> int(report.per_task["task_id"].iloc[0])
    2
    """
    if mode not in SPAN_MODES:
        raise DataError(f"mode={mode!r} is not known; use one of {SPAN_MODES}.")
    if not 0 < iou <= 1:
        raise DataError(f"iou={iou!r} must be in (0, 1], e.g. 0.5.")
    chosen = tuple(DEFAULT_METRICS if metrics is None else metrics)
    unknown = [m for m in chosen if m not in CATEGORICAL_METRICS]
    if unknown:
        raise DataError(f"unknown metrics {unknown}; choose from {CATEGORICAL_METRICS}.")
    p = prepare(df, [from_name] if isinstance(from_name, str) else from_name, include_cancelled)
    sections: dict[str, Section] = {}
    for name, rows in p.groups.items():  # one pass per control tag
        tag_type = p.types[name]
        lvl = level.get(name) if isinstance(level, Mapping) else level
        sections[name] = _section(p, rows, tag_type, chosen, lvl, iou, mode, ci, seed)
    return AgreementReport.from_sections(sections, p.types, p.notes, n_rows=len(df))


def _section(
    p: Prepared,
    rows: np.ndarray,
    tag_type: str,
    metrics: Sequence[str],
    level: str | None,
    iou: float,
    mode: str,
    ci: float | None,
    seed: int | None,
) -> Section:
    kind = KINDS.get(tag_type.lower(), "")
    if kind in ("spans", "regions"):
        return region_section(p, rows, kind, mode, iou)
    if kind == "choices":
        if tag_type == "taxonomy" or has_repeats(p, rows) or _multi(p, rows):
            return _multilabel_section(p, rows, ci, seed)
        r = single_label_ratings(p, rows)
        return categorical_section(r, "choices", metrics, level or "nominal", ci, seed)
    if kind in ("rating", "number"):
        return _numeric_section(p, rows, kind, metrics, level, ci, seed)
    if kind == "text":
        return _text_section(p, rows)
    return Section(
        kind="unsupported",
        summary={"explanation": f"no agreement measure for result type {tag_type!r} yet"},
    )


def _multi(p: Prepared, rows: np.ndarray) -> bool:
    if "labels" not in p.frame.columns:
        return False
    col = p.frame["labels"]
    if isinstance(col.dtype, pd.ArrowDtype):
        import pyarrow.compute as pc

        lengths = pc.list_value_length(col.array._pa_array)
        if len(rows) == len(col):  # every row: Arrow's own maximum, no conversion
            return bool((pc.max(lengths).as_py() or 0) > 1)
        lengths = lengths.to_numpy(zero_copy_only=False)
        return bool(np.nan_to_num(p.at(lengths, rows).astype(np.float64)).max(initial=0) > 1)
    col = col.iloc[rows]
    return bool(col.map(lambda v: 0 if v is None or isinstance(v, float) else len(v)).max() > 1)


def _multilabel_section(p: Prepared, rows: np.ndarray, ci: float | None, seed: int | None) -> Section:
    got = label_sets(p, rows)
    if got is None:
        return Section(
            "multilabel", {"explanation": "more than 62 distinct labels: set agreement not computed"}
        )
    r, names, masks = got
    set_names = ["|".join(str(names[i]) for i in range(len(names)) if (m >> i) & 1) for m in masks]
    delta = masi_distance(masks)
    sec = categorical_section(
        r, "multilabel", ["percent_agreement", "krippendorff_alpha"], delta, ci, seed, set_names
    )
    per_label, counts = [], []
    for i, label in enumerate(names):  # loop over labels
        bits = (masks[r.value] >> i) & 1
        rb = Ratings(r.unit, r.rater, bits.astype(np.int64), r.units, r.raters, pd.Index([0, 1]))
        est = metric_estimates(
            rb, ["percent_agreement", "krippendorff_alpha", "gwet_ac1"], "nominal", ci, seed
        )
        per_label.append(
            {"label": label, "n_positive": int(bits.sum()), **{k: float(v) for k, v in est.items()}}
        )
        counts.append(
            pd.DataFrame(
                {
                    "annotator": np.asarray(r.raters, dtype=object),
                    "label": label,
                    "count": np.bincount(r.rater, weights=bits, minlength=r.n_raters).astype(np.int64),
                }
            )
        )
    sec.per_label = pd.DataFrame(per_label)
    sec.label_counts = pd.concat(counts, ignore_index=True) if counts else None
    alphas = sec.per_label["krippendorff_alpha"].to_numpy(np.float64) if per_label else np.array([])
    sec.summary["mean_label_alpha"] = float(np.nanmean(alphas)) if np.isfinite(alphas).any() else np.nan
    return sec


def _numeric_section(
    p: Prepared,
    rows: np.ndarray,
    kind: str,
    metrics: Sequence[str],
    level: str | None,
    ci: float | None,
    seed: int | None,
) -> Section:
    r, averaged = numeric_ratings(p, rows)
    lvl = level or ("ordinal" if kind == "rating" else "interval")
    if lvl == "ordinal" and r.n_categories > 1000:
        lvl = "interval"
    wanted = [m for m in metrics if m in ("percent_agreement", "krippendorff_alpha", "gwet_ac2")]
    if kind == "rating" and "gwet_ac2" not in wanted and r.n_categories <= 50:
        wanted.append("gwet_ac2")
    if "krippendorff_alpha" not in wanted:
        wanted.append("krippendorff_alpha")
    sec = categorical_section(r, kind, wanted, lvl, ci, seed)
    sec.summary["level"] = lvl
    if averaged:
        sec.summary["note"] = "several values per annotator and task were averaged"
    # per task: root mean squared difference between annotators, as a share of the scale's range
    v = r.numeric_categories()[r.value]
    m = r.per_unit
    s1 = np.bincount(r.unit, weights=v, minlength=r.n_units)
    s2 = np.bincount(r.unit, weights=v * v, minlength=r.n_units)
    span = float(v.max() - v.min()) if len(v) else 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        var = np.clip((s2 - s1**2 / m) / (m - 1.0), 0.0, None)
        rms = np.sqrt(2.0 * var) / (span if span > 0 else 1.0)
        consensus = s1 / m
    disagreement = np.where(m >= 2, np.minimum(rms, 1.0), np.nan)
    # the arrays are per unit; the per-task table is in its own order (most disagreement first)
    pos = r.units.get_indexer(sec.per_task["task_id"])
    sec.per_task["consensus"] = consensus[pos]
    sec.per_task["disagreement"] = disagreement[pos]
    return sec


def _text_section(p: Prepared, rows: np.ndarray) -> Section:
    r, texts = text_ratings(p, rows)
    sec = categorical_section(r, "text", ["percent_agreement"], "nominal")
    pairs = texts.merge(texts, on="task", suffixes=("_a", "_b"))
    pairs = pairs[pairs["ann_a"] < pairs["ann_b"]]
    sim = pair_similarity(pairs["text_a"].to_numpy(object), pairs["text_b"].to_numpy(object))
    pairs = pairs.assign(similarity=sim)
    sec.summary["similarity"] = float(sim.mean()) if len(sim) else np.nan
    names = np.asarray(p.annotators, dtype=object)
    by_pair = pairs.groupby(["ann_a", "ann_b"])["similarity"].mean()
    key = pd.MultiIndex.from_arrays(
        [
            pd.Index(names).get_indexer(sec.pairwise["annotator_a"]),
            pd.Index(names).get_indexer(sec.pairwise["annotator_b"]),
        ]
    )
    sec.pairwise["similarity"] = by_pair.reindex(key).to_numpy()
    by_task = pairs.groupby("task")["similarity"].mean()
    task_codes = p.tasks.get_indexer(sec.per_task["task_id"])
    sec.per_task["disagreement"] = 1.0 - by_task.reindex(task_codes).to_numpy()
    return sec
