"""``consensus(df)``: one label per task from several annotators (majority, Dawid–Skene, crowd-kit)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ls_notebook.errors import DataError
from ls_notebook.stats._dawid_skene import DawidSkene, MajorityVote
from ls_notebook.stats._frame import Prepared, prepare
from ls_notebook.stats._kinds import has_repeats, label_sets
from ls_notebook.stats._regions import first_label
from ls_notebook.stats.agreement import KINDS

__all__ = ["consensus"]

COLUMNS = ["from_name", "task_id", "label", "confidence", "n_votes", "tie"]


def consensus(
    df: pd.DataFrame,
    from_name: str | Sequence[str] | None = None,
    method: str | Any = "majority",
    min_votes: int = 1,
    *,
    iou: float = 0.5,
    include_cancelled: bool = False,
) -> pd.DataFrame:
    """One consensus label per task (and control tag), with its support.

    Parameters
    ----------
    df : DataFrame
        The long frame of ``Project.pull()``, or a crowd-kit style frame with columns ``task``,
        ``worker``, ``label``.
    from_name : str or list of str, optional
        Control tags to aggregate (all choice, rating and span tags by default).
    method : "majority", "dawid_skene" or an aggregator object
        ``"majority"``: most votes, confidence = vote share. ``"dawid_skene"``: EM over per-annotator
        confusion matrices, confidence = posterior; the fitted matrices are in
        ``result.attrs["errors"]`` (one frame per from_name). Any object with crowd-kit's
        ``fit_predict(frame[task, worker, label])`` (GLAD, MACE, ...) also works; its ``probas_`` give
        the confidence when it has them.
    min_votes : int
        Tasks with fewer votes get no label (``<NA>``).
    iou : float
        Image regions: IoU at which two annotators' regions are the same object.
    include_cancelled : bool
        Cancelled annotations are ignored unless this is true.

    Returns
    -------
    DataFrame
        ``from_name, task_id, label, confidence, n_votes, tie`` (``tie``: the top labels had equal
        support; the winner is then the label used most overall, then the first sorted). Spans
        (``labels`` results) give one row per consensus span with ``start``/``end``: spans with the
        same boundaries are votes, kept when most of the task's annotators marked them. Rectangles are
        matched between every pair of annotators (Hungarian, IoU ≥ ``iou``, any label); linked
        regions form a cluster, kept when most annotators are in it, with the mean box and the majority
        label (``x, y, width, height``). Multi-label
        choices give the label set (labels separated by ``|``) chosen most often.

    Examples
    --------
    >>> import pandas as pd
    >>> from ls_notebook import consensus
    >>> df = pd.DataFrame({"task_id": [1, 1, 1, 2, 2], "annotator": list("abcab"),
    ...                    "from_name": "sentiment", "type": "choices",
    ...                    "label": ["pos", "pos", "neg", "neg", "pos"]})
    >>> consensus(df)[["task_id", "label", "n_votes", "tie"]].values.tolist()
    [[1, 'pos', 3, False], [2, 'pos', 2, True]]
    """
    if min_votes < 1:
        raise DataError("min_votes must be at least 1.")
    if {"task", "worker", "label"} <= set(df.columns) and "task_id" not in df.columns:
        out = _aggregate(df[["task", "worker", "label"]], method, min_votes)
        return out.rename(columns={"task": "task_id"}).assign(from_name=None)[COLUMNS]
    p = prepare(df, [from_name] if isinstance(from_name, str) else from_name, include_cancelled)
    parts, errors = [], {}
    for name, rows in p.groups.items():  # one pass per control tag
        kind = KINDS.get(p.types[name].lower(), "")
        if kind == "spans":
            parts.append(_span_consensus(p, rows, min_votes).assign(from_name=name))
            continue
        if kind == "regions":
            parts.append(_region_consensus(p, rows, min_votes, iou).assign(from_name=name))
            continue
        if kind not in ("choices", "rating", "number"):
            continue
        data = _votes(p, rows, kind, p.types[name])
        out = _aggregate(data, method, min_votes)
        if "errors" in out.attrs:
            errors[name] = out.attrs.pop("errors")
        parts.append(out.rename(columns={"task": "task_id"}).assign(from_name=name))
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})
    result = pd.concat(parts, ignore_index=True)
    result = result[[*COLUMNS, *[c for c in result.columns if c not in COLUMNS]]]
    if errors:
        result.attrs["errors"] = errors
    return result


def _votes(p: Prepared, rows: np.ndarray, kind: str, tag_type: str) -> pd.DataFrame:
    names = np.asarray(p.annotators, dtype=object)
    if kind in ("rating", "number"):
        sub = p.take(rows, ["number", "value"])
        label = sub["number"] if "number" in sub.columns else pd.to_numeric(sub["value"], errors="coerce")
        return pd.DataFrame(
            {
                "task": p.tasks.to_numpy()[p.task[rows]],
                "worker": names[p.annotator[rows]],
                "label": label.to_numpy(),
            }
        ).dropna(subset=["label"])
    if has_repeats(p, rows) or tag_type == "taxonomy" or _any_multi(p, rows):
        got = label_sets(p, rows)
        if got is None:
            raise DataError("more than 62 distinct labels in a multi-label tag; aggregate per label instead.")
        r, lab_names, masks = got
        set_names = np.array(
            ["|".join(str(lab_names[i]) for i in range(len(lab_names)) if (m >> i) & 1) for m in masks],
            dtype=object,
        )
        return pd.DataFrame(
            {
                "task": r.units.to_numpy()[r.unit],
                "worker": np.asarray(r.raters, object)[r.rater],
                "label": set_names[r.value],
            }
        )
    sub = p.take(rows, ["label", "labels"])
    return pd.DataFrame(
        {
            "task": p.tasks.to_numpy()[p.task[rows]],
            "worker": names[p.annotator[rows]],
            "label": first_label(sub).to_numpy(dtype=object),
        }
    ).dropna(subset=["label"])


def _any_multi(p: Prepared, rows: np.ndarray) -> bool:
    from ls_notebook.stats.agreement import _multi

    return _multi(p, rows)


def _aggregate(data: pd.DataFrame, method: str | Any, min_votes: int) -> pd.DataFrame:
    n_votes = data.groupby("task", sort=False).size()
    if isinstance(method, str):
        if method == "majority":
            agg: Any = MajorityVote()
        elif method in ("dawid_skene", "ds"):
            agg = DawidSkene()
        else:
            raise DataError(
                f"method={method!r} is not known; use 'majority', 'dawid_skene' or an aggregator object."
            )
    elif hasattr(method, "fit_predict"):
        agg = method
    else:
        raise DataError("method must be 'majority', 'dawid_skene' or an object with fit_predict(frame).")
    if not len(data):
        return pd.DataFrame(
            {c: pd.Series(dtype=object) for c in ["task", "label", "confidence", "n_votes", "tie"]}
        )
    labels = agg.fit_predict(data)
    probas = getattr(agg, "probas_", None)
    out = pd.DataFrame({"task": labels.index.to_numpy(), "label": labels.to_numpy(dtype=object)})
    if isinstance(probas, pd.DataFrame):
        aligned = probas.reindex(labels.index)
        col = aligned.columns.get_indexer(labels.to_numpy())
        vals = aligned.to_numpy(np.float64)
        out["confidence"] = np.where(col >= 0, vals[np.arange(len(vals)), np.maximum(col, 0)], np.nan)
    else:
        out["confidence"] = np.nan
    out["n_votes"] = n_votes.reindex(labels.index).to_numpy(np.int64)
    ties = getattr(agg, "ties_", None)
    out["tie"] = ties.reindex(labels.index).to_numpy(bool) if isinstance(ties, pd.Series) else False
    short = out["n_votes"] < min_votes
    if short.any():
        out["label"] = out["label"].astype(object).where(~short, None)
    if isinstance(agg, DawidSkene):
        out.attrs["errors"] = agg.errors_
    return out


def _span_consensus(p: Prepared, rows: np.ndarray, min_votes: int) -> pd.DataFrame:
    sub = p.take(rows, ["label", "labels", "start", "end", "x", "y", "width", "height", "rotation", "points"])
    spans = pd.DataFrame(
        {
            "task": p.task[rows],
            "ann": p.annotator[rows],
            "start": sub["start"].to_numpy(np.float64, na_value=np.nan),
            "end": sub["end"].to_numpy(np.float64, na_value=np.nan),
            "label": first_label(sub).to_numpy(dtype=object),
        }
    ).dropna()
    n_ann = p.annotators_per_task()
    votes = spans.drop_duplicates(["task", "ann", "start", "end", "label"])
    by_label = (
        votes.groupby(["task", "start", "end", "label"], sort=True).size().rename("votes").reset_index()
    )
    by_span = votes.drop_duplicates(["task", "ann", "start", "end"]).groupby(["task", "start", "end"]).size()
    best = by_label.sort_values(
        ["task", "start", "end", "votes", "label"], ascending=[True, True, True, False, True]
    )
    tie = best.duplicated(["task", "start", "end"], keep=False) & (
        best.groupby(["task", "start", "end"])["votes"].transform("max") == best["votes"]
    )
    tie_any = tie.groupby([best["task"], best["start"], best["end"]]).transform("sum") > 1
    best = best.assign(tie=tie_any).drop_duplicates(["task", "start", "end"], keep="first")
    support = by_span.reindex(pd.MultiIndex.from_frame(best[["task", "start", "end"]])).to_numpy()
    need = np.maximum(min_votes, n_ann[best["task"].to_numpy()] // 2 + 1)
    best = best.assign(n_votes=support, confidence=support / n_ann[best["task"].to_numpy()])
    best = best[support >= need]
    return pd.DataFrame(
        {
            "task_id": p.tasks.to_numpy()[best["task"].to_numpy(np.int64)],
            "label": best["label"].to_numpy(dtype=object),
            "confidence": best["confidence"].to_numpy(np.float64),
            "n_votes": best["n_votes"].to_numpy(np.int64),
            "tie": best["tie"].to_numpy(bool),
            "start": best["start"].to_numpy(np.int64),
            "end": best["end"].to_numpy(np.int64),
        }
    )


def _region_consensus(p: Prepared, rows: np.ndarray, min_votes: int, iou: float) -> pd.DataFrame:
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    from ls_notebook.stats._boxes import matched_edges

    sub = p.take(rows, ["label", "labels", "start", "end", "x", "y", "width", "height", "rotation", "points"])
    geo = ["x", "y", "width", "height"]
    regions = pd.DataFrame(
        {
            "task": p.task[rows],
            "ann": p.annotator[rows],
            "label": 0,
            "name": first_label(sub).to_numpy(dtype=object),
            **{c: sub[c].to_numpy(np.float64, na_value=np.nan) for c in geo},
            "rotation": sub["rotation"].to_numpy(np.float64, na_value=0.0) if "rotation" in sub else 0.0,
            "points": sub["points"].to_numpy(dtype=object) if "points" in sub else None,
        }
    ).reset_index(drop=True)
    n = len(regions)
    src, dst = [], []
    annotators = np.unique(regions["ann"].to_numpy())
    for i, a in enumerate(annotators):  # loop over annotator pairs
        ra = regions[regions["ann"] == a]
        for b in annotators[i + 1 :]:
            rb = regions[regions["ann"] == b]
            pa_, pb_ = matched_edges(ra, rb, iou)
            src.append(pa_)
            dst.append(pb_)
    s = np.concatenate(src) if src else np.empty(0, np.int64)
    d = np.concatenate(dst) if dst else np.empty(0, np.int64)
    _, comp = connected_components(coo_matrix((np.ones(len(s)), (s, d)), shape=(n, n)), directed=False)
    regions["cluster"] = comp
    n_ann = p.annotators_per_task()
    grouped = regions.groupby("cluster")
    votes = grouped["ann"].nunique()
    first_task = grouped["task"].first()
    means = grouped[geo].mean()
    label_votes = regions.groupby(["cluster", "name"]).size().rename("v").reset_index()
    label_votes = label_votes.sort_values(["cluster", "v", "name"], ascending=[True, False, True])
    tie = label_votes.groupby("cluster")["v"].transform(lambda v: (v == v.max()).sum() > 1)
    best = label_votes.assign(tie=tie).drop_duplicates("cluster").set_index("cluster")
    total = n_ann[first_task.to_numpy()]
    need = np.maximum(min_votes, total // 2 + 1)
    keep = votes.to_numpy() >= need
    out = pd.DataFrame(
        {
            "task_id": p.tasks.to_numpy()[first_task.to_numpy()],
            "label": best["name"].reindex(votes.index).to_numpy(dtype=object),
            "confidence": votes.to_numpy() / total,
            "n_votes": votes.to_numpy(np.int64),
            "tie": best["tie"].reindex(votes.index).to_numpy(bool),
            **{c: means[c].to_numpy() for c in geo},
        }
    )
    return out[keep].reset_index(drop=True)
