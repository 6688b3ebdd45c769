"""DataFrame → tasks: coercion, keys, predictions, and refusals before anything is sent."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from ls_notebook import configs
from ls_notebook.errors import ConfigError, DataError
from ls_notebook.tasks import KEY_FIELD, build_tasks, column_to_json, row_keys

TEXT = configs.text_classification(["pos", "neg"])


def test_values_are_converted_faithfully():
    df = pd.DataFrame(
        {
            "text": ["héllo 👋", "y", "x"],
            "i": np.array([1, 2, 3], dtype=np.int32),
            "f": [1.5, np.nan, 2.0],
            "nullable": pd.array([1, pd.NA, 3], dtype="Int64"),
            "b": [True, False, True],
            "ts": pd.to_datetime(
                ["2024-01-02 03:04:05.123456", None, "2024-01-01 00:00:00.000000"], utc=True
            ),
            "dec": [Decimal("1.10"), Decimal("3"), Decimal("0.1000000000000000055511151231257827")],
            "nested": [{"a": np.int64(1)}, [1, 2], None],
            "cat": pd.Categorical(["a", None, "b"]),
            "arrow": pd.array([1.5, None, 2.5], dtype=pd.ArrowDtype(pa.float64())),
            "date": [dt.date(2024, 1, 2), None, dt.date(2024, 1, 3)],
        }
    )
    batch = build_tasks(df, TEXT)
    data = [t["data"] for t in batch.tasks]
    assert data[0] == {
        "text": "héllo 👋",
        "i": 1,
        "f": 1.5,
        "nullable": 1,
        "b": True,
        "ts": "2024-01-02T03:04:05.123456+00:00",
        "dec": 1.1,
        "nested": {"a": 1},
        "cat": "a",
        "arrow": 1.5,
        "date": "2024-01-02",
    }
    assert data[1] == dict.fromkeys(data[0]) | {"text": "y", "i": 2, "b": False, "dec": 3, "nested": [1, 2]}
    assert data[2]["dec"] == "0.1000000000000000055511151231257827"  # a float would change the digits
    json.dumps(batch.tasks, allow_nan=False)  # strict JSON
    assert [t["meta"][KEY_FIELD] for t in batch.tasks] == ["0", "1", "2"]


def test_unsupported_object_names_column_and_row():
    df = pd.DataFrame({"text": ["a", "b"], "obj": [1, object()]}, index=["r1", "r2"])
    with pytest.raises(DataError, match=r"Column 'obj', row 'r2': a object"):
        build_tasks(df, TEXT)
    with pytest.raises(DataError, match=r"Column 'f', row 1: a float"):
        column_to_json(pd.Series([1.0, np.inf], name="f"))


def test_missing_column_names_column_and_tag():
    with pytest.raises(DataError, match=r"Column 'text' is missing: .*<Text name=\"text\" value=\"\$text\">"):
        build_tasks(pd.DataFrame({"body": ["x"]}), TEXT)


def test_keys_from_column_or_index_and_duplicates_listed():
    df = pd.DataFrame({"text": ["a", "b", "c"], "id": [7, 8, 7]})
    with pytest.raises(DataError, match=r"Duplicate keys in key column 'id': \['7'\]"):
        build_tasks(df, TEXT, key="id")
    assert row_keys(df.set_index("text")) == ["a", "b", "c"]
    assert row_keys(pd.DataFrame({"k": [1.0, 2.5]}), "k") == ["1", "2.5"]
    with pytest.raises(DataError, match="missing values"):
        row_keys(pd.DataFrame({"k": ["a", None]}), "k")
    with pytest.raises(DataError, match="is not a column"):
        row_keys(df, "nope")


def test_predictions_column_callable_and_bad_label():
    df = pd.DataFrame({"text": ["good", "bad"], "guess": ["pos", None]})
    batch = build_tasks(df, TEXT, predictions="guess", model_version="m1")
    assert "guess" not in batch.tasks[0]["data"]
    (pred,) = batch.tasks[0]["predictions"]
    assert pred["model_version"] == "m1"
    assert pred["result"][0]["value"] == {"choices": ["pos"]}
    assert "predictions" not in batch.tasks[1]
    scored = build_tasks(df, TEXT, predictions=lambda row: {"result": "neg", "score": 0.25})
    assert scored.tasks[1]["predictions"][0]["score"] == 0.25
    with pytest.raises(ConfigError, match=r"Row 1: .*valid labels: \['pos', 'neg'\]"):
        build_tasks(df.assign(guess=["pos", "meh"]), TEXT, predictions="guess")


def test_span_box_polygon_keypoint_forms():
    ner = build_tasks(
        pd.DataFrame({"text": ["Ann met Bob"]}),
        configs.ner(["PER"]),
        predictions=[[(0, 3, "PER"), (8, 11, "PER")]],
    )
    values = [r["value"] for r in ner.tasks[0]["predictions"][0]["result"]]
    assert [v["text"] for v in values] == ["Ann", "Bob"]
    img = pd.DataFrame({"image": ["http://x/a.png"]})
    box = build_tasks(
        img, configs.object_detection(["car"]), predictions=[[(20, 10, 40, 30, "car", 200, 100)]]
    )
    v = box.tasks[0]["predictions"][0]["result"][0]["value"]
    assert (v["x"], v["y"], v["width"], v["height"]) == (10.0, 10.0, 20.0, 30.0)
    poly = build_tasks(
        img, configs.polygon_segmentation(["road"]), predictions=[[([(1, 1), (5, 1), (3, 4)], "road")]]
    )
    assert poly.tasks[0]["predictions"][0]["result"][0]["value"]["points"] == [[1, 1], [5, 1], [3, 4]]
    kp = build_tasks(img, configs.keypoints(["nose"]), predictions=[[(3, 4, "nose")]])
    assert kp.tasks[0]["predictions"][0]["result"][0]["type"] == "keypointlabels"
    with pytest.raises(ConfigError, match="Row 0"):
        build_tasks(img, configs.object_detection(["car"]), predictions=[[(20, 10, 40, 30, "bus")]])


def test_rating_pairwise_textarea_forms():
    r = build_tasks(pd.DataFrame({"text": ["x"]}), configs.rating(5), predictions=[4])
    assert r.tasks[0]["predictions"][0]["result"][0]["value"] == {"rating": 4}
    pw = build_tasks(
        pd.DataFrame({"left": ["a"], "right": ["b"]}), configs.pairwise_comparison(), predictions=["right"]
    )
    assert pw.tasks[0]["predictions"][0]["result"][0]["value"] == {"selected": "right"}
    s = build_tasks(pd.DataFrame({"text": ["x"]}), configs.text_summarization(), predictions=["short"])
    assert s.tasks[0]["predictions"][0]["result"][0]["value"] == {"text": ["short"]}


def test_null_in_a_config_column_is_refused():
    with pytest.raises(DataError, match=r"Column 'text' has missing values at rows \[1\]"):
        build_tasks(pd.DataFrame({"text": ["x", None]}), TEXT)


def test_local_media_with_two_data_fields_is_refused_before_sending(tmp_path) -> None:
    """Label Studio refuses file uploads when the config reads several data fields: say so up front."""
    audio = tmp_path / "a.wav"
    audio.write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt ")
    config = (
        '<View><Audio name="audio" value="$audio"/><Text name="note" value="$note"/>'
        '<TextArea name="t" toName="audio"/></View>'
    )
    df = pd.DataFrame({"audio": [str(audio)], "note": ["hello"]})
    with pytest.raises(DataError, match=r"one data field.*\$audio.*\$note.*URLs"):
        build_tasks(df, config)
    urls = pd.DataFrame({"audio": ["https://example.org/a.wav"], "note": ["hello"]})
    assert build_tasks(urls, config).tasks[0]["data"]["audio"] == "https://example.org/a.wav"


def test_size_check_names_the_row_inside_a_chunk(monkeypatch) -> None:
    """Sizes are checked per chunk of tasks; a failing chunk still names the exact row."""
    from ls_notebook.tasks import _build

    monkeypatch.setattr(_build, "MAX_TASK_BYTES", 1000)
    small = [f"row {i}" for i in range(100)]
    for at in (0, 37, 99):  # first chunk, a later one, the last task
        texts = list(small)
        texts[at] = "x" * 1200
        with pytest.raises(DataError, match=rf"Row {at} is .* MB of task data"):
            build_tasks(pd.DataFrame({"text": texts}), TEXT)
    bad = list(small)
    bad[64] = b"caf\xe9".decode("utf-8", "surrogateescape")
    with pytest.raises(DataError, match="Column 'text', row 64: the text is not valid UTF-8"):
        build_tasks(pd.DataFrame({"text": bad}, dtype=object), TEXT)
    # 100 tasks of ~600 bytes: every chunk is over the limit, no task is
    assert len(build_tasks(pd.DataFrame({"text": ["y" * 600] * 100}), TEXT).tasks) == 100


def test_push_batches_keep_order_counts_and_byte_cap() -> None:
    from ls_notebook.project._push import batches

    rng = np.random.default_rng(0)
    tasks = [{"data": {"text": "é" * int(n), "i": i}} for i, n in enumerate(rng.integers(1, 400, 500))]
    tasks[123]["data"]["text"] = "z" * 5000  # over the cap: goes alone
    for batch_size, cap in ((1000, 10**9), (64, 10**9), (1000, 4000), (7, 3000), (1, 100)):
        out = list(batches(tasks, batch_size, cap))
        bodies = [json.loads(body) for _, body in out]
        assert [n for n, _ in out] == [len(b) for b in bodies] and all(0 < n <= batch_size for n, _ in out)
        assert [t for b in bodies for t in b] == tasks  # every task once, in order, exactly
        assert all(len(body) <= cap or n == 1 for n, body in out)
    assert len(list(batches(tasks, 5000, 10**9))) == 1  # one request when it fits
