"""Any dataframe in, the chosen one out (``tasks._frames``): pandas, polars, pyarrow, Arrow streams."""

from __future__ import annotations

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

from ls_notebook import configs
from ls_notebook.errors import DataError
from ls_notebook.tasks import as_pandas, build_tasks, to_backend

CONFIG = configs.text_classification(["pos", "neg"])


class Stream:
    """Only the Arrow PyCapsule stream protocol (as DuckDB relations or narwhals frames expose it)."""

    def __init__(self, table: pa.Table) -> None:
        self.table = table

    def __arrow_c_stream__(self, requested_schema=None):
        return self.table.__arrow_c_stream__(requested_schema)


def _table() -> pa.Table:
    return pa.table(
        {
            "text": ["good", "bad", None],
            "n": pa.array([1, None, 3], pa.int64()),
            "tags": [["a", "b"], [], None],
            "when": pa.array([1_700_000_000_000_000, None, 0], pa.timestamp("us", tz="UTC")),
        }
    )


KINDS = {
    "pandas": lambda t: t.to_pandas(types_mapper=pd.ArrowDtype),
    "polars": pl.from_arrow,
    "arrow_table": lambda t: t,
    "record_batch": lambda t: t.combine_chunks().to_batches()[0],
    "reader": lambda t: pa.RecordBatchReader.from_batches(t.schema, t.to_batches()),
    "capsule": Stream,
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_gives_the_same_tasks(kind):
    table = _table().slice(0, 2)  # the config's text needs a value in every row
    expected = build_tasks(table.to_pandas(types_mapper=pd.ArrowDtype), CONFIG).tasks
    batch = build_tasks(KINDS[kind](table), CONFIG)
    assert batch.tasks == expected
    assert batch.tasks[0]["data"] == {
        "text": "good",
        "n": 1,  # an int column with nulls stays int (numpy would give 1.0)
        "tags": ["a", "b"],
        "when": "2023-11-14T22:13:20+00:00",
    }
    assert batch.tasks[1]["data"]["n"] is None
    assert batch.keys == ["0", "1"]


def test_predictions_from_polars_and_arrow_series():
    df = pl.DataFrame({"text": ["good", "bad"]})
    for preds in (pl.Series(["pos", None]), pa.chunked_array([["pos", None]])):
        batch = build_tasks(df, CONFIG, predictions=preds)
        assert batch.tasks[0]["predictions"][0]["result"][0]["value"] == {"choices": ["pos"]}
        assert "predictions" not in batch.tasks[1]


@pytest.mark.parametrize(
    ("obj", "hint"),
    [
        ({"text": ["a"]}, "A dict of columns"),
        (pl.DataFrame({"text": ["a"]}).lazy(), ".collect() first"),
        (pd.Series(["a"]), "A Series"),
        ([{"text": "a"}], "got builtins.list"),
    ],
)
def test_unsupported_object_names_the_accepted_types(obj, hint):
    with pytest.raises(DataError, match="pandas or polars DataFrame, a pyarrow Table") as info:
        build_tasks(obj, CONFIG)
    assert hint in str(info.value)


@pytest.mark.parametrize("backend", ["pandas", "polars", "arrow"])
def test_to_backend_keeps_names_and_arrow_types(backend):
    table = _table()
    out = to_backend(table, backend)
    back = {
        "pandas": lambda d: pa.Table.from_pandas(d, preserve_index=False),
        "polars": lambda d: d.to_arrow(),
        "arrow": lambda d: d,
    }[backend](out)
    assert back.column_names == table.column_names
    for name in table.column_names:
        assert back.column(name).to_pylist() == table.column(name).to_pylist(), name
    # the same type up to string/list layouts (polars' large and view variants)
    for field in table.schema:
        got = back.schema.field(field.name).type
        assert str(got).replace("large_", "").replace("string_view", "string") == str(field.type)


def test_to_backend_from_pandas_leaves_the_index():
    df = pd.DataFrame({"a": [1, 2]}, index=pd.Index(["x", "y"], name="row"))
    assert to_backend(df, "arrow").column_names == ["a"]
    assert to_backend(df, "polars").columns == ["a"]
    assert to_backend(df.reset_index(), "polars").columns == ["row", "a"]
    with pytest.raises(DataError, match="backend='excel'"):
        to_backend(df, "excel")


def test_polars_string_views_become_strings_pandas_can_index():
    df = as_pandas(pl.DataFrame({"text": ["a", "b"], "tags": [["x"], []]}))
    assert str(df["text"].dtype) == "large_string[pyarrow]"
    assert df[[False, True]]["text"].tolist() == ["b"]  # a take: no kernel for string_view


def test_as_pandas_keeps_a_pandas_frame_as_it_is():
    df = pd.DataFrame({"text": ["a"]}, index=[7])
    assert as_pandas(df) is df
