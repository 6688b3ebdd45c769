"""Published worked examples, to 1e-4."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ls_notebook.stats import (
    Ratings,
    brennan_prediger,
    cohen_kappa,
    fleiss_kappa,
    gwet_ac1,
    gwet_ac2,
    krippendorff_alpha,
    percent_agreement,
    scotts_pi,
)

nan = np.nan

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: 4 observers × 12 units.
KRIPP_2011 = np.array(
    [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
        [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
    ]
)

# Fleiss (1971) table as reproduced on Wikipedia ("Fleiss' kappa", worked example): 10 subjects,
# 14 raters, 5 categories; κ = 0.210.
FLEISS_WIKI = np.array(
    [
        [0, 0, 0, 0, 14],
        [0, 2, 6, 4, 2],
        [0, 0, 3, 5, 6],
        [0, 3, 9, 2, 0],
        [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0],
        [3, 2, 6, 3, 0],
        [2, 5, 3, 2, 2],
        [6, 5, 2, 1, 0],
        [0, 2, 2, 3, 7],
    ]
)

# Gwet, Handbook of Inter-Rater Reliability (4th ed.); irrCAC's `cont3x3abstractors` (100 women,
# 2 abstractors); the irrCAC vignette prints κ 0.7964094 (se 0.05891072), π 0.7962397,
# AC1 0.8493305, BP 0.835, α 0.7972585, percent agreement 0.89.
ABSTRACTORS = np.array([[13, 0, 0], [0, 20, 7], [0, 4, 56]])


def _pairs_from_table(table: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    q = table.shape[0]
    cells = np.repeat(np.arange(q * q), table.ravel())
    return cells // q, cells % q


@pytest.mark.parametrize(
    ("level", "expected"),
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_krippendorff_2011_levels(level: str, expected: float) -> None:
    alpha = krippendorff_alpha(KRIPP_2011, level)
    assert alpha == pytest.approx(expected, abs=5e-4)  # the paper prints three decimals
    assert alpha.n_units == 11  # unit 12 has a single value and is dropped
    assert alpha.explanation == ""


def test_krippendorff_2011_nominal_exact() -> None:
    # the paper works with n = 40 pairable values; α_nominal = 0.7434 to four decimals
    assert krippendorff_alpha(KRIPP_2011) == pytest.approx(0.74342, abs=1e-4)


def test_fleiss_wikipedia() -> None:
    kappa = fleiss_kappa(Ratings.from_counts(FLEISS_WIKI))
    assert kappa == pytest.approx(0.2099, abs=1e-4)
    # P̄ = 0.378, P̄e = 0.213 as printed
    assert percent_agreement(Ratings.from_counts(FLEISS_WIKI)) == pytest.approx(0.37802, abs=1e-4)


def test_abstractors_two_rater_coefficients() -> None:
    a, b = _pairs_from_table(ABSTRACTORS)
    kappa = cohen_kappa(a, b)
    assert kappa == pytest.approx(0.7964094, abs=1e-6)
    assert kappa.se == pytest.approx(0.05891072, abs=1e-6)
    assert scotts_pi(a, b) == pytest.approx(0.7962397, abs=1e-6)
    both = np.vstack([a, b])
    assert gwet_ac1(both) == pytest.approx(0.8493305, abs=1e-6)
    assert brennan_prediger(both) == pytest.approx(0.835, abs=1e-6)
    assert krippendorff_alpha(both) == pytest.approx(0.7972585, abs=1e-6)
    assert percent_agreement(both) == pytest.approx(0.89, abs=1e-9)


def test_cohen_wikipedia_example() -> None:
    # Wikipedia "Cohen's kappa": 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no; p_o = 0.7, p_e = 0.5
    a = ["yes"] * 25 + ["no"] * 25
    b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    assert cohen_kappa(a, b) == pytest.approx(0.4, abs=1e-12)


def test_cohen_weighted_hand_computed() -> None:
    # 3 ordered categories, 10 units; worked by hand:
    # table [[3,1,0],[1,2,1],[0,0,2]]; rows (4,4,2), cols (4,3,3) /10.
    # linear weights 1, .5, 0: p_o = .7 + .5 * .3 = .85, p_e = .4*.55 + .4*.65 + .2*.45 = .57,
    # κ = .28 / .43 = 0.65116; quadratic 1, .75, 0: p_o = .925, p_e = .685, κ = .24 / .315 = 0.76190
    table = np.array([[3, 1, 0], [1, 2, 1], [0, 0, 2]])
    a, b = _pairs_from_table(table)
    rows, cols = table.sum(1) / 10, table.sum(0) / 10
    w_lin = 1 - np.abs(np.subtract.outer(range(3), range(3))) / 2
    w_quad = 1 - np.subtract.outer(range(3), range(3)) ** 2 / 4
    for kind, w in (("linear", w_lin), ("quadratic", w_quad)):
        po = (w * table / 10).sum()
        pe = (w * np.outer(rows, cols)).sum()
        assert cohen_kappa(a, b, weights=kind) == pytest.approx((po - pe) / (1 - pe), abs=1e-12)
    assert cohen_kappa(a, b, weights="linear") == pytest.approx(0.65116, abs=1e-4)
    assert cohen_kappa(a, b, weights="quadratic") == pytest.approx(0.76190, abs=1e-4)


def test_gwet_paradox_example() -> None:
    # Gwet (2008): two raters, 125 units, 118 (+,+), 5 (+,-), 2 (-,+), 0 (-,-).
    # p_a = 118/125; pi+ = (123/125 + 120/125)/2; AC1 p_e = (pi+ pi- + pi- pi+) / (q - 1); κ ≈ 0.
    a, b = _pairs_from_table(np.array([[118, 5], [2, 0]]))
    pa = 118 / 125
    pi_pos = (123 / 125 + 120 / 125) / 2
    pe = 2 * pi_pos * (1 - pi_pos)
    assert gwet_ac1(np.vstack([a, b])) == pytest.approx((pa - pe) / (1 - pe), abs=1e-12)
    assert gwet_ac1(np.vstack([a, b])) == pytest.approx(0.94076, abs=1e-4)
    assert cohen_kappa(a, b) == pytest.approx(-0.02339, abs=1e-4)


def test_krippendorff_2011_gwet_family() -> None:
    # Gwet's handbook reuses this table (irrCAC `raw_4raters`); irrCAC's documentation prints
    # AC1 0.77544 (p_e 0.19032), Fleiss 0.76117 (p_e 0.23872), p_a 0.81818; BP = (p_a - 1/5) / (4/5)
    assert gwet_ac1(KRIPP_2011) == pytest.approx(0.77544, abs=1e-4)
    assert fleiss_kappa(KRIPP_2011) == pytest.approx(0.76117, abs=1e-4)
    assert brennan_prediger(KRIPP_2011) == pytest.approx(0.77273, abs=1e-4)
    assert percent_agreement(KRIPP_2011) == pytest.approx(0.81818, abs=1e-4)


def test_ac2_equals_ac1_with_identity_weights() -> None:
    assert gwet_ac2(KRIPP_2011, weights=np.eye(5)) == pytest.approx(float(gwet_ac1(KRIPP_2011)))


def test_long_frame_equals_matrix() -> None:
    r_idx, u_idx = np.nonzero(~np.isnan(KRIPP_2011))
    long = pd.DataFrame(
        {
            "unit": pd.array(u_idx, dtype="int64[pyarrow]"),
            "rater": pd.array([f"obs{i}" for i in r_idx], dtype="string[pyarrow]"),
            "value": pd.array(KRIPP_2011[r_idx, u_idx], dtype="double[pyarrow]"),
        }
    )
    expected = float(krippendorff_alpha(KRIPP_2011, "interval"))
    assert krippendorff_alpha(long, "interval") == pytest.approx(expected)
    renamed = long.rename(columns={"unit": "task_id", "rater": "annotator", "value": "number"})
    got = fleiss_kappa(renamed, unit="task_id", rater="annotator", value="number")
    assert got == pytest.approx(float(fleiss_kappa(KRIPP_2011)))


def test_ac2_and_weighted_fleiss_by_the_handbook_formulas() -> None:
    # Gwet's handbook, ch. 2-3, written out with explicit loops over the Krippendorff table
    data = KRIPP_2011
    cats = [1.0, 2.0, 3.0, 4.0, 5.0]
    q = len(cats)
    w = np.array([[1 - abs(k - j) / (q - 1) for j in range(q)] for k in range(q)])  # linear weights
    units = [col[~np.isnan(col)] for col in data.T]
    r_ik = np.array([[np.sum(u == c) for c in cats] for u in units], dtype=float)
    r_i = r_ik.sum(axis=1)
    star = r_ik @ w
    two = r_i >= 2
    pa = np.mean([(r_ik[i] * (star[i] - 1)).sum() / (r_i[i] * (r_i[i] - 1)) for i in np.flatnonzero(two)])
    pi = (r_ik / r_i[:, None]).mean(axis=0)
    pe_ac2 = w.sum() / (q * (q - 1)) * (pi * (1 - pi)).sum()
    pe_fleiss = (w * np.outer(pi, pi)).sum()
    assert gwet_ac2(data, weights="linear") == pytest.approx((pa - pe_ac2) / (1 - pe_ac2), abs=1e-12)
    assert fleiss_kappa(data, weights="linear") == pytest.approx(
        (pa - pe_fleiss) / (1 - pe_fleiss), abs=1e-12
    )
    assert percent_agreement(data, weights="linear") == pytest.approx(pa, abs=1e-12)


# Fleiss (1971), "Measuring nominal scale agreement among many raters", Table 1: 30 patients, 6
# psychiatrists each (not the same six), 5 diagnoses (1 depression, 2 personality disorder,
# 3 schizophrenia, 4 neurosis, 5 other). The paper prints p_j = .144 .144 .167 .306 .239,
# P̄ = .556, P̄e = .220 and κ = .430.
FLEISS_1971 = np.array(
    [
        [4, 4, 4, 4, 4, 4], [2, 2, 2, 5, 5, 5], [2, 3, 3, 3, 3, 5], [5, 5, 5, 5, 5, 5],
        [2, 2, 2, 4, 4, 4], [1, 1, 3, 3, 3, 3], [3, 3, 3, 3, 5, 5], [1, 1, 3, 3, 3, 4],
        [1, 1, 4, 4, 4, 4], [5, 5, 5, 5, 5, 5], [1, 4, 4, 4, 4, 4], [1, 2, 4, 4, 4, 4],
        [2, 2, 2, 3, 3, 3], [1, 4, 4, 4, 4, 4], [2, 2, 4, 4, 4, 5], [3, 3, 3, 3, 3, 5],
        [1, 1, 1, 4, 5, 5], [1, 1, 1, 1, 1, 2], [2, 2, 4, 4, 4, 4], [1, 3, 3, 5, 5, 5],
        [5, 5, 5, 5, 5, 5], [2, 4, 4, 4, 4, 4], [2, 2, 4, 5, 5, 5], [1, 1, 4, 4, 4, 4],
        [1, 4, 4, 4, 4, 5], [2, 2, 2, 2, 2, 4], [1, 1, 1, 1, 5, 5], [2, 2, 4, 4, 4, 4],
        [1, 3, 3, 3, 3, 3], [5, 5, 5, 5, 5, 5],
    ]
)  # fmt: skip


def test_fleiss_1971_table_1() -> None:
    counts = (FLEISS_1971[:, :, None] == np.arange(1, 6)).sum(axis=1)
    r = Ratings.from_counts(counts)
    np.testing.assert_allclose(
        counts.sum(axis=0) / counts.sum(), [0.144, 0.144, 0.167, 0.306, 0.239], atol=5e-4
    )
    assert percent_agreement(r) == pytest.approx(0.556, abs=5e-4)  # P̄ (exactly 5/9)
    assert percent_agreement(r) == pytest.approx(5 / 9, abs=1e-12)
    kappa = fleiss_kappa(r)
    assert kappa == pytest.approx(0.430, abs=5e-4)  # the paper prints three decimals
    p_e = ((counts.sum(axis=0) / counts.sum()) ** 2).sum()
    assert p_e == pytest.approx(0.220, abs=5e-4)
    assert kappa == pytest.approx((5 / 9 - p_e) / (1 - p_e), abs=1e-12)
    # the same data as a long frame of (patient, rater slot, diagnosis): rater slots are arbitrary
    long = pd.DataFrame(
        {
            "unit": np.repeat(np.arange(30), 6),
            "rater": np.tile(np.arange(6), 30),
            "value": FLEISS_1971.ravel(),
        }
    )
    assert fleiss_kappa(long) == pytest.approx(float(kappa), abs=1e-12)


# Cohen (1968), "Weighted kappa", the example table (proportions of n = 200; rows rater A, columns
# rater B) with disagreement weights v; Cohen reports κ = .492, κw = .348 and, for the asymmetric
# weights, κw = .353. Exact values: .29/.59 and 1 - .90/1.38.
COHEN_1968 = np.array([[88, 14, 18], [10, 40, 10], [2, 6, 12]])


def test_cohen_1968_weighted_example() -> None:
    a, b = _pairs_from_table(COHEN_1968)
    assert cohen_kappa(a, b) == pytest.approx(0.492, abs=5e-4)
    assert cohen_kappa(a, b) == pytest.approx(0.29 / 0.59, abs=1e-4)
    v = np.array([[0, 1, 3], [1, 0, 6], [3, 6, 0]])
    # agreement weights 1 - v / max(v): κw does not change under this linear rescaling
    kw = cohen_kappa(a, b, weights=1 - v / 6)
    assert kw == pytest.approx(0.348, abs=5e-4)
    assert kw == pytest.approx(1 - 0.90 / 1.38, abs=1e-4)
    v_asym = np.array([[0, 1, 4], [1, 0, 6], [2, 2, 0]])
    assert cohen_kappa(a, b, weights=1 - v_asym / 6) == pytest.approx(0.353, abs=5e-4)
