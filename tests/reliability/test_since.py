"""The ``since=`` cursor on its own: boundary timestamps and late commits (no server needed)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pyarrow as pa

from ls_notebook.annotations import ANNOTATION_SCHEMA as SCHEMA
from ls_notebook.project import _poll

T0 = datetime(2026, 1, 1, 12, 0, 0, tzinfo=timezone.utc)


def table(rows: list[tuple[int, datetime]]) -> pa.Table:
    """Annotation rows (id, updated_at), one per annotation."""
    n = len(rows)
    columns = {f.name: pa.nulls(n, f.type) for f in SCHEMA}
    columns["annotation_id"] = pa.array([r[0] for r in rows], pa.int64())
    columns["task_id"] = pa.array([r[0] for r in rows], pa.int64())
    columns["updated_at"] = pa.array([r[1] for r in rows], SCHEMA.field("updated_at").type)
    columns["source"] = pa.array(["annotation"] * n, pa.string())
    return pa.table(columns, schema=SCHEMA)


def poll(rows: list[tuple[int, datetime]], since: object) -> tuple[list[int], _poll.Since]:
    full = table(rows)
    cursor = _poll.next_cursor(full, _poll.cursor_of(since) if since is not None else None)
    got = full if since is None else _poll.apply(full, _poll.cursor_of(since))  # type: ignore[arg-type]
    return got.column("annotation_id").to_pylist(), cursor


def test_same_timestamp_as_the_boundary_is_delivered_once() -> None:
    rows = [(1, T0), (2, T0 + timedelta(microseconds=5))]
    first, cursor = poll(rows, None)
    assert first == [1, 2]
    rows.append((3, T0 + timedelta(microseconds=5)))  # committed later, same microsecond as the boundary
    second, cursor = poll(rows, cursor)
    assert second == [3]
    third, _ = poll(rows, cursor)
    assert third == []


def test_late_commit_with_an_earlier_timestamp_is_not_missed() -> None:
    rows = [(1, T0), (2, T0 + timedelta(seconds=2))]
    _, cursor = poll(rows, None)
    rows.append((3, T0 + timedelta(seconds=1)))  # stamped before 2, committed after the poll
    got, cursor = poll(rows, cursor)
    assert got == [3]
    rows.append((1, T0 + timedelta(seconds=40)))  # annotation 1 edited: delivered again, once
    rows.pop(0)
    got, cursor = poll(rows, cursor)
    assert got == [1]
    assert poll(rows, cursor)[0] == []


def test_cursor_survives_arrow_metadata() -> None:
    cursor = _poll.Since(T0, frozenset({("annotation", 7, 7, 123), ("prediction", -1, 7, 456)}))
    carried = _poll.attach(table([(7, T0)]), cursor)
    assert _poll.cursor_of(carried) == cursor


def test_predictions_without_annotation_id_are_tracked_by_task() -> None:
    full = table([(1, T0), (2, T0)])
    full = full.set_column(
        full.schema.get_field_index("source"), "source", pa.array(["annotation", "prediction"], pa.string())
    )
    full = full.set_column(
        full.schema.get_field_index("annotation_id"), "annotation_id", pa.array([1, None], pa.int64())
    )
    cursor = _poll.cursor_of(_poll.attach(full, _poll.next_cursor(full)))
    assert cursor is not None and len(cursor.seen) == 2
    assert _poll.apply(full, cursor).num_rows == 0
