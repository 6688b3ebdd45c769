"""Task / annotation JSON (from the API, an export, or database rows) → the Arrow table of the schema.

One function, :func:`tasks_to_table`, serves every pull path, so they return the same table for the
same project. Its input is an iterable of task dicts shaped like the API's
``/api/tasks?fields=all``: ``{"id", "data", "meta", "annotations": [...], "predictions": [...],
"drafts": [...]}`` where each annotation has ``id, completed_by (user id or dict), created_at,
updated_at, lead_time, was_cancelled, ground_truth, result``.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ls_notebook.annotations.schema import ANNOTATION_COLUMNS, ANNOTATION_SCHEMA

__all__ = ["DATA_PREFIX", "KEY_FIELD", "data_column_name", "tasks_to_table"]

KEY_FIELD = "ls_notebook_key"  # same as ls_notebook.tasks.KEY_FIELD (kept here: no cross-layer import)
DATA_PREFIX = "data."
_FIXED = frozenset(ANNOTATION_COLUMNS)
_RESULT_COLUMNS = ANNOTATION_COLUMNS[ANNOTATION_COLUMNS.index("from_name") :]
CHUNK_ROWS = 4_000  # rows per Arrow chunk of the fixed columns (few Python objects alive at once)


def data_column_name(name: str) -> str:
    """Column name of task data field ``name``: as is, or ``data.<name>`` if it clashes with the schema.

    Examples
    --------
    >>> data_column_name("review"), data_column_name("text")
    ('review', 'data.text')
    """
    return f"{DATA_PREFIX}{name}" if name in _FIXED or name.startswith(DATA_PREFIX) else name


def _num(v: Any) -> float | None:
    if isinstance(v, bool) or v is None:
        return None
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def _int(v: Any) -> int | None:
    f = _num(v)
    return int(f) if f is not None and f.is_integer() else None


def _labels_of(rtype: str, value: Mapping[str, Any]) -> list[str] | None:
    raw = value.get(rtype)
    if rtype == "pairwise":
        raw = [value["selected"]] if value.get("selected") is not None else None
    if not isinstance(raw, list):
        return None
    out = []
    for item in raw:
        out.append("/".join(map(str, item)) if isinstance(item, list) else str(item))  # taxonomy paths
    return out


def _result_row(item: Mapping[str, Any], time_objects: Collection[str] = ()) -> dict[str, Any]:
    rtype = str(item.get("type") or "").lower()
    value = item.get("value") or {}
    row: dict[str, Any] = {
        "from_name": item.get("from_name"),
        "to_name": item.get("to_name"),
        "type": rtype or None,
        "region_id": item.get("id"),
        "parent_id": item.get("parentID"),
    }
    if rtype == "relation":  # a link between two regions: from → region_id, to → parent_id
        labels = [str(v) for v in item.get("labels") or []]
        row.update(region_id=item.get("from_id"), parent_id=item.get("to_id"), value=item.get("direction"))
        row.update(labels=labels, label=labels[0] if len(labels) == 1 else None)
        return row
    labels = _labels_of(rtype, value)
    row["labels"] = labels
    row["label"] = labels[0] if labels and len(labels) == 1 else None
    text = value.get("text")
    if isinstance(text, list):  # textarea (also per-region transcriptions)
        row["value"] = "\n".join(map(str, text))
    elif isinstance(text, str):
        row["text"] = text
    for numeric in ("rating", "number"):
        if numeric in value:
            row["number"] = _num(value[numeric])
            row["value"] = None if value[numeric] is None else str(value[numeric])
    if "start" in value and "end" in value:
        if item.get("to_name") in time_objects:  # seconds (audio, video) or the time series' axis
            row["start_time"], row["end_time"] = _num(value["start"]), _num(value["end"])
        elif rtype not in ("choices", "pairwise"):  # character offsets
            row["start"], row["end"] = _int(value["start"]), _int(value["end"])
    for geo in ("x", "y", "width", "height", "rotation"):
        if geo in value:
            row[geo] = _num(value[geo])
    if isinstance(value.get("points"), list):
        row["points"] = [[float(c) for c in p] for p in value["points"]]
    elif rtype.startswith("keypoint") and "x" in value and "y" in value:
        row["points"] = [[float(value["x"]), float(value["y"])]]
    return row


def _author(completed_by: Any, users: Mapping[int, str]) -> str | None:
    if isinstance(completed_by, Mapping):
        return completed_by.get("email")
    if completed_by is None:
        return None
    return users.get(int(completed_by), str(completed_by))


_UTC_US = pa.timestamp("us", tz="UTC")


def _timestamps(values: list[Any]) -> pa.Array:
    """ISO 8601 strings → UTC timestamps; naive ones are UTC, as Label Studio stores them."""
    try:  # Arrow parses the API's and the database's "...Z" / "+00:00" forms in C
        return pc.cast(pa.array(values, type=pa.string()), _UTC_US)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        pass
    parsed = pd.to_datetime(pd.Series(values, dtype=object), utc=True, format="ISO8601")
    naive = parsed.dt.tz_convert(None).to_numpy("datetime64[us]")
    return pa.array(naive, from_pandas=True).cast(pa.timestamp("us", tz="UTC"))


def _data_array(values: list[Any]) -> pa.Array:
    try:
        return pa.array(values, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):  # mixed types: keep as JSON text
        return pa.array(
            [None if v is None else v if isinstance(v, str) else json.dumps(v) for v in values],
            type=pa.string(),
        )


def _loads(v: Any) -> Any:
    return json.loads(v) if isinstance(v, str) else v


def tasks_to_table(
    tasks: Iterable[Mapping[str, Any]],
    users: Mapping[int, str] | None = None,
    *,
    include_unannotated: bool = False,
    include_predictions: bool = False,
    include_drafts: bool = False,
    time_objects: Collection[str] = (),
) -> pa.Table:
    """Flatten tasks with their annotations into one Arrow table (one row per result item).

    An annotation with an empty result (e.g. a skipped task) gives one row with null result columns.
    With ``include_unannotated`` a task without annotations gives one row with a null
    ``annotation_id``. Predictions (``source="prediction"``, ``annotator`` = ``model:<version>``) and
    drafts (``source="draft"``) are added on request. Task data fields follow the fixed columns
    (see :func:`data_column_name`). ``time_objects`` names the object tags (``to_name``) whose
    regions' start/end are times (``start_time``/``end_time``); others give character offsets.

    Examples
    --------
    >>> task = {"id": 1, "data": {"text": "hi"}, "meta": {"ls_notebook_key": "a"}, "annotations": [
    ...     {"id": 9, "completed_by": 2, "created_at": "2024-01-01T00:00:00Z",
    ...      "updated_at": "2024-01-01T00:00:00Z", "lead_time": 1.5, "was_cancelled": False,
    ...      "ground_truth": False, "result": [{"id": "r", "from_name": "label", "to_name": "text",
    ...      "type": "choices", "value": {"choices": ["pos"]}}]}]}
    >>> t = tasks_to_table([task], {2: "ann@example.com"})
    >>> t.select(["task_id", "key", "annotator", "label", "data.text"]).to_pylist()
    [{'task_id': 1, 'key': 'a', 'annotator': 'ann@example.com', 'label': 'pos', 'data.text': 'hi'}]
    """
    users = users or {}
    cols: dict[str, list[Any]] = {name: [] for name in ANNOTATION_COLUMNS}
    done: dict[str, list[pa.Array]] = {name: [] for name in ANNOTATION_COLUMNS}
    data_names: dict[str, None] = {}
    row_data: list[Mapping[str, Any]] = []
    empty = dict.fromkeys(_RESULT_COLUMNS)

    def flush() -> None:  # fixed columns go to Arrow every CHUNK_ROWS rows: few Python objects alive
        for field in ANNOTATION_SCHEMA:
            values = cols[field.name]
            if values:
                typed = pa.types.is_timestamp(field.type)
                done[field.name].append(_timestamps(values) if typed else pa.array(values, type=field.type))
                values.clear()  # the same list: the appenders below stay bound to it

    head = [cols[name].append for name in ANNOTATION_COLUMNS[: ANNOTATION_COLUMNS.index("from_name")]]
    item_columns = [(cols[name].append, name) for name in _RESULT_COLUMNS if name != "source"]
    add_source = cols["source"].append
    no_annotation = [None] * 7

    def emit(
        task: Mapping[str, Any],
        data: Mapping[str, Any],
        key: Any,
        ann: Mapping[str, Any] | None,
        source: str,
        who: Any,
    ) -> None:
        if ann:
            result = _loads(ann.get("result"))
            fixed = [
                task["id"],
                None if key is None else str(key),
                ann.get("id") if source == "annotation" else None,
                who,
                ann.get("created_at"),
                ann.get("updated_at"),
                _num(ann.get("lead_time")),
                bool(ann.get("was_cancelled")),
                bool(ann.get("ground_truth")),
            ]
        else:
            result, fixed = None, [task["id"], None if key is None else str(key), *no_annotation]
        items = [_result_row(item, time_objects) for item in result or []] or [empty]
        for item in items:
            for append, value in zip(head, fixed, strict=True):
                append(value)
            add_source(source if ann else None)
            for append, name in item_columns:
                append(item.get(name))
            row_data.append(data)

    # A list is sorted by task id here; an iterator (a database stream) is read once, in its order,
    # and the rows are sorted by task id at the end if it was not in order (a stable sort: same rows).
    ordered = sorted(tasks, key=lambda t: t["id"]) if isinstance(tasks, list) else tasks
    last_id, in_order = None, True
    for task in ordered:
        if last_id is not None and task["id"] < last_id:
            in_order = False
        last_id = task["id"]
        data = _loads(task.get("data")) or {}
        for name in data:
            data_names.setdefault(name)
        key = (_loads(task.get("meta")) or {}).get(KEY_FIELD)
        anns = sorted(task.get("annotations") or [], key=lambda a: a["id"])
        for ann in anns:
            emit(task, data, key, ann, "annotation", _author(ann.get("completed_by"), users))
        if include_predictions:
            for pred in sorted(task.get("predictions") or [], key=lambda p: p["id"]):
                emit(task, data, key, pred, "prediction", f"model:{pred.get('model_version') or ''}")
        if include_drafts:
            for draft in task.get("drafts") or []:
                emit(task, data, key, draft, "draft", _author(draft.get("user"), users))
        if include_unannotated and not anns:
            emit(task, data, key, None, "annotation", None)
        if len(cols["task_id"]) >= CHUNK_ROWS:
            flush()
    flush()

    arrays: list[pa.ChunkedArray] = [pa.chunked_array(done[f.name], type=f.type) for f in ANNOTATION_SCHEMA]
    fields = list(ANNOTATION_SCHEMA)
    for name in data_names:
        column = _data_array([d.get(name) for d in row_data])
        arrays.append(pa.chunked_array([column]))
        fields.append(pa.field(data_column_name(name), column.type))
    table = pa.Table.from_arrays(arrays, schema=pa.schema(fields))
    if not in_order:
        table = table.take(pc.sort_indices(table, sort_keys=[("task_id", "ascending")]))
    return table
