"""Push, sync, annotate and pull with pandas, polars and pyarrow frames against the real session server."""

from __future__ import annotations

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

from ls_notebook import configs
from ls_notebook.errors import DataError
from ls_notebook.tasks import to_backend
from tests._support import unique_title

pytestmark = pytest.mark.server

CONFIG = configs.text_classification(["pos", "neg"])
ROWS = {"id": ["a", "b", "c"], "text": ["good film", "bad film", "so-so"], "stars": [5, None, 3]}

FRAMES = {
    "pandas": lambda rows: pd.DataFrame(rows).convert_dtypes(),  # stars: Int64
    "polars": pl.DataFrame,
    "arrow": pa.table,
}


@pytest.mark.parametrize("kind", list(FRAMES))
def test_push_sync_annotate_pull_in_each_backend(server, kind):
    make = FRAMES[kind]
    project = server.project(unique_title(f"frames {kind}"), CONFIG)
    first = {k: v[:2] for k, v in ROWS.items()}
    result = project.push(make(first), key="id", predictions=None, progress=False)
    assert (result.created, result.skipped) == (2, 0)

    added = project.sync(make(ROWS), key="id", progress=False)  # only "c" is new
    assert type(added) is type(make(ROWS))  # the same kind of frame comes back
    added_pd = added if isinstance(added, pd.DataFrame) else pa.table(added).to_pandas()
    assert added_pd["id"].tolist() == ["c"] and int(added_pd["task_id"].iloc[0]) > 0

    tasks = project.pull(include_unannotated=True, progress=False)
    ids = dict(zip(tasks["key"], tasks["task_id"], strict=True))
    labels = make({"task_id": [ids["a"], ids["b"]], "label": ["pos", "neg"]})
    assert project.annotate(labels) == 2

    frames = {b: project.pull(progress=False, backend=b) for b in ("pandas", "polars", "arrow")}
    assert isinstance(frames["polars"], pl.DataFrame) and isinstance(frames["arrow"], pa.Table)
    as_arrow = {
        "pandas": to_backend(frames["pandas"], "arrow"),
        "polars": frames["polars"].to_arrow(),
        "arrow": frames["arrow"],
    }
    reference = as_arrow["arrow"]
    assert reference.num_rows == 2
    assert sorted(reference.column("label").to_pylist()) == ["neg", "pos"]
    stars = dict(zip(reference.column("key").to_pylist(), reference.column("stars").to_pylist(), strict=True))
    assert stars == {"a": 5, "b": None}  # an integer column with a null came through as integers
    for backend, table in as_arrow.items():
        assert table.column_names == reference.column_names, backend
        for name in reference.column_names:
            got, want = table.schema.field(name).type, reference.schema.field(name).type
            plain = str(got).replace("large_", "").replace("string_view", "string")
            assert plain == str(want), (backend, name)
            assert table.column(name).to_pylist() == reference.column(name).to_pylist(), (backend, name)


def test_unsupported_frame_and_wide_polars_are_refused(server):
    project = server.project(unique_title("frames bad"), CONFIG)
    with pytest.raises(DataError, match=r"got builtins\.dict\. A dict of columns"):
        project.push({"text": ["x"]}, progress=False)
    assert project.task_count == 0
    with pytest.raises(Exception, match="shape='wide' has pandas MultiIndex columns"):
        project.pull(shape="wide", backend="polars", progress=False)
