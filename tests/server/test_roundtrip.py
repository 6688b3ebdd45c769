"""DataFrame → Label Studio → DataFrame against a real server: every config builder, several annotators."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from ls_notebook import configs
from ls_notebook.errors import ConfigError, DataError
from tests._support import unique_title

pytestmark = pytest.mark.server

IMG = "https://example.org/pic%d.png"


def frame(column: str = "text", kind: str = "text") -> pd.DataFrame:
    values = ["Zoë met Ünal at 東京 Corp", "second ☃ row"] if kind == "text" else [IMG % 1, IMG % 2]
    return pd.DataFrame(
        {
            column: values,
            "score": [0.5, np.nan],
            "when": pd.to_datetime(["2024-03-01 12:00:00.250000", None], utc=True),
            "row_id": ["r1", "r2"],
        }
    )


def region(from_name, to_name, rtype, value, rid="r1"):
    return {"id": rid, "from_name": from_name, "to_name": to_name, "type": rtype, "value": value}


BOX = {"x": 10.0, "y": 20.5, "width": 30.0, "height": 15.25, "rotation": 0.0}
# builder → (config, frame, {annotator index: result}, expected rows for annotator 0 as dicts)
CASES = {
    "text_classification": (
        configs.text_classification(["pos", "neg"]),
        frame(),
        lambda i: [region("label", "text", "choices", {"choices": [["pos", "neg"][i % 2]]})],
        lambda i: [{"label": ["pos", "neg"][i % 2]}],
    ),
    "ner": (
        configs.ner(["PER", "ORG"]),
        frame(),
        lambda i: [
            region("label", "text", "labels", {"start": 0, "end": 3, "text": "Zoë", "labels": ["PER"]}),
            region(
                "label",
                "text",
                "labels",
                {"start": 17, "end": 24, "text": "東京 Corp", "labels": ["ORG"]},
                "r2",
            ),
        ][: i + 1],
        lambda i: [
            {"label": "PER", "start": 0, "end": 3, "text": "Zoë"},
            {"label": "ORG", "start": 17, "end": 24, "text": "東京 Corp"},
        ][: i + 1],
    ),
    "relation_extraction": (
        configs.relation_extraction(["PER"], ["knows"]),
        frame(),
        lambda i: [
            region("label", "text", "labels", {"start": 0, "end": 3, "text": "Zoë", "labels": ["PER"]}, "a"),
            region(
                "label", "text", "labels", {"start": 8, "end": 12, "text": "Ünal", "labels": ["PER"]}, "b"
            ),
            {"from_id": "a", "to_id": "b", "type": "relation", "direction": "right", "labels": ["knows"]},
        ],
        lambda i: [
            {"label": "PER", "start": 0, "end": 3},
            {"label": "PER", "start": 8, "end": 12, "text": "Ünal"},
            {"type": "relation", "label": "knows", "region_id": "a", "parent_id": "b", "value": "right"},
        ],
    ),
    "image_classification": (
        configs.image_classification(["cat", "dog"]),
        frame("image", "image"),
        lambda i: [region("label", "image", "choices", {"choices": ["dog"]})],
        lambda i: [{"label": "dog"}],
    ),
    "object_detection": (
        configs.object_detection(["car"]),
        frame("image", "image"),
        lambda i: [
            region("label", "image", "rectanglelabels", {**BOX, "x": 10.0 + i, "rectanglelabels": ["car"]})
        ],
        lambda i: [{**BOX, "x": 10.0 + i, "label": "car"}],
    ),
    "polygon_segmentation": (
        configs.polygon_segmentation(["road"]),
        frame("image", "image"),
        lambda i: [
            region(
                "label",
                "image",
                "polygonlabels",
                {"points": [[1, 2], [30.5, 4], [5, 60]], "polygonlabels": ["road"]},
            )
        ],
        lambda i: [{"label": "road", "points": [[1.0, 2.0], [30.5, 4.0], [5.0, 60.0]]}],
    ),
    "keypoints": (
        configs.keypoints(["nose"]),
        frame("image", "image"),
        lambda i: [
            region(
                "label",
                "image",
                "keypointlabels",
                {"x": 12.5, "y": 40.0, "width": 1.0, "keypointlabels": ["nose"]},
            )
        ],
        lambda i: [{"label": "nose", "x": 12.5, "y": 40.0, "points": [[12.5, 40.0]]}],
    ),
    "ocr": (
        configs.ocr(["Text"]),
        frame("image", "image"),
        lambda i: [
            region("label", "image", "rectanglelabels", {**BOX, "rectanglelabels": ["Text"]}, "box1"),
            region("transcription", "image", "textarea", {**BOX, "text": [f"Grüße {i}"]}, "box1"),
        ],
        lambda i: [
            {"label": "Text", "region_id": "box1", **BOX},
            {"value": f"Grüße {i}", "region_id": "box1"},
        ],
    ),
    "audio_transcription": (
        configs.audio_transcription(),
        frame("audio", "image"),
        lambda i: [region("transcription", "audio", "textarea", {"text": [f"hello {i}"]})],
        lambda i: [{"value": f"hello {i}"}],
    ),
    "text_summarization": (
        configs.text_summarization(),
        frame(),
        lambda i: [region("summary", "text", "textarea", {"text": ["short ✓"]})],
        lambda i: [{"value": "short ✓"}],
    ),
    "rating": (
        configs.rating(5),
        frame(),
        lambda i: [region("rating", "text", "rating", {"rating": 3 + i})],
        lambda i: [{"number": 3.0 + i, "value": str(3 + i)}],
    ),
    "pairwise_comparison": (
        configs.pairwise_comparison(),
        pd.DataFrame({"left": ["a ☀", "b"], "right": ["c", "d ☂"], "row_id": ["r1", "r2"]}),
        lambda i: [region("comparison", "left", "pairwise", {"selected": ["left", "right"][i % 2]})],
        lambda i: [{"label": ["left", "right"][i % 2]}],
    ),
}


@pytest.fixture(scope="module")
def annotators(server):
    return [server.create_user(f"annotator{i}@example.org") for i in range(3)]


def annotate(server, task_id, user, result):
    server.client.annotations.create(id=task_id, result=result, completed_by=user.id, lead_time=1.25)


@pytest.mark.parametrize("name", sorted(CASES))
def test_builder_round_trip(server, annotators, name):
    config, df, results, expected = CASES[name]
    project = server.project(unique_title(name), config)
    pushed = project.push(df, key="row_id", progress=False)
    assert (pushed.created, pushed.skipped) == (2, 0)
    task_id = int(pushed.task_ids.iloc[0])
    for i, user in enumerate(annotators):
        annotate(server, task_id, user, results(i))
    out = project.pull(progress=False)
    assert set(out["annotator"]) == {u.email for u in annotators}
    assert set(out["task_id"]) == {task_id} and set(out["key"]) == {"r1"}
    for i, user in enumerate(annotators):
        mine = out[out["annotator"] == user.email].reset_index(drop=True)
        want = expected(i)
        assert len(mine) == len(want), (name, i, mine)
        for j, fields in enumerate(want):
            for col, value in fields.items():
                got = mine.loc[j, col]
                got = got.tolist() if hasattr(got, "tolist") else got
                if isinstance(value, list) and value and isinstance(value[0], list):
                    got = [list(p) for p in got]
                assert got == value, (name, i, j, col, got, value)
        assert (mine["lead_time"] == 1.25).all() and not mine["was_cancelled"].any()
    # task data came back exactly, NaN as null, timestamps as ISO text
    data_cols = [c for c in out.columns if c.endswith("when")]
    if data_cols:
        assert out[data_cols[0]].iloc[0] == "2024-03-01T12:00:00.250000+00:00"
        assert out["score"].iloc[0] == 0.5
    if "data.text" in out:
        assert out["data.text"].iloc[0] == "Zoë met Ünal at 東京 Corp"


def test_repush_creates_nothing_and_new_row_once(server):
    project = server.project(unique_title("repush"), configs.text_classification(["a", "b"]))
    df = frame()
    first = project.push(df, progress=False)
    again = project.push(df, progress=False)
    assert (first.created, again.created, again.skipped) == (2, 0, 2)
    assert again.task_ids.tolist() == first.task_ids.tolist()
    grown = pd.concat([df, pd.DataFrame({"text": ["third"]}, index=[7])])
    third = project.push(grown, batch_size=1, progress=False)
    assert (third.created, third.skipped) == (1, 2)
    assert project.task_count == 3
    keys = project.pull(include_unannotated=True, progress=False)["key"].tolist()
    assert sorted(keys) == ["0", "1", "7"]


def test_update_replaces_data(server):
    project = server.project(unique_title("update"), configs.text_classification(["a", "b"]))
    project.push(pd.DataFrame({"text": ["old"], "k": ["x"]}), key="k", progress=False)
    res = project.push(pd.DataFrame({"text": ["new"], "k": ["x"]}), key="k", update=True, progress=False)
    assert (res.created, res.updated, res.skipped) == (0, 1, 0)
    out = project.pull(include_unannotated=True, progress=False)
    assert out["data.text"].tolist() == ["new"]


def test_predictions_stored_with_model_version(server):
    project = server.project(unique_title("preds"), configs.ner(["PER", "ORG"]))
    df = pd.DataFrame({"text": ["Ann joined ACME", "nobody"]})
    spans = [[(0, 3, "PER"), (11, 15, "ORG")], None]
    res = project.push(df, predictions=spans, model_version="rules-1", progress=False)
    preds = server.client.predictions.list(task=int(res.task_ids.iloc[0]))
    (pred,) = list(preds)
    assert pred.model_version == "rules-1"
    assert [r["value"]["text"] for r in pred.result] == ["Ann", "ACME"]
    assert list(server.client.predictions.list(task=int(res.task_ids.iloc[1]))) == []
    out = project.pull(include_predictions=True, progress=False)
    assert out["annotator"].tolist() == ["model:rules-1"] * 2 and set(out["source"]) == {"prediction"}
    scored = server.project(unique_title("scored"), configs.text_classification(["a", "b"]))
    scored.push(
        pd.DataFrame({"text": ["t"], "p": [{"result": "b", "score": 0.75}]}), predictions="p", progress=False
    )
    (p,) = scored.pull(include_predictions=True, progress=False)["label"].tolist()
    assert p == "b"


@pytest.mark.parametrize(
    ("df", "kwargs", "error", "match"),
    [
        (pd.DataFrame({"body": ["x"]}), {}, DataError, "Column 'text' is missing"),
        (pd.DataFrame({"text": ["x", "y"], "k": [1, 1]}), {"key": "k"}, DataError, "Duplicate keys"),
        (pd.DataFrame({"text": ["x"], "o": [object()]}), {}, DataError, "Column 'o', row 0"),
        (pd.DataFrame({"text": ["x"], "p": ["zzz"]}), {"predictions": "p"}, ConfigError, "valid labels"),
        (pd.DataFrame({"text": ["x", None]}), {}, DataError, "missing values"),
    ],
)
def test_bad_inputs_send_nothing(server, df, kwargs, error, match):
    project = server.project(unique_title("bad"), configs.text_classification(["a", "b"]))
    with pytest.raises(error, match=match):
        project.push(df, progress=False, **kwargs)
    assert project.task_count == 0


def test_invalid_config_xml(server):
    with pytest.raises(ConfigError, match="Invalid label config"):
        server.project(unique_title("badxml"), configs.validate("<View><Text name='t' value='$t'></View>"))


def test_fast_paths_equal_api(server, annotators):
    project = server.project(unique_title("paths"), configs.ner(["PER", "ORG"]))
    df = pd.DataFrame({"text": [f"Ann {i} at ACME" for i in range(6)], "n": [1, None, 3, 4, 5, 6]})
    res = project.push(df, predictions=[[(0, 3, "PER")]] * 6, model_version="m", progress=False)
    ids = res.task_ids.tolist()
    for i, user in enumerate(annotators):
        for tid in ids[: 3 + i]:
            annotate(
                server,
                tid,
                user,
                [region("label", "text", "labels", {"start": 0, "end": 3, "text": "Ann", "labels": ["PER"]})],
            )
    server.client.annotations.create(id=ids[5], result=[], was_cancelled=True, completed_by=annotators[0].id)
    kwargs = {"include_predictions": True, "include_unannotated": True, "progress": False}
    api = project.pull_arrow(source="api", **kwargs)
    assert api.num_rows > 0
    assert project.pull_arrow(source="sqlite", **kwargs).equals(api)
    assert project.pull_arrow(source="cache", **kwargs).equals(api)  # first fill
    # a change and a deletion: the cache catches up
    annotate(
        server,
        ids[4],
        annotators[0],
        [region("label", "text", "labels", {"start": 6, "end": 8, "text": "at", "labels": ["ORG"]})],
    )
    first = server.client.annotations.list(id=ids[0])[0]
    server.client.annotations.delete(id=first.id)
    api2 = project.pull_arrow(source="api", **kwargs)
    assert not api2.equals(api)
    assert project.pull_arrow(source="cache", **kwargs).equals(api2)
    assert project.pull_arrow(source="sqlite", **kwargs).equals(api2)
    assert project.pull_arrow(source="cache", refresh=True, **kwargs).equals(api2)  # a full re-read
    assert project.pull(source="cache", refresh=True, progress=False).equals(project.pull(progress=False))
    plain = project.pull_arrow(source="api", progress=False)
    assert project.pull_arrow(source="sqlite", progress=False).equals(plain)
    assert project.pull_arrow(source="cache", progress=False).equals(plain)
    # since= keeps later annotations only
    latest = plain.column("updated_at").to_pylist()
    cut = sorted(latest)[-2]
    assert project.pull_arrow(since=cut, progress=False).num_rows == sum(t > cut for t in latest)


def test_empty_project_full_schema_and_exports(server, tmp_path):
    from ls_notebook.annotations import ANNOTATION_COLUMNS

    project = server.project(unique_title("empty"), configs.ner(["PER"]))
    out = project.pull(progress=False)
    assert out.empty and list(out.columns) == list(ANNOTATION_COLUMNS)
    assert all(isinstance(d, pd.ArrowDtype) for d in out.dtypes)
    project.push(pd.DataFrame({"text": ["Ann"]}), progress=False)
    path = project.export(tmp_path / "p.json", progress=False)
    assert json.loads(path.read_text())[0]["data"]["text"] == "Ann"
    conll = project.export(tmp_path / "p.conll", format="CONLL2003", progress=False)
    assert conll.stat().st_size > 0
    pq_path = project.to_parquet(tmp_path / "p.parquet", include_unannotated=True)
    assert pd.read_parquet(pq_path)["key"].tolist() == ["0"]
    assert math.isfinite(pq_path.stat().st_size)
