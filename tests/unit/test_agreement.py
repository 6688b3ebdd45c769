"""agreement(): per control tag, from frames built by the real pull flattening code."""

from __future__ import annotations

import math

import krippendorff
import numpy as np
import pandas as pd
import pytest

from ls_notebook import DataError, agreement
from ls_notebook.stats import AgreementReport, cohen_kappa, fleiss_kappa

from ._pull_frames import box, choice, frame, item, span

A, B, C = "ann@x.org", "bob@x.org", "cat@x.org"


def _choices_frame() -> pd.DataFrame:
    labels = {
        1: ("pos", "pos", "pos"),
        2: ("neg", "pos", "neg"),
        3: ("neu", "neu", None),
        4: ("pos", "neg", "neu"),
        5: ("neg", "neg", "neg"),
    }
    return frame(
        {
            t: {u + 1: [choice(lab)] for u, lab in enumerate(labs) if lab is not None}
            for t, labs in labels.items()
        }
    )


def test_choices_summary_matches_direct_metrics() -> None:
    df = _choices_frame()
    report = agreement(df)
    assert isinstance(report, AgreementReport)
    row = report.summary.loc["sentiment"]
    assert row["kind"] == "choices" and row["n_tasks"] == 5 and row["n_annotators"] == 3
    assert row["n_annotations"] == 14
    long = pd.DataFrame({"unit": df["task_id"], "rater": df["annotator"], "value": df["label"]})
    assert row["fleiss_kappa"] == pytest.approx(float(fleiss_kappa(long)))
    mat = long.pivot(index="rater", columns="unit", values="value")
    codes = mat.apply(lambda s: s.map({"neg": 0, "neu": 1, "pos": 2})).to_numpy(dtype=float)
    ref = krippendorff.alpha(reliability_data=codes, level_of_measurement="nominal")
    assert row["krippendorff_alpha"] == pytest.approx(ref)


def test_pairwise_matrix_and_kappa() -> None:
    df = _choices_frame()
    report = agreement(df)
    pw = report.pairwise.set_index(["annotator_a", "annotator_b"])
    assert pw.loc[(A, B), "n_tasks"] == 5 and pw.loc[(A, C), "n_tasks"] == 4
    assert pw.loc[(A, B), "agreement"] == pytest.approx(3 / 5)
    a = ["pos", "neg", "neu", "pos", "neg"]
    b = ["pos", "pos", "neu", "neg", "neg"]
    assert pw.loc[(A, B), "cohen_kappa"] == pytest.approx(float(cohen_kappa(a, b)))
    mat = report.matrix("sentiment")
    assert mat.loc[A, B] == mat.loc[B, A] == pytest.approx(0.6)
    assert report.matrix("sentiment", "n_tasks").loc[A, A] == 5
    light = np.mean(report.pairwise["cohen_kappa"])
    assert report.summary.loc["sentiment", "cohen_kappa"] == pytest.approx(light)


def test_per_task_sorted_and_per_annotator() -> None:
    report = agreement(_choices_frame())
    pt = report.per_task
    assert pt["task_id"].iloc[0] == 4  # three different labels
    assert pt["disagreement"].iloc[0] == pytest.approx(1.0)
    assert pt.set_index("task_id").loc[1, "disagreement"] == 0.0
    assert pt.set_index("task_id").loc[1, "consensus"] == "pos"
    pa = report.per_annotator.set_index("annotator")
    # ann agrees with the others' majority on tasks 1, 2 (bob/cat split → ann's neg is a top label), 3, 5
    assert pa.loc[A, "agreement_with_consensus"] == pytest.approx(4 / 5)
    assert pa.loc[A, "n_tasks"] == 5


def test_cancelled_and_superseded_annotations_are_excluded() -> None:
    df = frame(
        {1: {1: [choice("pos")], 2: [choice("neg")]}, 2: {1: [choice("pos")], 2: [choice("pos")]}}, {(1, 2)}
    )
    report = agreement(df)
    assert report.summary.loc["sentiment", "n_annotations"] == 3
    assert any("cancelled" in n for n in report.notes)
    with_cancelled = agreement(df, include_cancelled=True)
    assert with_cancelled.summary.loc["sentiment", "n_annotations"] == 4


def test_latest_annotation_wins() -> None:
    df = frame({1: {1: [choice("pos")], 2: [choice("pos")]}})
    again = df.iloc[[1]].copy()
    again["annotation_id"] = pd.array([99], dtype="int64[pyarrow]")
    again["label"] = pd.array(["neg"], dtype="string[pyarrow]")
    report = agreement(pd.concat([df, again], ignore_index=True))
    assert report.summary.loc["sentiment", "percent_agreement"] == 0.0
    assert any("superseded" in n for n in report.notes)


def test_all_identical_gives_nan_with_explanation_not_a_warning() -> None:
    df = frame({t: {1: [choice("pos")], 2: [choice("pos")]} for t in range(1, 4)})
    row = agreement(df).summary.loc["sentiment"]
    assert row["percent_agreement"] == 1.0
    assert math.isnan(row["fleiss_kappa"]) and math.isnan(row["krippendorff_alpha"])
    assert "0/0" in row["explanation"]


def test_one_annotator() -> None:
    df = frame({1: {1: [choice("pos")]}, 2: {1: [choice("neg")]}})
    report = agreement(df)
    row = report.summary.loc["sentiment"]
    assert row["n_annotators"] == 1 and math.isnan(row["krippendorff_alpha"])
    assert "two or more" in row["explanation"]
    assert len(report.pairwise) == 0
    assert report.per_task["disagreement"].isna().all()


def test_task_with_one_annotation_is_not_counted_in_alpha() -> None:
    df = frame(
        {
            1: {1: [choice("pos")], 2: [choice("pos")]},
            2: {1: [choice("neg")], 2: [choice("pos")]},
            3: {1: [choice("neg")]},
        }
    )
    assert agreement(df).estimates["sentiment"]["krippendorff_alpha"].n_units == 2


def test_empty_frame() -> None:
    from ls_notebook.annotations import empty_table, to_long

    report = agreement(to_long(empty_table()))
    assert len(report.summary) == 0 and report.notes
    assert "nothing" in report._repr_html_() or "no annotations" in report._repr_html_()


def test_missing_columns_and_bad_arguments() -> None:
    with pytest.raises(DataError, match="task_id"):
        agreement(pd.DataFrame({"annotator": ["a"]}))
    df = _choices_frame()
    with pytest.raises(DataError, match="from_name"):
        agreement(df, from_name="nope")
    with pytest.raises(DataError, match="metrics"):
        agreement(df, metrics=["accuracy"])
    with pytest.raises(DataError, match="mode"):
        agreement(df, mode="fuzzy")


def test_plain_numpy_dtypes_give_the_same_report() -> None:
    df = _choices_frame()
    plain = df[["task_id", "annotator", "from_name", "type", "label", "annotation_id"]].astype(
        {
            "task_id": "int64",
            "annotation_id": "int64",
            "annotator": object,
            "from_name": object,
            "type": object,
            "label": object,
        }
    )
    a, b = agreement(df).summary, agreement(plain).summary
    pd.testing.assert_frame_equal(a, b, check_dtype=False)


def test_ratings_use_ordinal_alpha_and_numbers_interval() -> None:
    vals = {1: (1, 2, 1), 2: (4, 5, 5), 3: (3, 3, 2), 4: (5, 5, 4)}
    df = frame(
        {
            t: {
                u + 1: [item("stars", "rating", {"rating": v}), item("score", "number", {"number": v * 10})]
                for u, v in enumerate(vs)
            }
            for t, vs in vals.items()
        }
    )
    report = agreement(df)
    data = np.array([vs for vs in vals.values()], dtype=float).T
    stars = report.summary.loc["stars"]
    assert stars["level"] == "ordinal"
    assert stars["krippendorff_alpha"] == pytest.approx(
        krippendorff.alpha(data, level_of_measurement="ordinal")
    )
    score = report.summary.loc["score"]
    assert score["level"] == "interval"
    assert score["krippendorff_alpha"] == pytest.approx(
        krippendorff.alpha(data * 10, level_of_measurement="interval")
    )
    report2 = agreement(df, level={"stars": "interval"})
    assert report2.summary.loc["stars", "level"] == "interval"
    pt = report.per_task[report.per_task["from_name"] == "stars"].set_index("task_id")
    assert pt.loc[2, "consensus"] == pytest.approx(14 / 3)
    assert 0 < pt.loc[1, "disagreement"] < 1


def test_numeric_per_task_values_stay_with_their_task() -> None:
    # the per-task table is ordered by disagreement, not by task: each row's consensus (mean) and
    # disagreement must still be its own task's
    vals = {1: (3, 3), 2: (1, 5), 3: (2, 2), 4: (4, 2)}
    df = frame(
        {
            t: {u + 1: [item("stars", "rating", {"rating": v})] for u, v in enumerate(vs)}
            for t, vs in vals.items()
        }
    )
    pt = agreement(df).per_task.set_index("task_id")
    for task, vs in vals.items():
        assert pt.loc[task, "consensus"] == pytest.approx(np.mean(vs))
        assert (pt.loc[task, "disagreement"] == 0) == (vs[0] == vs[1])
    assert int(agreement(df).per_task["task_id"].iloc[0]) == 2  # the widest spread first


def test_multilabel_choices_masi_and_per_label() -> None:
    sets = {1: (["a", "b"], ["a", "b"]), 2: (["a"], ["a", "b"]), 3: (["b"], ["c"]), 4: (["c"], ["c"])}
    df = frame({t: {u + 1: [choice(s, "topics")] for u, s in enumerate(ss)} for t, ss in sets.items()})
    report = agreement(df)
    row = report.summary.loc["topics"]
    assert row["kind"] == "multilabel"
    assert row["percent_agreement"] == pytest.approx(0.5)
    # α with MASI distance by hand: sets {ab, a, b, c}; pairs within tasks: (ab,ab), (a,ab), (b,c), (c,c)
    vals = ["ab", "ab", "a", "ab", "b", "c", "c", "c"]
    n = len(vals)

    def d(x: str, y: str) -> float:
        return _masi(x, y)

    observed = sum(2 * d(x, y) for x, y in [("ab", "ab"), ("a", "ab"), ("b", "c"), ("c", "c")])
    expected = sum(d(x, y) for i, x in enumerate(vals) for j, y in enumerate(vals) if i != j) / (n - 1)
    assert row["krippendorff_alpha"] == pytest.approx(1 - observed / expected)
    per_label = report.per_label.set_index("label")
    assert set(per_label.index) == {"a", "b", "c"}
    assert per_label.loc["c", "percent_agreement"] == pytest.approx(3 / 4)
    assert per_label.loc["a", "n_positive"] == 4
    assert _masi("a", "ab") == pytest.approx(1 - 0.5 * 2 / 3)


def _masi(x: str, y: str) -> float:
    sx, sy = set(x), set(y)
    jac = len(sx & sy) / len(sx | sy)
    mono = 1 if sx == sy else 2 / 3 if (sx <= sy or sy <= sx) else 1 / 3 if sx & sy else 0
    return 1 - jac * mono


def test_text_areas_exact_after_normalisation_and_similarity() -> None:
    def text(s: str) -> list[dict]:
        return [item("comment", "textarea", {"text": [s]})]

    df = frame({1: {1: text("Hello  World"), 2: text("hello world ")}, 2: {1: text("cat"), 2: text("cart")}})
    report = agreement(df)
    row = report.summary.loc["comment"]
    assert row["kind"] == "text"
    assert row["percent_agreement"] == pytest.approx(0.5)
    assert row["similarity"] == pytest.approx((1.0 + 2 * 3 / 7) / 2)
    pt = report.per_task.set_index("task_id")
    assert pt.loc[1, "disagreement"] == pytest.approx(0.0)
    assert pt.loc[2, "disagreement"] == pytest.approx(1 - 6 / 7)


def test_spans_f1_modes_and_missing_regions() -> None:
    df = frame(
        {
            1: {1: [span(0, 5, "PER"), span(10, 15, "LOC")], 2: [span(0, 5, "PER"), span(10, 14, "LOC")]},
            2: {1: [span(3, 8, "ORG")], 2: [span(3, 8, "PER")]},
            3: {1: [span(0, 2, "PER")], 2: []},  # bob annotated task 3 with no span
        }
    )
    strict = agreement(df, mode="strict").summary.loc["ner"]
    assert strict["kind"] == "spans"
    assert strict["f1"] == pytest.approx(2 * 1 / 7)  # 1 match; ann has 4 spans, bob 3
    assert agreement(df, mode="exact").summary.loc["ner", "f1"] == pytest.approx(2 * 2 / 7)
    assert agreement(df, mode="type").summary.loc["ner", "f1"] == pytest.approx(2 * 2 / 7)
    # SemEval partial: the exact PER and the ORG/PER with equal bounds count 1, the LOC overlap 0.5
    assert agreement(df, mode="partial").summary.loc["ner", "f1"] == pytest.approx(2 * 2.5 / 7)
    assert agreement(df, mode="overlap").summary.loc["ner", "f1"] == pytest.approx(2 * 3 / 7)
    pt = agreement(df, mode="partial").per_task.set_index("task_id")
    assert pt.loc[3, "disagreement"] == 1.0
    assert pt.loc[1, "disagreement"] == pytest.approx(1 - 2 * 1.5 / 4)  # LOC overlaps: half credit
    pt = agreement(df, mode="overlap").per_task.set_index("task_id")
    assert pt.loc[1, "disagreement"] == 0.0


def test_boxes_f1_and_iou() -> None:
    df = frame(
        {
            1: {1: [box(0, 0, 10, 10, "car")], 2: [box(1, 0, 10, 10, "car")]},
            2: {1: [box(50, 50, 10, 10, "car")], 2: [box(50, 50, 10, 10, "person")]},
        }
    )
    row = agreement(df, iou=0.5).summary.loc["bbox"]
    assert row["kind"] == "regions"
    assert row["f1"] == pytest.approx(2 * 1 / 4)
    assert row["mean_iou"] == pytest.approx(90 / 110)
    assert agreement(df, iou=0.9).summary.loc["bbox", "f1"] == 0.0


def test_rotated_boxes_use_polygon_iou() -> None:
    df = frame(
        {1: {1: [box(10, 10, 20, 20, "car", rotation=0)], 2: [box(10, 10, 20, 20, "car", rotation=10)]}}
    )
    row = agreement(df, iou=0.5).summary.loc["bbox"]
    assert row["f1"] == 1.0
    assert 0.7 < row["mean_iou"] < 0.95


def test_predictions_are_not_annotators() -> None:
    from ls_notebook.annotations import tasks_to_table, to_long

    tasks = [
        {
            "id": 1,
            "data": {},
            "annotations": [{"id": 1, "completed_by": 1, "result": [choice("pos")]}],
            "predictions": [{"id": 5, "model_version": "v1", "result": [choice("neg")]}],
        }
    ]
    df = to_long(tasks_to_table(tasks, {1: A}, include_predictions=True))
    report = agreement(df)
    assert report.summary.loc["sentiment", "n_annotators"] == 1


def test_unsupported_type_is_reported_not_raised() -> None:
    df = frame(
        {
            1: {
                1: [item("when", "datetime", {"datetime": "2024-01-01"})],
                2: [item("when", "datetime", {"datetime": "2024-01-02"})],
            }
        }
    )
    row = agreement(df).summary.loc["when"]
    assert row["kind"] == "unsupported" and "datetime" in row["explanation"]


def test_bootstrap_ci_columns() -> None:
    report = agreement(_choices_frame(), ci=0.9, seed=3)
    row = report.summary.loc["sentiment"]
    assert row["krippendorff_alpha_ci_low"] <= row["krippendorff_alpha"] <= row["krippendorff_alpha_ci_high"]
    est = report.estimates["sentiment"]["fleiss_kappa"]
    assert est.ci_level == 0.9


def test_repr_html_and_plot() -> None:
    report = agreement(_choices_frame())
    html = report._repr_html_()
    assert "sentiment" in html and "<table" in html
    fig = report.plot()
    assert len(fig.axes) >= 3
    assert fig.axes[0].get_title().startswith("sentiment")
    from io import BytesIO

    buf = BytesIO()
    fig.savefig(buf, format="png")
    assert buf.getvalue()[:4] == b"\x89PNG"
    # shown as a picture by IPython's display machinery without pyplot or %matplotlib inline
    from IPython.core.formatters import DisplayFormatter

    data, _ = DisplayFormatter().format(fig)
    assert data["image/png"][:4] == b"\x89PNG"


def test_dictionary_encoded_arrow_columns_give_the_same_report() -> None:
    import pyarrow as pa

    df = _choices_frame()
    enc = df.copy()
    for col in ("annotator", "from_name", "type", "label", "source"):
        arr = df[col].array._pa_array.combine_chunks().dictionary_encode()
        # an unused dictionary entry must not count as a category
        arr = pa.DictionaryArray.from_arrays(
            arr.indices, pa.concat_arrays([arr.dictionary, pa.array(["zzz"])])
        )
        enc[col] = pd.Series(pd.arrays.ArrowExtensionArray(pa.chunked_array([arr])), index=df.index)
    pd.testing.assert_frame_equal(agreement(df).summary, agreement(enc).summary, check_dtype=False)


def test_tag_with_only_empty_results_and_unsupported_plot() -> None:
    df = frame(
        {
            1: {
                1: [item("c", "choices", {"choices": []}), item("k", "keypointlabels", {"x": 1, "y": 2})],
                2: [item("c", "choices", {"choices": []}), item("k", "keypointlabels", {"x": 1, "y": 2})],
            }
        }
    )
    report = agreement(df)
    assert "empty results" in report.summary.loc["c", "explanation"]
    assert report.summary.loc["k", "kind"] == "unsupported"
    fig = report.plot("k")
    assert "no annotators" in fig.texts[0].get_text()
