"""The fast paths of agreement() give the same answers as the general ones they short-cut.

Each fast path (one-value columns found by buffer comparison, the annotator hashing split over two
threads, frame-wide label codes, the one-hot Gram product for pairwise tables, totals without
per-unit matrices) is checked against the path it replaces on the same data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import ls_notebook.stats._categorical as categorical_mod
import ls_notebook.stats._frame as frame_mod
from ls_notebook import agreement
from ls_notebook.stats import as_ratings, fleiss_kappa, gwet_ac1, krippendorff_alpha, percent_agreement
from ls_notebook.stats._alpha import alpha_plan
from ls_notebook.stats._categorical import joint_tables, pairwise_matrices
from ls_notebook.stats._frame import _constant
from ls_notebook.stats._matrix import Ratings, encode
from ls_notebook.stats._multirater import chance_bp, chance_fleiss, chance_gwet, multirater_plan

from ._pull_frames import choice, frame


def _series(arr: pa.ChunkedArray) -> pd.Series:
    return pd.Series(pd.arrays.ArrowExtensionArray(arr))


@pytest.mark.parametrize(
    ("chunks", "expected"),
    [
        ([pa.array(["ab", "ab"]), pa.array(["ab"])], "ab"),
        ([pa.array(["ab", "ab", "ac"])], None),
        ([pa.array(["ab"]), pa.array(["ba"])], None),
        ([pa.array(["ab", "abc", "ab"]).slice(1)], None),  # sliced: offsets do not start at 0
        ([pa.array(["ab", "abc", "abc"]).slice(1)], "abc"),
        ([pa.array(["abab", "ab", "ab"])], None),  # same bytes in total, different lengths
        ([pa.array(["ab", "ab", "ba"])], None),  # same lengths, different bytes
        ([pa.array(["", ""])], ""),
        ([pa.array(["x", None])], None),
        ([pa.array(["é", "é"], pa.large_string())], "é"),
        ([pa.array(["ab", "ab"]).dictionary_encode(), pa.array(["ab"]).dictionary_encode()], "ab"),
        ([pa.array(["ab"]).dictionary_encode(), pa.array(["ac"]).dictionary_encode()], None),
        ([pa.DictionaryArray.from_arrays(pa.array([1, 1], pa.int32()), ["zz", "ab"])], "ab"),
    ],
)
def test_constant_column_by_buffers(chunks: list[pa.Array], expected: str | None) -> None:
    col = _series(pa.chunked_array(chunks))
    assert _constant(col) == expected
    if expected is not None:  # what hashing says too
        assert col.nunique() == 1 and col.iloc[0] == expected


@pytest.mark.parametrize(
    "arr",
    [
        pa.chunked_array([pa.array(["b", "a", None, "c", "a"])]),
        pa.chunked_array([pa.array(["b", "a", None, "c", "a"]).dictionary_encode()]),
        pa.chunked_array([pa.DictionaryArray.from_arrays(pa.array([3, 1, None, 3], pa.int32()), [*"zbqa"])]),
        pa.chunked_array([pa.array([*"ab"]).dictionary_encode(), pa.array([*"ca"]).dictionary_encode()]),
        pa.chunked_array([pa.array([5.0, 1.5, None, 1.5])]),
    ],
)
def test_encode_remaps_match_pandas_factorize(arr: pa.ChunkedArray) -> None:
    codes, uniques = encode(_series(arr), sort=True)
    ref_codes, ref_uniques = pd.factorize(pd.Series(arr.to_pylist(), dtype=object), sort=True)
    assert list(uniques) == list(ref_uniques)
    assert codes.tolist() == ref_codes.tolist()


def _big_frame(n_units: int, n_raters: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 4, n_units)
    data = np.where(rng.random((n_raters, n_units)) < 0.7, truth, rng.integers(0, 4, (n_raters, n_units)))
    r_idx, u_idx = np.nonzero(rng.random(data.shape) > 0.2)
    order = rng.permutation(len(r_idx))  # not task by task: the halves see different annotators
    r_idx, u_idx = r_idx[order], u_idx[order]
    names = np.array(["neg", "neu", "pos", "mixed"])
    users = np.array([f"user{i:02d}@x.org" for i in rng.permutation(n_raters)])
    n = len(r_idx)
    table = pa.table(
        {
            "task_id": pa.array(u_idx + 1, pa.int64()),
            "annotation_id": pa.array(np.arange(1, n + 1), pa.int64()),
            "annotator": pa.array(users[r_idx]),
            "was_cancelled": pa.array(np.zeros(n, dtype=bool)),
            "from_name": pa.array(["sentiment"] * n),
            "type": pa.array(["choices"] * n),
            "label": pa.array(names[data[r_idx, u_idx]]),
            "source": pa.array(["annotation"] * n),
        }
    )
    return table.to_pandas(types_mapper=pd.ArrowDtype)


def _assert_reports_equal(a: object, b: object, same_dtypes: bool = True) -> None:
    for name in ("summary", "pairwise", "per_annotator", "per_task", "label_counts"):
        pd.testing.assert_frame_equal(
            getattr(a, name),
            getattr(b, name),
            check_exact=False,
            rtol=1e-12,
            check_dtype=same_dtypes,
            check_categorical=same_dtypes,
        )


def test_annotator_hashing_split_over_two_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    df = _big_frame(3000, 7, seed=1)
    monkeypatch.setattr(frame_mod, "_SPLIT_ROWS", 10**12)
    whole = agreement(df)
    monkeypatch.setattr(frame_mod, "_SPLIT_ROWS", 10)
    split = agreement(df)
    _assert_reports_equal(whole, split)
    assert list(split.per_annotator["annotator"]) == sorted(split.per_annotator["annotator"])


@pytest.mark.parametrize("dictionary", [False, True])
def test_long_frame_values_hashed_beside_the_raters(
    monkeypatch: pytest.MonkeyPatch, dictionary: bool
) -> None:
    import ls_notebook.stats._matrix as matrix_mod

    df = _big_frame(3000, 7, seed=2).rename(
        columns={"task_id": "unit", "annotator": "rater", "label": "value"}
    )
    if dictionary:
        df["value"] = pd.Series(
            pd.arrays.ArrowExtensionArray(df["value"].array._pa_array.dictionary_encode()), index=df.index
        )
    cols = df[["unit", "rater", "value"]]
    monkeypatch.setattr(matrix_mod, "_OVERLAP_ROWS", 10**12)
    plain = as_ratings(cols)
    monkeypatch.setattr(matrix_mod, "_OVERLAP_ROWS", 10)
    overlapped = as_ratings(cols)
    assert overlapped.value.tolist() == plain.value.tolist()
    assert list(overlapped.categories) == list(plain.categories) == sorted(plain.categories)
    obj = cols.astype(object)
    assert float(krippendorff_alpha(cols)) == pytest.approx(float(krippendorff_alpha(obj)), rel=1e-12)


def test_plain_object_and_dictionary_frames_agree() -> None:
    df = _big_frame(2000, 5, seed=2)
    ref = agreement(df)
    objects = df.astype({c: object for c in ("annotator", "from_name", "type", "label", "source")})
    objects = objects.astype({"task_id": "int64", "annotation_id": "int64", "was_cancelled": bool})
    _assert_reports_equal(ref, agreement(objects), same_dtypes=False)  # object vs str columns
    dictionary = df.assign(
        **{
            c: pd.Series(
                pd.arrays.ArrowExtensionArray(
                    pa.chunked_array([df[c].array._pa_array.combine_chunks().dictionary_encode()])
                ),
                index=df.index,
            )
            for c in ("annotator", "from_name", "type", "label", "source")
        }
    )
    _assert_reports_equal(ref, agreement(dictionary))


def test_two_tags_use_their_own_labels_from_the_shared_codes() -> None:
    # labels of one tag must not leak into the other's categories
    df = frame(
        {
            1: {1: [choice("pos"), choice("red", "color")], 2: [choice("neg"), choice("red", "color")]},
            2: {1: [choice("pos"), choice("blue", "color")], 2: [choice("pos"), choice("red", "color")]},
        }
    )
    report = agreement(df)
    counts = report.label_counts
    assert set(counts.loc[counts["from_name"] == "color", "label"]) == {"blue", "red"}
    assert set(counts.loc[counts["from_name"] == "sentiment", "label"]) == {"neg", "pos"}
    assert report.summary.loc["color", "percent_agreement"] == pytest.approx(0.5)


def _random_ratings(seed: int, n_units: int = 400, n_raters: int = 6, q: int = 5) -> Ratings:
    rng = np.random.default_rng(seed)
    data = rng.integers(0, q, (n_raters, n_units)).astype(float)
    data[rng.random(data.shape) < 0.3] = np.nan
    return as_ratings(data)


def test_gram_pairwise_tables_match_the_indicator_products() -> None:
    r = _random_ratings(3)
    joint = joint_tables(r)
    assert joint is not None
    fast = pairwise_matrices(r, True, joint)
    # the general path (a loop over categories of indicator products) on a copy without the Gram
    slow = pairwise_matrices(Ratings(r.unit, r.rater, r.value, r.units, r.raters, r.categories), True, None)
    for got, want in zip(fast, slow, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-12, equal_nan=True)
    # and Cohen's κ of one pair from its own table
    mat = r.rater_matrix()
    both = (mat[:, 0] >= 0) & (mat[:, 1] >= 0)
    table = np.zeros((r.n_categories, r.n_categories))
    np.add.at(table, (mat[both, 0], mat[both, 1]), 1)
    np.testing.assert_allclose(joint[0, :, 1, :], table)


@pytest.mark.parametrize(("n_raters", "q"), [(6, 5), (3, 2), (1, 4), (9, 3)])
def test_joint_tables_by_answer_pattern_match_the_unit_gram_product(
    monkeypatch: pytest.MonkeyPatch, n_raters: int, q: int
) -> None:
    r = _random_ratings(7, n_units=500, n_raters=n_raters, q=q)
    by_pattern = (q + 1) ** n_raters <= categorical_mod._PATTERN_MAX
    got = joint_tables(r)
    monkeypatch.setattr(categorical_mod, "_PATTERN_MAX", 0 if by_pattern else 10**12)
    other = joint_tables(Ratings(r.unit, r.rater, r.value, r.units, r.raters, r.categories))
    assert got is not None and other is not None
    np.testing.assert_array_equal(got, other)
    assert got.sum() == (np.bincount(r.unit) ** 2).sum()  # each unit adds m_u² (rater, rater) cells


def test_one_blas_thread_from_two_threads_restores_the_setting() -> None:
    # the limit is process-wide: overlapping blocks on two threads must leave BLAS as it was
    import threading

    from threadpoolctl import threadpool_info

    from ls_notebook.stats._blas import one_blas_thread

    def blas_threads() -> list[int]:
        return [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]

    before = blas_threads()
    inside, release = threading.Event(), threading.Event()

    def hold() -> None:
        with one_blas_thread():
            inside.set()
            release.wait(10)

    worker = threading.Thread(target=hold)
    worker.start()
    assert inside.wait(10)
    with one_blas_thread():
        assert all(n == 1 for n in blas_threads())
        release.set()
        worker.join()
        assert all(n == 1 for n in blas_threads())  # still inside this thread's block
    assert blas_threads() == before


@pytest.mark.parametrize("chance", [None, chance_fleiss, chance_gwet, chance_bp])
def test_multirater_totals_equal_the_per_unit_matrix_sums(chance: object) -> None:
    r = _random_ratings(4)
    plan = multirater_plan(r, np.eye(r.n_categories), chance)
    assert plan.total is not None  # the fast path: no per-unit matrix for a point estimate
    np.testing.assert_allclose(plan.total, np.asarray(plan.matrix().sum(axis=0)).ravel(), rtol=1e-12)


def test_alpha_totals_equal_the_per_unit_matrix_sums() -> None:
    r = _random_ratings(5)
    plan = alpha_plan(r, "nominal")
    assert plan.total is not None
    np.testing.assert_allclose(plan.total, np.asarray(plan.matrix().sum(axis=0)).ravel(), rtol=1e-12)


@pytest.mark.parametrize("metric", [percent_agreement, fleiss_kappa, gwet_ac1, krippendorff_alpha])
def test_bootstrap_builds_the_deferred_matrix(metric: object) -> None:
    r = _random_ratings(6)
    est = metric(r, ci=0.9, n_boot=50, seed=1)
    assert est.ci is not None and est.ci[0] <= float(est) <= est.ci[1]


def _alpha_in_child(df: pd.DataFrame, queue: object) -> None:
    queue.put(float(agreement(df).summary.iloc[0]["krippendorff_alpha"]))


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs os.fork")
def test_agreement_in_a_forked_child_gets_its_own_helper_thread() -> None:
    # the parent's helper thread does not exist in a forked child: a stale executor would take the
    # job and never run it (the child would hang); the executor is re-created per process
    import multiprocessing

    df = _big_frame(30_000, 5, seed=9)  # ≥ 100k rows: the annotator hashing is split over threads
    assert len(df) >= frame_mod._SPLIT_ROWS
    expected = float(agreement(df).summary.iloc[0]["krippendorff_alpha"])  # helper thread started
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_alpha_in_child, args=(df, queue))
    child.start()
    got = queue.get()  # a hang here is caught by pytest-timeout's guard
    child.join()
    assert child.exitcode == 0 and got == pytest.approx(expected, abs=1e-12)
