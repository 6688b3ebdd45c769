"""Agreement on image regions: IoU and one-to-one matching of rectangles and polygons.

Axis-aligned rectangles get a closed-form, vectorized IoU. Rotated rectangles and polygons get an
exact IoU from :func:`polygon_iou` (vertical slabs, numpy only; convex or not, touching, nested or
disjoint). Coordinates are Label Studio percentages of the image; a rotated rectangle turns about its
top-left corner.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ls_notebook.stats._matching import match_edges

__all__ = ["box_iou", "match_regions", "matched_edges", "polygon_iou", "polygon_of", "polygon_overlap"]


def box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU of axis-aligned boxes given as (N, 4) arrays of ``x, y, width, height``.

    Examples
    --------
    >>> import numpy as np
    >>> from ls_notebook.stats._boxes import box_iou
    >>> box_iou(np.array([[0, 0, 10, 10]]), np.array([[5, 0, 10, 10]])).round(4).tolist()
    [0.3333]
    """
    ax2, ay2 = a[:, 0] + a[:, 2], a[:, 1] + a[:, 3]
    bx2, by2 = b[:, 0] + b[:, 2], b[:, 1] + b[:, 3]
    iw = np.clip(np.minimum(ax2, bx2) - np.maximum(a[:, 0], b[:, 0]), 0, None)
    ih = np.clip(np.minimum(ay2, by2) - np.maximum(a[:, 1], b[:, 1]), 0, None)
    inter = iw * ih
    union = a[:, 2] * a[:, 3] + b[:, 2] * b[:, 3] - inter
    return np.divide(inter, union, out=np.zeros_like(inter, dtype=np.float64), where=union > 0)


def _has_items(v: Any) -> bool:
    return isinstance(v, (list, tuple, np.ndarray)) and len(v) > 0


def polygon_of(row: Any) -> np.ndarray:
    """Vertices (k, 2) of a region row: its ``points``, or its (possibly rotated) rectangle."""
    pts = row.get("points") if hasattr(row, "get") else None
    if _has_items(pts):
        return np.asarray([list(p)[:2] for p in pts], dtype=np.float64)
    x, y, w, h = (float(row[k]) for k in ("x", "y", "width", "height"))
    rot = row.get("rotation") if hasattr(row, "get") else 0.0
    theta = np.deg2rad(0.0 if rot is None or pd.isna(rot) else float(rot))
    corners = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float64)
    c, s = np.cos(theta), np.sin(theta)
    return np.column_stack(
        [x + corners[:, 0] * c - corners[:, 1] * s, y + corners[:, 0] * s + corners[:, 1] * c]
    )


def _edges(poly: np.ndarray) -> np.ndarray:
    """(k, 4) edges ``x0, y0, x1, y1`` of a closed polygon, zero-length ones dropped."""
    nxt = np.roll(poly, -1, axis=0)
    e = np.column_stack([poly, nxt])
    return e[(e[:, 0] != e[:, 2]) | (e[:, 1] != e[:, 3])]


def _crossing_xs(e: np.ndarray) -> np.ndarray:
    """x of every point where two of the edges ``e`` cross or touch (all pairs at once)."""
    i, j = np.triu_indices(len(e), k=1)
    p, r = e[i, :2], e[i, 2:] - e[i, :2]
    q, s = e[j, :2], e[j, 2:] - e[j, :2]
    denom = r[:, 0] * s[:, 1] - r[:, 1] * s[:, 0]
    qp = q - p
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (qp[:, 0] * s[:, 1] - qp[:, 1] * s[:, 0]) / denom
        u = (qp[:, 0] * r[:, 1] - qp[:, 1] * r[:, 0]) / denom
    hit = (denom != 0) & (t >= 0) & (t <= 1) & (u >= 0) & (u <= 1)  # parallel edges: their ends are vertices
    return p[hit, 0] + t[hit] * r[hit, 0]


def _heights(e: np.ndarray, xs: np.ndarray) -> np.ndarray:
    """(S, k) y where each edge crosses the vertical line at each x (``inf`` where it does not)."""
    x0, y0, x1, y1 = (e[:, c][None, :] for c in range(4))
    x = xs[:, None]
    spans = (np.minimum(x0, x1) < x) & (x < np.maximum(x0, x1))  # vertical edges never span
    with np.errstate(divide="ignore", invalid="ignore"):
        y = y0 + (x - x0) * (y1 - y0) / (x1 - x0)
    return np.where(spans, y, np.inf)


def polygon_overlap(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """Exact areas of the intersection and of the union of two polygons given as (k, 2) vertices.

    Cut the plane at every vertex and every edge crossing (of either polygon, with itself or the
    other): inside a slab between two cuts no edges cross, so the length of a vertical cross-section
    of ``a ∩ b`` (and of ``a ∪ b``) is linear in x and the slab's area is its width times that length
    at the slab's middle. The cross-sections come from the sorted edge heights with the even–odd
    rule, so concave polygons, holes made by a self-intersecting outline, shared edges, nesting and
    disjoint pairs need no special case. Vectorized over slabs and edges; O(S · k log k).

    Examples
    --------
    >>> import numpy as np
    >>> from ls_notebook.stats._boxes import polygon_overlap
    >>> ell = np.array([[0, 0], [2, 0], [2, 1], [1, 1], [1, 2], [0, 2]], float)  # L shape, area 3
    >>> square = np.array([[0.5, 0.5], [1.5, 0.5], [1.5, 1.5], [0.5, 1.5]])
    >>> [round(v, 12) for v in polygon_overlap(ell, square)]
    [0.75, 3.25]
    """
    ea, eb = _edges(np.asarray(a, np.float64)), _edges(np.asarray(b, np.float64))
    if len(ea) < 3 or len(eb) < 3:
        return 0.0, 0.0
    both = np.vstack([ea, eb])
    cuts = np.unique(np.concatenate([both[:, 0], _crossing_xs(both)]))
    if len(cuts) < 2:
        return 0.0, 0.0
    mids, widths = (cuts[:-1] + cuts[1:]) / 2.0, np.diff(cuts)
    ys = np.hstack([_heights(ea, mids), _heights(eb, mids)])
    of_a = np.concatenate([np.ones(len(ea), bool), np.zeros(len(eb), bool)])
    order = np.argsort(ys, axis=1, kind="stable")
    ys = np.take_along_axis(ys, order, axis=1)
    crossing = np.isfinite(ys)
    from_a = of_a[order] & crossing
    from_b = ~of_a[order] & crossing
    inside_a = (np.cumsum(from_a, axis=1) % 2).astype(bool)[:, :-1]  # between breakpoints j and j+1
    inside_b = (np.cumsum(from_b, axis=1) % 2).astype(bool)[:, :-1]
    with np.errstate(invalid="ignore"):
        gap = np.where(crossing[:, 1:], np.diff(ys, axis=1), 0.0)
    inter = float(widths @ (gap * (inside_a & inside_b)).sum(axis=1))
    union = float(widths @ (gap * (inside_a | inside_b)).sum(axis=1))
    return inter, union


def polygon_iou(a: np.ndarray, b: np.ndarray) -> float:
    """Exact IoU of two polygons (see :func:`polygon_overlap`); 0 when both have no area."""
    inter, union = polygon_overlap(a, b)
    return inter / union if union > 0 else 0.0


def _is_axis_box(df: pd.DataFrame) -> np.ndarray:
    has_points = df["points"].map(_has_items)
    rot = pd.to_numeric(df["rotation"], errors="coerce").fillna(0.0).to_numpy(np.float64)
    return (~has_points.to_numpy(bool)) & (rot == 0.0)


def _pair_iou(pairs: pd.DataFrame) -> np.ndarray:
    iou = np.zeros(len(pairs))
    axis = pairs["axis_a"].to_numpy(bool) & pairs["axis_b"].to_numpy(bool)
    if axis.any():
        cols = ["x", "y", "width", "height"]
        ga = pairs.loc[axis, [f"{c}_a" for c in cols]].to_numpy(np.float64)
        gb = pairs.loc[axis, [f"{c}_b" for c in cols]].to_numpy(np.float64)
        iou[axis] = box_iou(ga, gb)
    for i in np.flatnonzero(~axis):  # rotated boxes and polygons only
        row = pairs.iloc[i]
        ra = {k: row[f"{k}_a"] for k in ("x", "y", "width", "height", "rotation", "points")}
        rb = {k: row[f"{k}_b"] for k in ("x", "y", "width", "height", "rotation", "points")}
        iou[i] = polygon_iou(polygon_of(ra), polygon_of(rb))
    return iou


def _candidate_matches(
    a: pd.DataFrame, b: pd.DataFrame, iou: float, label_aware: bool
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Candidate pairs (IoU ≥ threshold), their IoU, and which ones the one-to-one matching keeps."""
    aa = a.reset_index(names="row").assign(axis=lambda d: _is_axis_box(d)).reset_index(names="i")
    bb = b.reset_index(names="row").assign(axis=lambda d: _is_axis_box(d)).reset_index(names="i")
    keys = ["task", "label"] if label_aware else ["task"]
    pairs = aa.merge(bb, on=keys, suffixes=("_a", "_b"))
    scores = _pair_iou(pairs)
    ok = scores >= iou
    pairs, scores = pairs.loc[ok], scores[ok]
    chosen = match_edges(pairs["task"].to_numpy(), pairs["i_a"].to_numpy(), pairs["i_b"].to_numpy(), scores)
    return pairs, scores, chosen


def matched_edges(a: pd.DataFrame, b: pd.DataFrame, iou: float) -> tuple[np.ndarray, np.ndarray]:
    """Index labels (of ``a`` and ``b``) of the region pairs matched one-to-one, any label."""
    pairs, _, chosen = _candidate_matches(a, b, iou, label_aware=False)
    return pairs.loc[chosen, "row_a"].to_numpy(np.int64), pairs.loc[chosen, "row_b"].to_numpy(np.int64)


def match_regions(
    a: pd.DataFrame, b: pd.DataFrame, iou: float = 0.5, label_aware: bool = True
) -> pd.DataFrame:
    """One-to-one matching of two annotators' regions per task (Hungarian, not greedy).

    Parameters
    ----------
    a, b : DataFrame
        Regions with ``task`` and ``label`` codes and geometry columns ``x, y, width, height,
        rotation, points`` (pull schema).
    iou : float
        A pair can match when its IoU is at least this.
    label_aware : bool
        Only regions with the same label can match.

    Returns
    -------
    DataFrame
        Indexed by task: ``n_a``, ``n_b``, ``matches``, ``iou_sum`` (summed IoU of matched pairs).

    Examples
    --------
    >>> import pandas as pd
    >>> from ls_notebook.stats._boxes import match_regions
    >>> geo = dict(rotation=0.0, points=None, label=0, task=0)
    >>> a = pd.DataFrame([dict(x=0, y=0, width=10, height=10, **geo)])
    >>> b = pd.DataFrame([dict(x=1, y=0, width=10, height=10, **geo)])
    >>> m = match_regions(a, b)
    >>> int(m["matches"].iloc[0]), round(float(m["iou_sum"].iloc[0]), 4)
    (1, 0.8182)
    """
    tasks = np.union1d(a["task"].to_numpy(), b["task"].to_numpy())
    out = pd.DataFrame(index=pd.Index(tasks, name="task"))
    out["n_a"] = a.groupby("task").size().reindex(tasks, fill_value=0)
    out["n_b"] = b.groupby("task").size().reindex(tasks, fill_value=0)
    pairs, scores, chosen = _candidate_matches(
        a.reset_index(drop=True), b.reset_index(drop=True), iou, label_aware
    )
    hits = pairs.loc[chosen, "task"].to_numpy()
    out["matches"] = pd.Series(hits).value_counts().reindex(tasks, fill_value=0).to_numpy()
    out["iou_sum"] = (
        pd.Series(scores[chosen], index=hits).groupby(level=0).sum().reindex(tasks, fill_value=0.0).to_numpy()
    )
    return out
