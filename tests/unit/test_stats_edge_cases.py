"""Undefined statistics, odd inputs and bootstrap intervals."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pandas as pd
import pytest

from ls_notebook.errors import DataError
from ls_notebook.stats import (
    Estimate,
    as_ratings,
    brennan_prediger,
    cohen_kappa,
    fleiss_kappa,
    gwet_ac1,
    gwet_ac2,
    krippendorff_alpha,
    percent_agreement,
)

ALL = [fleiss_kappa, gwet_ac1, gwet_ac2, brennan_prediger, percent_agreement, krippendorff_alpha]


@pytest.mark.parametrize("metric", [fleiss_kappa, krippendorff_alpha])
def test_all_identical_is_nan_with_explanation(metric) -> None:
    value = metric([["a", "a", "a"], ["a", "a", "a"]])
    assert math.isnan(value)
    assert "0/0" in value.explanation
    assert percent_agreement([["a", "a", "a"], ["a", "a", "a"]]) == 1.0


def test_cohen_identical_constant_raters_is_nan() -> None:
    k = cohen_kappa(["x", "x", "x"], ["x", "x", "x"])
    assert math.isnan(k) and "0/0" in k.explanation


@pytest.mark.parametrize("metric", ALL)
def test_single_rater_is_nan(metric) -> None:
    value = metric([[1, 2, 3, 1]])
    assert math.isnan(value)
    assert "two or more" in value.explanation
    assert value.n_units == 0


@pytest.mark.parametrize("metric", ALL)
def test_empty_long_frame_is_nan(metric) -> None:
    empty = pd.DataFrame({"unit": [], "rater": [], "value": []})
    value = metric(empty)
    assert math.isnan(value) and value.explanation


def test_units_with_single_rating_are_dropped_by_alpha() -> None:
    data = np.array([[1, 2, 3, np.nan], [1, 2, 2, 4.0]])
    assert krippendorff_alpha(data).n_units == 3
    assert krippendorff_alpha(data) == pytest.approx(float(krippendorff_alpha(data[:, :3])))


def test_duplicate_rating_is_an_actionable_error() -> None:
    df = pd.DataFrame({"unit": [1, 1], "rater": ["a", "a"], "value": ["x", "y"]})
    with pytest.raises(DataError, match="drop_duplicates"):
        fleiss_kappa(df)


def test_unknown_category_and_bad_weights() -> None:
    with pytest.raises(DataError, match="not among categories"):
        fleiss_kappa([["a", "b"], ["a", "c"]], categories=["a", "b"])
    with pytest.raises(DataError, match="weights="):
        gwet_ac2([[1, 2], [1, 2]], weights="cubic")
    with pytest.raises(DataError, match="level="):
        krippendorff_alpha([[1, 2], [1, 2]], "circular")
    with pytest.raises(DataError, match="numeric"):
        krippendorff_alpha([["a", "b"], ["a", "b"]], "interval")
    with pytest.raises(DataError, match="exactly two raters"):
        cohen_kappa([[1, 2], [1, 2], [2, 2]])


def test_unused_categories_change_ac1_and_bp() -> None:
    data = [["a", "b", "a", "a"], ["a", "b", "b", "a"]]
    assert brennan_prediger(data, categories=["a", "b", "c"]) > brennan_prediger(data)
    assert gwet_ac1(data, categories=["a", "b", "c"]) != gwet_ac1(data)


def test_bootstrap_is_seeded_and_brackets_the_estimate() -> None:
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 3, 400)
    data = np.where(rng.random((3, 400)) < 0.7, truth, rng.integers(0, 3, (3, 400))).astype(float)
    data[rng.random(data.shape) < 0.1] = np.nan
    for metric in ALL:
        a = metric(data, ci=0.95, n_boot=300, seed=1)
        b = metric(data, ci=0.95, n_boot=300, seed=1)
        assert a.ci == b.ci
        assert a.ci[0] < a < a.ci[1]
        assert 0 < a.se < 0.2
        assert a.ci_level == 0.95
    for level in ("ordinal", "interval", "ratio"):
        a = krippendorff_alpha(data + 1, level, ci=0.9, n_boot=200, seed=2)
        assert a.ci[0] < a < a.ci[1]
    k = cohen_kappa(data[0], data[1], ci=0.95, n_boot=300)
    assert k.ci[0] < k < k.ci[1]


def test_bootstrap_matches_a_slow_resample() -> None:
    rng = np.random.default_rng(5)
    data = rng.integers(0, 3, (3, 60)).astype(float)
    fast = krippendorff_alpha(data, ci=0.95, n_boot=50, seed=7)
    # the same multinomial draws, one replicate at a time
    gen = np.random.default_rng(7)
    idx = gen.integers(0, 60, size=(50, 60))
    slow = [float(krippendorff_alpha(data[:, row])) for row in idx]
    assert fast.se == pytest.approx(np.std(slow, ddof=1), rel=1e-9)


def test_bad_ci_level() -> None:
    with pytest.raises(DataError, match="ci="):
        fleiss_kappa([[1, 2], [1, 2]], ci=95)


def test_estimate_is_a_float_and_pickles() -> None:
    e = Estimate(0.5, se=0.1, ci=(0.3, 0.7), ci_level=0.95, n_units=3, explanation="note")
    back = pickle.loads(pickle.dumps(e))
    assert back == 0.5 and back.ci == (0.3, 0.7) and back.explanation == "note"
    assert f"{e:.2f}" == "0.50"
    assert "ci=(0.3, 0.7)" in repr(e)


def test_matrix_inputs_lists_objects_and_frames() -> None:
    r = as_ratings([["a", None, "b"], ["a", "b", "b"]])
    assert r.n_units == 3 and r.n_raters == 2 and r.n_ratings == 5
    wide = pd.DataFrame([[1, np.nan], [1, 2]], index=["ann", "bob"], columns=["t1", "t2"])
    r = as_ratings(wide)
    assert list(r.raters) == ["ann", "bob"] and list(r.units) == ["t1", "t2"]
    with pytest.raises(DataError, match="1-D"):
        as_ratings([1, 2, 3])
