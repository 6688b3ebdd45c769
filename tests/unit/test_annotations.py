"""Annotation JSON → the schema's Arrow table: every result type, empty cases, wide shape."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

from ls_notebook.annotations import ANNOTATION_SCHEMA, empty_table, tasks_to_table, to_long, to_wide

USERS = {1: "a@x.org", 2: "b@x.org"}


def ann(aid, who, result, **kw):
    return {
        "id": aid,
        "completed_by": who,
        "created_at": "2024-05-01T10:00:00.123456Z",
        "updated_at": "2024-05-01 10:00:01.5",  # the SQLite form, without T and zone
        "lead_time": 2.5,
        "was_cancelled": False,
        "ground_truth": False,
        "result": result,
        **kw,
    }


def task(tid, annotations, **data):
    return {"id": tid, "data": data, "meta": {"ls_notebook_key": f"k{tid}"}, "annotations": annotations}


def rows(table):
    return table.to_pylist()


def test_schema_prefix_and_types():
    t = tasks_to_table([task(1, [ann(5, 1, [])], text="héllo", n=3)], USERS)
    assert t.schema.remove_metadata().names[: len(ANNOTATION_SCHEMA)] == ANNOTATION_SCHEMA.names
    for field in ANNOTATION_SCHEMA:
        assert t.schema.field(field.name).type == field.type
    (row,) = rows(t)
    assert row["data.text"] == "héllo" and row["n"] == 3  # clash with the span `text` column
    assert row["from_name"] is None and row["annotation_id"] == 5
    assert str(row["updated_at"]) == "2024-05-01 10:00:01.500000+00:00"


def test_choices_spans_relations():
    spans = [
        {
            "id": "r1",
            "from_name": "label",
            "to_name": "text",
            "type": "labels",
            "value": {"start": 0, "end": 3, "text": "Ann", "labels": ["PER"]},
        },
        {
            "id": "r2",
            "from_name": "label",
            "to_name": "text",
            "type": "labels",
            "value": {"start": 8, "end": 11, "text": "Bob", "labels": ["PER"]},
        },
        {"from_id": "r1", "to_id": "r2", "type": "relation", "direction": "right", "labels": ["knows"]},
    ]
    choice = [
        {"id": "c", "from_name": "s", "to_name": "text", "type": "choices", "value": {"choices": ["x", "y"]}}
    ]
    t = tasks_to_table([task(1, [ann(1, 1, spans), ann(2, 2, choice)])], USERS)
    r = rows(t)
    assert [(x["start"], x["end"], x["text"], x["label"]) for x in r[:2]] == [
        (0, 3, "Ann", "PER"),
        (8, 11, "Bob", "PER"),
    ]
    assert (r[2]["type"], r[2]["region_id"], r[2]["parent_id"], r[2]["label"], r[2]["value"]) == (
        "relation",
        "r1",
        "r2",
        "knows",
        "right",
    )
    assert (r[3]["annotator"], r[3]["label"], r[3]["labels"]) == ("b@x.org", None, ["x", "y"])


def test_geometry_text_numbers():
    res = [
        {
            "id": "b",
            "from_name": "label",
            "to_name": "image",
            "type": "rectanglelabels",
            "value": {"x": 1.5, "y": 2, "width": 3, "height": 4, "rotation": 0, "rectanglelabels": ["car"]},
        },
        {
            "id": "b",
            "from_name": "transcription",
            "to_name": "image",
            "type": "textarea",
            "value": {"x": 1.5, "y": 2, "width": 3, "height": 4, "text": ["line 1", "line 2"]},
        },
        {
            "id": "p",
            "from_name": "poly",
            "to_name": "image",
            "type": "polygonlabels",
            "value": {"points": [[1, 2], [3, 4], [5, 6]], "polygonlabels": ["road"]},
        },
        {
            "id": "k",
            "from_name": "kp",
            "to_name": "image",
            "type": "keypointlabels",
            "value": {"x": 7, "y": 8, "width": 1, "keypointlabels": ["nose"]},
        },
        {"id": "s", "from_name": "rating", "to_name": "text", "type": "rating", "value": {"rating": 4}},
        {"id": "w", "from_name": "cmp", "to_name": "left", "type": "pairwise", "value": {"selected": "left"}},
    ]
    r = rows(tasks_to_table([task(1, [ann(1, 1, res)])], USERS))
    assert (r[0]["x"], r[0]["y"], r[0]["width"], r[0]["height"], r[0]["label"]) == (1.5, 2.0, 3.0, 4.0, "car")
    assert (r[1]["value"], r[1]["region_id"], r[1]["label"]) == ("line 1\nline 2", "b", None)
    assert r[2]["points"] == [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]
    assert r[3]["points"] == [[7.0, 8.0]] and r[3]["label"] == "nose"
    assert (r[4]["number"], r[4]["value"]) == (4.0, "4")
    assert r[5]["label"] == "left"


def test_audio_regions_in_seconds_text_spans_in_characters():
    def region(rid, to_name, rtype, value):
        return {"id": rid, "from_name": "labels", "to_name": to_name, "type": rtype, "value": value}

    res = [
        region("a", "audio", "labels", {"start": 0.25, "end": 1.7305, "channel": 0, "labels": ["Speech"]}),
        region("a", "audio", "textarea", {"start": 0.25, "end": 1.7305, "text": ["hello there"]}),
        region("b", "audio", "labels", {"start": 2, "end": 3, "labels": ["Noise"]}),  # whole seconds
        region("c", "audio", "choices", {"start": 3.5, "end": 4.0, "choices": ["loud"]}),  # per region
        region("t", "text", "labels", {"start": 0, "end": 5, "text": "hello", "labels": ["PER"]}),
    ]
    r = rows(tasks_to_table([task(1, [ann(1, 1, res)])], USERS, time_objects={"audio"}))
    times = [(x["start_time"], x["end_time"], x["start"], x["end"]) for x in r]
    assert times == [
        (0.25, 1.7305, None, None),
        (0.25, 1.7305, None, None),
        (2.0, 3.0, None, None),
        (3.5, 4.0, None, None),
        (None, None, 0, 5),
    ]
    assert r[1]["value"] == "hello there" and r[3]["label"] == "loud"
    assert ANNOTATION_SCHEMA.field("start").type == pa.int64()
    assert ANNOTATION_SCHEMA.field("start_time").type == pa.float64()
    # without the config's object types every start/end is read as a character offset
    plain = rows(tasks_to_table([task(1, [ann(1, 1, res)])], USERS))
    assert [x["start"] for x in plain] == [None, None, 2, None, 0]


def test_unannotated_predictions_drafts():
    t = {
        "id": 3,
        "data": {"q": 1},
        "meta": {},
        "annotations": [],
        "predictions": [
            {
                "id": 1,
                "model_version": "v1",
                "result": [
                    {
                        "id": "p",
                        "from_name": "s",
                        "to_name": "t",
                        "type": "choices",
                        "value": {"choices": ["a"]},
                    }
                ],
            }
        ],
        "drafts": [{"id": 4, "user": 2, "result": []}],
    }
    assert tasks_to_table([t]).num_rows == 0
    r = rows(
        tasks_to_table([t], USERS, include_unannotated=True, include_predictions=True, include_drafts=True)
    )
    assert [(x["source"], x["annotator"], x["label"], x["annotation_id"]) for x in r] == [
        ("prediction", "model:v1", "a", None),
        ("draft", "b@x.org", None, None),
        (None, None, None, None),
    ]
    assert r[0]["key"] is None


def test_mixed_data_types_become_json_text():
    t = tasks_to_table([task(1, [ann(1, 1, [])], meta=1), task(2, [ann(2, 1, [])], meta={"a": 1})])
    assert t.column("meta").to_pylist() == ["1", '{"a": 1}']


def test_long_and_wide_frames():
    def res(lab):
        return [
            {
                "id": "c",
                "from_name": "s",
                "to_name": "text",
                "type": "choices",
                "value": {"choices": [lab]},
            }
        ]

    t = tasks_to_table([task(1, [ann(1, 1, res("x")), ann(2, 2, res("y"))], body="b")], USERS)
    long = to_long(t)
    assert all(isinstance(d, pd.ArrowDtype) for d in long.dtypes)
    wide = to_wide(t)
    assert wide.loc[0, ("s", "a@x.org")] == "x" and wide.loc[0, ("s", "b@x.org")] == "y"
    assert wide.loc[0, ("body", "")] == "b"
    assert to_long(empty_table()).empty and isinstance(empty_table(), pa.Table)
