"""Span and region matching: one-to-one, Hungarian (not greedy)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ls_notebook.stats._boxes import box_iou, match_regions, polygon_iou, polygon_of, polygon_overlap
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
    assert float(m["iou_sum"].iloc[0]) == pytest.approx(0.5, abs=1e-12)


def _sq(x0: float, y0: float, x1: float, y1: float) -> list[list[float]]:
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]


ELL = [[0, 0], [2, 0], [2, 1], [1, 1], [1, 2], [0, 2]]  # area 3, notch [1, 2] x [1, 2]
U_SHAPE = [[0, 0], [3, 0], [3, 3], [2, 3], [2, 1], [1, 1], [1, 3], [0, 3]]  # area 9 - 2 = 7
BOW_TIE = [[0, 0], [2, 2], [2, 0], [0, 2]]  # self-intersecting: two triangles of area 1 (even-odd)


@pytest.mark.parametrize(
    ("a", "b", "inter", "union"),
    [
        (_sq(0, 0, 1, 1), _sq(0.5, 0, 1.5, 1), 0.5, 1.5),  # convex, half overlap
        (_sq(0, 0, 1, 1), _sq(3, 3, 4, 4), 0.0, 2.0),  # disjoint
        (_sq(0, 0, 1, 1), _sq(1, 0, 2, 1), 0.0, 2.0),  # touching along an edge
        (_sq(0, 0, 1, 1), _sq(1, 1, 2, 2), 0.0, 2.0),  # touching at a corner
        (_sq(0, 0, 4, 4), _sq(1, 1, 2, 3), 2.0, 16.0),  # contained
        (_sq(0, 0, 2, 2), _sq(0, 0, 2, 2), 4.0, 4.0),  # identical (all edges shared)
        (_sq(0, 0, 2, 2), _sq(0, 0, 2, 1), 2.0, 4.0),  # three shared edges
        (ELL, _sq(0.5, 0.5, 1.5, 1.5), 0.75, 3.25),  # non-convex: the notch cuts 0.25 off the square
        (ELL, _sq(1, 1, 2, 2), 0.0, 4.0),  # the square fills the notch exactly
        (U_SHAPE, _sq(0.5, 2, 2.5, 2.5), 0.5, 7.5),  # intersection in two pieces (clipping fails here)
        (U_SHAPE, ELL, 3.0, 7.0),  # two non-convex polygons: L = [0,1]x[0,2] + [1,2]x[0,1] lies in U
        ([[1, 0], [2, 1], [1, 2], [0, 1]], _sq(0, 0, 2, 2), 2.0, 4.0),  # diamond inscribed in a square
        ([[0, 0], [4, 0], [0, 4]], _sq(0, 0, 2, 2), 4.0, 8.0),  # triangle covering the square
        (BOW_TIE, _sq(0, 0, 2, 2), 2.0, 4.0),  # even-odd rule for a self-intersecting outline
        ([[0, 0], [0, 1], [1, 1], [1, 0]], _sq(0.5, 0, 1.5, 1), 0.5, 1.5),  # clockwise vertices
    ],
)
def test_polygon_overlap_hand_computed(a: list, b: list, inter: float, union: float) -> None:
    got_inter, got_union = polygon_overlap(np.array(a, float), np.array(b, float))
    assert got_inter == pytest.approx(inter, abs=1e-9)
    assert got_union == pytest.approx(union, abs=1e-9)
    swapped = polygon_overlap(np.array(b, float), np.array(a, float))
    assert swapped == pytest.approx((inter, union), abs=1e-9)
    assert polygon_iou(np.array(a, float), np.array(b, float)) == pytest.approx(inter / union, abs=1e-9)


def _clip_convex(subject: np.ndarray, clip: np.ndarray) -> np.ndarray:
    """Sutherland–Hodgman (test reference; exact only because both polygons here are convex)."""
    out = subject
    for i in range(len(clip)):
        a, b = clip[i], clip[(i + 1) % len(clip)]
        if not len(out):
            break
        side = (b[0] - a[0]) * (out[:, 1] - a[1]) - (b[1] - a[1]) * (out[:, 0] - a[0])
        pts = []
        for j in range(len(out)):
            p, q, sp, sq = out[j], out[(j + 1) % len(out)], side[j], side[(j + 1) % len(out)]
            if sp >= 0:
                pts.append(p)
            if (sp >= 0) != (sq >= 0):
                pts.append(p + (q - p) * (sp / (sp - sq)))
        out = np.array(pts)
    return out


def _shoelace(poly: np.ndarray) -> float:
    if len(poly) < 3:
        return 0.0
    x, y = poly[:, 0], poly[:, 1]
    return abs(float(x @ np.roll(y, -1) - y @ np.roll(x, -1))) / 2.0


def _random_convex(rng: np.random.Generator) -> np.ndarray:
    angles = np.sort(rng.uniform(0, 2 * np.pi, rng.integers(3, 9)))
    return rng.uniform(20, 80, 2) + rng.uniform(5, 30) * np.column_stack([np.cos(angles), np.sin(angles)])


def test_polygon_overlap_matches_convex_clipping_on_random_polygons() -> None:
    rng = np.random.default_rng(7)
    for _ in range(200):
        a, b = _random_convex(rng), _random_convex(rng)
        inter, union = polygon_overlap(a, b)
        ref = _shoelace(_clip_convex(a, b))
        assert inter == pytest.approx(ref, abs=1e-9)
        assert union == pytest.approx(_shoelace(a) + _shoelace(b) - ref, abs=1e-9)


def test_polygon_overlap_with_itself_is_its_area_for_random_star_polygons() -> None:
    rng = np.random.default_rng(8)
    for _ in range(100):  # non-convex, simple: vertices at increasing angles (gaps < pi), random radii
        k = int(rng.integers(5, 30))
        angles = (np.arange(k) + rng.uniform(0, 0.9, k)) * (2 * np.pi / k)
        radii = rng.uniform(2, 20, k)
        poly = 50 + radii[:, None] * np.column_stack([np.cos(angles), np.sin(angles)])
        inter, union = polygon_overlap(poly, poly)
        assert inter == pytest.approx(_shoelace(poly), abs=1e-9)
        assert union == pytest.approx(_shoelace(poly), abs=1e-9)
        shifted = poly + np.array([1e3, 0.0])
        assert polygon_overlap(poly, shifted) == pytest.approx((0.0, 2 * _shoelace(poly)), abs=1e-9)


def test_rotated_rectangles_are_exact() -> None:
    # a 2 x 2 square turned 90 degrees about its top-left corner covers x in [-2, 0], y in [0, 2]
    turned = polygon_of({"x": 0.0, "y": 0.0, "width": 2.0, "height": 2.0, "rotation": 90.0, "points": None})
    assert polygon_iou(turned, np.array(_sq(-2, 0, 0, 2), float)) == pytest.approx(1.0, abs=1e-9)
    assert polygon_iou(turned, np.array(_sq(-1, 0, 1, 2), float)) == pytest.approx(2 / 6, abs=1e-9)
    # turned 45 degrees: a diamond of area 4 whose lower half lies in y in [0, sqrt 2]
    diamond = polygon_of({"x": 0.0, "y": 0.0, "width": 2.0, "height": 2.0, "rotation": 45.0, "points": None})
    r = np.sqrt(2.0)
    inter, union = polygon_overlap(diamond, np.array(_sq(-r, 0, r, r), float))
    assert inter == pytest.approx(2.0, abs=1e-9) and union == pytest.approx(4.0 + 4.0 - 2.0, abs=1e-9)


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
