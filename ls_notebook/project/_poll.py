"""Polling with ``since=``: every annotation version delivered once, even under concurrent writes.

Label Studio stamps ``updated_at`` when it starts saving an annotation, so with several annotators a
write can commit after another one that got a later stamp, or carry the very same stamp as an
annotation already returned. A poll that asks for ``updated_at > latest seen`` would skip those. So
each pull also returns a :class:`Since` cursor (``df.attrs["since"]``; in the metadata of an Arrow
table): the latest ``updated_at`` seen minus :data:`MARGIN`, and the annotation versions already
delivered inside that margin. Given as the next ``since=`` (or pass the previous result itself), it
returns exactly what was not delivered yet; an edited annotation comes again with its new
``updated_at``.

Examples
--------
>>> new = project.pull()                          # doctest: +SKIP
>>> while True:                                   # doctest: +SKIP
...     new = project.pull(since=new)             # only annotations not returned before
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["MARGIN", "Since", "apply", "attach", "cursor_of", "next_cursor"]

#: How late a write may commit after its ``updated_at`` and still be delivered by the next poll.
MARGIN = timedelta(seconds=30)
_META = b"ls_notebook.since"


@dataclass(frozen=True)
class Since:
    """A polling cursor: rows after ``after``, minus the versions in ``seen``.

    A version is ``(source, annotation id or -1, task id, updated_at in µs)``: predictions have no
    annotation id, so their task and time tell them apart.
    """

    after: datetime | None = None
    seen: frozenset[tuple[str, int, int, int]] = field(default_factory=frozenset, repr=False)

    def to_json(self) -> str:
        after = None if self.after is None else self.after.isoformat()
        return json.dumps({"after": after, "seen": sorted(self.seen)})

    @classmethod
    def from_json(cls, text: str | bytes) -> Since:
        data = json.loads(text)
        after = datetime.fromisoformat(data["after"]) if data.get("after") else None
        seen = frozenset((str(s), int(a), int(t), int(u)) for s, a, t, u in data.get("seen", []))
        return cls(after, seen)


def cursor_of(value: object) -> Since | None:
    """The cursor in ``value`` (a ``Since``, a previous pull's DataFrame or Arrow table), else None."""
    if isinstance(value, Since):
        return value
    if isinstance(value, pd.DataFrame):
        found = value.attrs.get("since")
        return found if isinstance(found, Since) else _no_cursor()
    if isinstance(value, pa.Table):
        meta = value.schema.metadata or {}
        return Since.from_json(meta[_META]) if _META in meta else _no_cursor()
    return None


def _no_cursor() -> Since:
    from ls_notebook.errors import LabelStudioError

    raise LabelStudioError(
        "since= got a DataFrame/table that did not come from pull(): pass the previous pull's result "
        "unchanged, its .attrs['since'], or a timestamp."
    )


def _keys(table: pa.Table) -> list[tuple[str, int, int, int]]:
    micros = pc.cast(table.column("updated_at"), pa.int64()).to_pylist()
    annotation = pc.fill_null(table.column("annotation_id"), -1).to_pylist()
    task = pc.fill_null(table.column("task_id"), -1).to_pylist()
    return list(zip(table.column("source").to_pylist(), annotation, task, micros, strict=True))


def _dated(table: pa.Table) -> pa.Array | pa.ChunkedArray:
    """Mask of the rows with a version (an ``updated_at`` and a source)."""
    return pc.and_(pc.is_valid(table.column("updated_at")), pc.is_valid(table.column("source")))


def _after(table: pa.Table, after: datetime | None) -> pa.Table:
    """The dated rows updated after ``after`` (only those rows are copied)."""
    keep = _dated(table)
    if after is not None:
        scalar = pa.scalar(after, type=table.schema.field("updated_at").type)
        keep = pc.and_(keep, pc.fill_null(pc.greater(table.column("updated_at"), scalar), False))
    return table.filter(keep)


def apply(table: pa.Table, since: Since) -> pa.Table:
    """Rows of ``table`` not delivered under ``since``."""
    table = _after(table, since.after)
    if not since.seen or not table.num_rows:
        return table
    keep = pa.array([k not in since.seen for k in _keys(table)], type=pa.bool_())
    return table.filter(keep)


def next_cursor(table: pa.Table, previous: Since | None = None) -> Since:
    """The cursor after delivering every dated row of ``table`` (a full, unfiltered pull)."""
    updated = table.column("updated_at")
    stamps = pc.if_else(pc.is_valid(table.column("source")), updated, pa.scalar(None, updated.type))
    latest = pc.max(stamps).as_py()  # nulls skipped; no copy of the table
    if latest is None:
        return previous or Since()
    after = latest - MARGIN
    if previous is not None and previous.after is not None and previous.after > after:
        after = previous.after
    window = _after(table, after)
    return Since(after.astimezone(timezone.utc), frozenset(_keys(window)))


def attach(table: pa.Table, cursor: Since) -> pa.Table:
    """Return ``table`` with ``cursor`` in its schema metadata."""
    meta = dict(table.schema.metadata or {})
    meta[_META] = cursor.to_json().encode()
    return table.replace_schema_metadata(meta)
