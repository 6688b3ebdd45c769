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

import base64
import json
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["MARGIN", "Since", "apply", "attach", "cursor_of", "next_cursor"]

#: How late a write may commit after its ``updated_at`` and still be delivered by the next poll.
MARGIN = timedelta(seconds=30)
_META = b"ls_notebook.since"
_META_IPC = b"ls_notebook.since.versions"
_KEYS = ("source", "annotation", "task", "micros")
_KEY_SCHEMA = pa.schema(
    [("source", pa.string()), ("annotation", pa.int64()), ("task", pa.int64()), ("micros", pa.int64())]
)


class Since:
    """A polling cursor: rows after ``after``, minus the versions in ``seen``.

    A version is ``(source, annotation id or -1, task id, updated_at in µs)``: predictions have no
    annotation id, so their task and time tell them apart. The versions are kept as a small Arrow
    table (a freshly imported project can put every annotation inside the margin); ``seen`` gives
    them as a frozenset of tuples.
    """

    __slots__ = ("_seen", "_window", "after")

    def __init__(
        self,
        after: datetime | None = None,
        seen: Iterable[tuple[str, int, int, int]] = (),
        *,
        window: pa.Table | None = None,
    ) -> None:
        self.after = after
        if window is None:
            rows = sorted(set(seen))
            window = pa.Table.from_pylist(
                [dict(zip(_KEYS, r, strict=True)) for r in rows], schema=_KEY_SCHEMA
            )
        self._window = window
        self._seen: frozenset[tuple[str, int, int, int]] | None = None

    @property
    def seen(self) -> frozenset[tuple[str, int, int, int]]:
        if self._seen is None:
            columns = [self._window.column(k).to_pylist() for k in _KEYS]
            self._seen = frozenset(zip(*columns, strict=True))
        return self._seen

    def __len__(self) -> int:
        return self._window.num_rows

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Since):
            return NotImplemented
        return self.after == other.after and self.seen == other.seen

    def __hash__(self) -> int:
        return hash((self.after, self.seen))

    def __repr__(self) -> str:
        return f"Since(after={self.after!r}, versions={len(self)})"

    def _ipc(self) -> bytes:
        """The versions as Arrow IPC bytes."""
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, self._window.schema) as writer:
            writer.write_table(self._window)
        return sink.getvalue().to_pybytes()

    def _after_json(self) -> str:
        return json.dumps({"after": None if self.after is None else self.after.isoformat()})

    def to_json(self) -> str:
        """The cursor as JSON: ``after``, and the versions as base64 Arrow IPC (compact, no tuples)."""
        data = json.loads(self._after_json())
        data["window"] = base64.b64encode(self._ipc()).decode()
        return json.dumps(data)

    @classmethod
    def from_json(cls, text: str | bytes, ipc: bytes | None = None) -> Since:
        """Read :meth:`to_json` (or the JSON part and the IPC bytes stored apart, as :func:`attach` does)."""
        data = json.loads(text)
        after = datetime.fromisoformat(data["after"]) if data.get("after") else None
        if "window" in data:
            ipc = base64.b64decode(data["window"])
        if ipc is not None:
            return cls(after, window=pa.ipc.open_stream(ipc).read_all())
        return cls(after, ((str(s), int(a), int(t), int(u)) for s, a, t, u in data.get("seen", [])))


def cursor_of(value: object) -> Since | None:
    """The cursor in ``value`` (a ``Since``, a previous pull's DataFrame or Arrow table), else None."""
    if isinstance(value, Since):
        return value
    if isinstance(value, pd.DataFrame):
        found = value.attrs.get("since")
        return found if isinstance(found, Since) else _no_cursor()
    if isinstance(value, pa.Table):
        meta = value.schema.metadata or {}
        return Since.from_json(meta[_META], meta.get(_META_IPC)) if _META in meta else _no_cursor()
    return None


def _no_cursor() -> Since:
    from ls_notebook.errors import LabelStudioError

    raise LabelStudioError(
        "since= got a DataFrame/table that did not come from pull(): pass the previous pull's result "
        "unchanged, its .attrs['since'], or a timestamp."
    )


def _key_table(table: pa.Table) -> pa.Table:
    """The versions of ``table``'s rows (dated rows only), one row each, as a table of :data:`_KEYS`."""
    return pa.table(
        {
            "source": table.column("source"),
            "annotation": pc.fill_null(table.column("annotation_id"), -1),
            "task": pc.fill_null(table.column("task_id"), -1),
            "micros": pc.cast(table.column("updated_at"), pa.int64()),
        },
        schema=_KEY_SCHEMA,
    )


def _distinct_runs(keys: pa.Table) -> pa.Table:
    """``keys`` without rows equal to the row before (the result items of one annotation version are
    consecutive in a pulled table): a cheap, order-keeping de-duplication."""
    if keys.num_rows < 2:
        return keys
    keys = keys.combine_chunks()  # one chunk per column
    differs = None
    for name in _KEYS:
        column = keys.column(name).chunk(0)
        step = pc.not_equal(column.slice(1), column.slice(0, len(column) - 1))
        differs = step if differs is None else pc.or_(differs, step)
    return keys.filter(pa.concat_arrays([pa.array([True]), pc.fill_null(differs, True)]))


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
    """Rows of ``table`` not delivered under ``since`` (in their order)."""
    table = _after(table, since.after)
    if not len(since) or not table.num_rows:
        return table
    keys = _key_table(table).append_column("row", pa.array(np.arange(table.num_rows)))
    rows = keys.join(since._window, keys=list(_KEYS), join_type="left anti").column("row")
    return table.take(pc.take(rows, pc.sort_indices(rows)))  # the join does not keep the order


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
    window = _after(table.select(["source", "annotation_id", "task_id", "updated_at"]), after)
    return Since(after.astimezone(timezone.utc), window=_distinct_runs(_key_table(window)))


def attach(table: pa.Table, cursor: Since) -> pa.Table:
    """Return ``table`` with ``cursor`` in its schema metadata."""
    meta = dict(table.schema.metadata or {})
    meta[_META] = cursor._after_json().encode()
    meta[_META_IPC] = cursor._ipc()  # metadata values are bytes: no JSON or base64 copy
    return table.replace_schema_metadata(meta)
