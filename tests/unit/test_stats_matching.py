"""Span and region matching: one-to-one, Hungarian (not greedy)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ls_notebook.stats._boxes import box_iou, match_regions
from ls_notebook.stats._matching import match_edges
from ls_notebook.stats._spans import match_spans


def _boxes(rows: list[tuple[float, float, float, float]], label: int = 0, task: int = 0) -> pd.DataFrame:
    return pd.DataFrame(
        [
            dict(task=task, label=label, x=x, y=y, width=w, height=h, rotation=0.0, points=None)
            for x, y, w, h in rows
        ]
    )


def _greedy(iou: np.ndarray, thr: float) -> int:
    """Reference greedy matcher: best IoU first."""
    used_a, used_b, n = set(), set(), 0
    for flat in np.argsort(-iou, axis=None):
        i, j = np.unravel_index(flat, iou.shape)
        if iou[i, j] >= thr and i not in used_a and j not in used_b:
            used_a.add(i), used_b.add(j)
            n += 1
    return n


def test_hungarian_beats_greedy_on_boxes() -> None:
    # 10 × 10 boxes shifted vertically: IoU = (10 - d) / (10 + d).
    # A0-B0 is the best pair (d=1, IoU .82); A0-B1 (d=3) and A1-B0 (d=3) also pass (.54); A1-B1 does not.
    # Greedy takes A0-B0 first and strands A1 and B1; Hungarian pairs A0-B1 and A1-B0.
    a = _boxes([(0, 0, 10, 10), (0, 4, 10, 10)])
    b = _boxes([(0, 1, 10, 10), (0, -3, 10, 10)])
    ga = a[["x", "y", "width", "height"]].to_numpy(float)
    gb = b[["x", "y", "width", "height"]].to_numpy(float)
    iou = np.array([[box_iou(ga[[i]], gb[[j]])[0] for j in range(2)] for i in range(2)])
    assert iou[0, 0] > iou[0, 1] >= 0.5 and iou[1, 0] >= 0.5 and iou[1, 1] < 0.5
    assert iou.argmax() == 0
    assert _greedy(iou, 0.5) == 1
    m = match_regions(a, b, iou=0.5)
    assert int(m["matches"].iloc[0]) == 2
    assert float(m["iou_sum"].iloc[0]) == pytest.approx(iou[0, 1] + iou[1, 0])


def test_labels_must_agree_unless_label_blind() -> None:
    a = _boxes([(0, 0, 10, 10)], label=0)
    b = _boxes([(0, 0, 10, 10)], label=1)
    assert int(match_regions(a, b)["matches"].iloc[0]) == 0
    assert int(match_regions(a, b, label_aware=False)["matches"].iloc[0]) == 1


def test_tasks_are_matched_separately() -> None:
    a = pd.concat([_boxes([(0, 0, 10, 10)], task=0), _boxes([(0, 0, 10, 10)], task=1)])
    b = _boxes([(0, 0, 10, 10)], task=1)
    m = match_regions(a, b)
    assert m["matches"].tolist() == [0, 1] and m["n_a"].tolist() == [1, 1] and m["n_b"].tolist() == [0, 1]


def test_polygons_iou() -> None:
    square = [[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0]]
    half = [[0.0, 0.0], [10.0, 0.0], [10.0, 5.0], [0.0, 5.0]]
    a = pd.DataFrame(
        [dict(task=0, label=0, x=np.nan, y=np.nan, width=np.nan, height=np.nan, rotation=0.0, points=square)]
    )
    b = pd.DataFrame(
        [dict(task=0, label=0, x=np.nan, y=np.nan, width=np.nan, height=np.nan, rotation=0.0, points=half)]
    )
    m = match_regions(a, b, iou=0.4)
    assert int(m["matches"].iloc[0]) == 1
    assert float(m["iou_sum"].iloc[0]) == pytest.approx(0.5, abs=0.02)


def test_hungarian_beats_greedy_on_partial_spans() -> None:
    # a0 = [0, 10) overlaps b0 = [5, 10) (share .5) and b1 = [0, 6) (share .6); a1 = [0, 3) overlaps
    # only b1. Greedy by overlap share takes a0-b1 first and strands a1 and b0.
    a = pd.DataFrame({"task": [0, 0], "start": [0, 0], "end": [10, 3], "label": [0, 0]})
    b = pd.DataFrame({"task": [0, 0], "start": [5, 0], "end": [10, 6], "label": [0, 0]})
    m = match_spans(a, b, "partial")
    assert int(m["matches"].iloc[0]) == 2  # a0-b0 and a1-b1; greedy (a0-b1 first) gets 1
    assert int(match_spans(a, b, "strict")["matches"].iloc[0]) == 0


def test_exact_duplicates_match_once() -> None:
    a = pd.DataFrame({"task": [0, 0], "start": [0, 0], "end": [5, 5], "label": [0, 0]})
    b = pd.DataFrame({"task": [0], "start": [0], "end": [5], "label": [0]})
    assert int(match_spans(a, b, "strict")["matches"].iloc[0]) == 1


def test_match_edges_prefers_more_matches_then_score() -> None:
    # edges: a0-b0 (.9), a0-b1 (.6), a1-b0 (.6): best is two matches (1.2) over one (.9)
    chosen = match_edges(
        np.zeros(3, int), np.array([0, 0, 1]), np.array([10, 11, 10]), np.array([0.9, 0.6, 0.6])
    )
    assert chosen.tolist() == [False, True, True]
    # a simple task needs no solver: all its edges are kept
    chosen = match_edges(np.array([0, 1]), np.array([0, 1]), np.array([5, 6]), np.array([0.5, 0.7]))
    assert chosen.tolist() == [True, True]
