"""Agreement with the reference libraries on random data, with and without missing ratings."""

from __future__ import annotations

import krippendorff
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats import inter_rater

from ls_notebook.stats import (
    as_ratings,
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha,
    scotts_pi,
)

SEEDS = range(6)


def _ratings(seed: int, raters: int = 5, units: int = 300, q: int = 4, missing: float = 0.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, q, units)
    data = np.where(rng.random((raters, units)) < 0.55, truth, rng.integers(0, q, (raters, units)))
    data = data.astype(np.float64)
    if missing:
        data[rng.random(data.shape) < missing] = np.nan
    return data


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("missing", [0.0, 0.25])
@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
def test_alpha_matches_krippendorff(seed: int, missing: float, level: str) -> None:
    data = _ratings(seed, missing=missing) + 1.0  # ratio needs positive values
    ours = krippendorff_alpha(data, level)
    ref = krippendorff.alpha(reliability_data=data, level_of_measurement=level)
    assert ours == pytest.approx(ref, abs=1e-10)


@pytest.mark.parametrize("seed", range(3))
def test_alpha_interval_many_distinct_values(seed: int) -> None:
    # the reference is quadratic in distinct values: keep it small
    rng = np.random.default_rng(seed)
    data = (rng.normal(size=(4, 60)) + rng.normal(size=60)).round(2)
    data[rng.random(data.shape) < 0.2] = np.nan
    ref = krippendorff.alpha(reliability_data=data, level_of_measurement="interval")
    assert krippendorff_alpha(data, "interval") == pytest.approx(ref, abs=1e-9)


@pytest.mark.parametrize("seed", SEEDS)
def test_fleiss_matches_statsmodels(seed: int) -> None:
    data = _ratings(seed)
    table, _ = inter_rater.aggregate_raters(data.T.astype(int))
    assert fleiss_kappa(data) == pytest.approx(inter_rater.fleiss_kappa(table), abs=1e-10)


@pytest.mark.parametrize("seed", SEEDS)
def test_fleiss_with_missing_equals_statsmodels_on_equal_raters_subset(seed: int) -> None:
    # statsmodels needs equal raters per unit: it agrees with us on the units rated by everyone
    data = _ratings(seed, missing=0.1)
    full = data[:, ~np.isnan(data).any(axis=0)]
    table, _ = inter_rater.aggregate_raters(full.T.astype(int))
    assert fleiss_kappa(full) == pytest.approx(inter_rater.fleiss_kappa(table), abs=1e-10)
    assert np.isfinite(fleiss_kappa(data))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("weights", [None, "linear", "quadratic"])
def test_cohen_matches_sklearn_and_statsmodels(seed: int, weights: str | None) -> None:
    data = _ratings(seed, raters=2, q=5)
    a, b = data.astype(int)
    ours = cohen_kappa(a, b, weights=weights)
    assert ours == pytest.approx(cohen_kappa_score(a, b, weights=weights), abs=1e-10)
    table = np.zeros((5, 5))
    np.add.at(table, (a, b), 1)
    ref = inter_rater.cohens_kappa(table, wt=weights) if weights else inter_rater.cohens_kappa(table)
    assert ours == pytest.approx(ref.kappa, abs=1e-10)
    assert ours.se == pytest.approx(ref.std_kappa, rel=1e-9)


@pytest.mark.parametrize("seed", SEEDS)
def test_cohen_with_missing_drops_incomplete_units(seed: int) -> None:
    data = _ratings(seed, raters=2, missing=0.2)
    both = ~np.isnan(data).any(axis=0)
    ref = cohen_kappa_score(data[0, both], data[1, both])
    assert cohen_kappa(data[0], data[1]) == pytest.approx(ref, abs=1e-10)
    assert cohen_kappa(data) == pytest.approx(ref, abs=1e-10)  # 2 × units matrix form


@pytest.mark.parametrize("seed", SEEDS)
def test_scott_equals_fleiss_for_two_complete_raters(seed: int) -> None:
    data = _ratings(seed, raters=2)
    table, _ = inter_rater.aggregate_raters(data.T.astype(int))
    assert scotts_pi(data[0], data[1]) == pytest.approx(inter_rater.fleiss_kappa(table), abs=1e-10)


def test_arrow_and_numpy_long_frames_agree() -> None:
    data = _ratings(3, missing=0.2)
    r_idx, u_idx = np.nonzero(~np.isnan(data))
    labels = np.array(["neg", "neu", "pos", "mixed"])[data[r_idx, u_idx].astype(int)]
    plain = pd.DataFrame({"unit": u_idx, "rater": r_idx.astype(str), "value": labels})
    arrow = plain.astype({"unit": "int64[pyarrow]", "rater": "string[pyarrow]", "value": "string[pyarrow]"})
    ref = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    assert krippendorff_alpha(plain) == pytest.approx(ref, abs=1e-10)
    assert krippendorff_alpha(arrow) == pytest.approx(ref, abs=1e-10)
    assert list(as_ratings(arrow).categories) == ["mixed", "neg", "neu", "pos"]


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("weights", ["identity", "linear", "quadratic"])
def test_gwet_family_matches_irrcac_when_installed(seed: int, weights: str) -> None:
    # irrCAC (Python) pins pandas < 3; under pandas 3 it counts NaN as a category unless the
    # categories are given, so they are passed explicitly.
    raw = pytest.importorskip("irrCAC.raw")
    from ls_notebook.stats import brennan_prediger, gwet_ac2, percent_agreement

    data = _ratings(seed, raters=4, units=80, q=4, missing=0.25) + 1.0
    frame = pd.DataFrame(data.T)
    cac = raw.CAC(frame, weights=weights, categories=[1.0, 2.0, 3.0, 4.0])
    w = None if weights == "identity" else weights
    ours_ac = gwet_ac2(data, weights=w if w else np.eye(4))
    assert ours_ac == pytest.approx(cac.gwet()["est"]["coefficient_value"], abs=1e-5)
    assert fleiss_kappa(data, weights=w) == pytest.approx(cac.fleiss()["est"]["coefficient_value"], abs=1e-5)
    assert brennan_prediger(data, weights=w) == pytest.approx(cac.bp()["est"]["coefficient_value"], abs=1e-5)
    assert percent_agreement(data, weights=w) == pytest.approx(cac.gwet()["est"]["pa"], abs=1e-5)


def _nltk_task(data: np.ndarray, distance: object = None) -> object:
    from nltk.metrics.agreement import AnnotationTask

    r_idx, u_idx = np.nonzero(~np.isnan(data))
    triples = [(f"c{r}", f"i{u}", int(data[r, u])) for r, u in zip(r_idx, u_idx, strict=True)]
    return AnnotationTask(triples) if distance is None else AnnotationTask(triples, distance=distance)


@pytest.mark.parametrize("seed", range(3))
def test_nltk_annotation_task_coefficients(seed: int) -> None:
    from ls_notebook.stats import brennan_prediger

    data = _ratings(seed, raters=4, units=120, q=4)
    task = _nltk_task(data)
    assert krippendorff_alpha(data) == pytest.approx(task.alpha(), abs=1e-10)
    assert fleiss_kappa(data) == pytest.approx(task.pi(), abs=1e-10)  # multi-π = Fleiss' κ
    assert brennan_prediger(data) == pytest.approx(task.S(), abs=1e-10)  # Bennett et al.'s S
    pairs = [(i, j) for i in range(4) for j in range(i + 1, 4)]
    light = np.mean([float(cohen_kappa(data[i], data[j])) for i, j in pairs])
    assert light == pytest.approx(task.kappa(), abs=1e-10)  # NLTK averages Cohen's κ over pairs
    # with missing ratings NLTK's α also drops units with a single value
    sparse_data = _ratings(seed, raters=4, units=120, q=4, missing=0.3)
    assert krippendorff_alpha(sparse_data) == pytest.approx(_nltk_task(sparse_data).alpha(), abs=1e-10)


def test_masi_alpha_of_agreement_matches_nltk() -> None:
    from nltk.metrics.agreement import AnnotationTask
    from nltk.metrics.distance import masi_distance as nltk_masi

    from ls_notebook import agreement
    from ls_notebook.stats._kinds import masi_distance

    from ._pull_frames import USERS, choice, frame

    rng = np.random.default_rng(11)
    labels = ["a", "b", "c", "d"]
    sets: dict[int, dict[int, list[str]]] = {}
    for task in range(1, 61):
        for user in USERS:
            if rng.random() < 0.85:
                pick = [lab for lab in labels if rng.random() < 0.4] or [labels[int(rng.integers(4))]]
                sets.setdefault(task, {})[user] = pick
    df = frame({t: {u: [choice(s, "topics")] for u, s in by.items()} for t, by in sets.items()})
    ours = agreement(df).summary.loc["topics", "krippendorff_alpha"]
    triples = [(str(u), str(t), frozenset(s)) for t, by in sets.items() for u, s in by.items()]
    assert ours == pytest.approx(AnnotationTask(triples, distance=nltk_masi).alpha(), abs=1e-10)
    masks = np.array([0b0011, 0b0001, 0b0110, 0b1000, 0b1111])
    as_sets = [frozenset(labels[i] for i in range(4) if (m >> i) & 1) for m in masks]
    ref = [[nltk_masi(x, y) for y in as_sets] for x in as_sets]
    np.testing.assert_allclose(masi_distance(masks), ref, atol=1e-12)
