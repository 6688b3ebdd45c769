"""Agreement sections for regions: text spans (NER) and image rectangles/polygons.

Annotator pairs are compared on the tasks both annotated (an annotation without any region of this
control tag counts as "no regions", so missing a region is a disagreement). The loop is over
annotator pairs; within a pair all tasks are matched at once (see ``_matching``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ls_notebook.stats._boxes import match_regions
from ls_notebook.stats._frame import Prepared
from ls_notebook.stats._matrix import encode
from ls_notebook.stats._section import Section
from ls_notebook.stats._spans import match_spans

__all__ = ["first_label", "region_section"]


def first_label(sub: pd.DataFrame) -> pd.Series:
    """``label``, or the first of ``labels`` where ``label`` is empty (several labels on one item)."""
    if "label" in sub.columns:
        lab = sub["label"].astype(object)
    else:
        lab = pd.Series([None] * len(sub), index=sub.index, dtype=object)
    empty = lab.isna().to_numpy()
    if empty.any() and "labels" in sub.columns:
        fill = sub.loc[empty, "labels"].map(lambda v: v[0] if v is not None and len(v) else None)
        lab = lab.copy()
        lab.loc[empty] = fill.to_numpy(dtype=object)
    return lab


def region_section(p: Prepared, rows: np.ndarray, kind: str, mode: str, iou: float) -> Section:
    """Pairwise F1 (and mean IoU for image regions) between annotators for one control tag."""
    sub = p.take(rows, ["label", "labels", "start", "end", "x", "y", "width", "height", "rotation", "points"])
    task, ann = p.task[rows], p.annotator[rows]
    lab_codes, lab_names = encode(first_label(sub).astype("string"), sort=True)
    geo_cols = ["start", "end"] if kind == "spans" else ["x", "y", "width", "height", "rotation", "points"]
    regions = pd.DataFrame({"task": task, "ann": ann, "label": lab_codes})
    for col in geo_cols:
        if col in sub.columns:
            vals = sub[col]
            regions[col] = (
                vals.to_numpy(dtype=object)
                if col == "points"
                else vals.to_numpy(dtype=np.float64, na_value=np.nan)
            )
        else:
            regions[col] = None if col == "points" else (0.0 if col == "rotation" else np.nan)
    if kind == "spans":
        regions = regions.dropna(subset=["start", "end"])
        regions[["start", "end"]] = regions[["start", "end"]].astype(np.int64)
    relevant = np.unique(task)
    annotated = p.annotated[relevant].toarray()  # tasks with regions × annotators
    involved = np.flatnonzero(annotated.any(axis=0))
    n_t = len(p.tasks)
    f1_sum, f1_cnt = np.zeros(n_t), np.zeros(n_t)
    hit_ann, tot_ann = np.zeros(len(p.annotators)), np.zeros(len(p.annotators))
    pair_rows = []
    total_hits = total_regions = total_iou = 0.0
    by_ann = {a: g for a, g in regions.groupby("ann")}
    empty = regions.iloc[:0]
    for i, a in enumerate(involved):  # loop over annotator pairs
        for b in involved[i + 1 :]:
            common = relevant[annotated[:, a] & annotated[:, b]]
            if not len(common):
                pair_rows.append((a, b, 0, np.nan))
                continue
            ra, rb = by_ann.get(a, empty), by_ann.get(b, empty)
            ra, rb = ra[np.isin(ra["task"], common)], rb[np.isin(rb["task"], common)]
            m = match_spans(ra, rb, mode) if kind == "spans" else match_regions(ra, rb, iou)
            m = m.reindex(common, fill_value=0)
            hits = m["credit" if kind == "spans" else "matches"].to_numpy(np.float64)
            size = (m["n_a"] + m["n_b"]).to_numpy(np.float64)
            with np.errstate(divide="ignore", invalid="ignore"):
                per_task = np.where(size > 0, 2.0 * hits / size, 1.0)
            f1_sum[common] += per_task
            f1_cnt[common] += 1
            pair_f1 = 2.0 * hits.sum() / size.sum() if size.sum() else 1.0
            for who in (a, b):
                hit_ann[who] += 2.0 * hits.sum()
                tot_ann[who] += size.sum()
            total_hits += 2.0 * hits.sum()
            total_regions += size.sum()
            if kind != "spans":
                total_iou += float(m["iou_sum"].sum())
            pair_rows.append((a, b, len(common), pair_f1))
    names = np.asarray(p.annotators, dtype=object)
    pairs = pd.DataFrame(pair_rows, columns=["a", "b", "n_tasks", "agreement"])
    pairwise = pd.DataFrame(
        {
            "annotator_a": names[pairs["a"].to_numpy(np.int64)],
            "annotator_b": names[pairs["b"].to_numpy(np.int64)],
            "n_tasks": pairs["n_tasks"].astype(np.int64),
            "agreement": pairs["agreement"].astype(np.float64),
            "cohen_kappa": np.nan,
        }
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        ann_f1 = np.where(
            tot_ann > 0, hit_ann / tot_ann, np.where(np.isin(np.arange(len(names)), involved), 1.0, np.nan)
        )
        task_f1 = f1_sum / f1_cnt
    n_regions = np.bincount(ann, minlength=len(names))
    per_annotator = pd.DataFrame(
        {
            "annotator": names[involved],
            "n_tasks": annotated[:, involved].sum(axis=0),
            "agreement": ann_f1[involved],
            "agreement_with_consensus": np.nan,
            "n_regions": n_regions[involved],
        }
    )
    n_ann_task = annotated.sum(axis=1)
    per_task = pd.DataFrame(
        {
            "task_id": p.tasks.to_numpy()[relevant],
            "n_annotations": n_ann_task,
            "disagreement": np.where(n_ann_task >= 2, 1.0 - task_f1[relevant], np.nan),
            "consensus": None,
        }
    )
    summary: dict[str, object] = {
        "f1": (total_hits / total_regions if total_regions else (1.0 if len(pair_rows) else np.nan)),
        "n_regions": len(regions),
    }
    if kind == "spans":
        summary["mode"] = mode
    else:
        summary["mean_iou"] = total_iou / (total_hits / 2.0) if total_hits else np.nan
        summary["iou_threshold"] = iou
    cnt = regions.groupby(["ann", "label"]).size().reset_index(name="count")
    labels = pd.DataFrame(
        {
            "annotator": names[cnt["ann"].to_numpy(np.int64)],
            "label": np.asarray(lab_names, dtype=object)[cnt["label"].to_numpy(np.int64)]
            if len(lab_names)
            else [],
            "count": cnt["count"].to_numpy(),
        }
    )
    if not len(involved) or len(involved) < 2:
        summary["explanation"] = "fewer than two annotators annotated these tasks"
    return Section(kind, summary, pairwise, per_annotator, per_task, labels)
