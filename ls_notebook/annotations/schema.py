"""The one schema of ``Project.pull()``: the contract between the server and everything after it.

``pull(shape="long")`` returns one row per annotation result item (a region, a choice, a text), with
every column backed by ``pd.ArrowDtype``. Task data columns follow these fixed columns, named as in the
task's ``data``. A change of this schema is a visible diff in this file.

=================  ===============================  ==========================================================
column             Arrow type                       meaning
=================  ===============================  ==========================================================
task_id            int64                            Label Studio task id
key                string                           the push key of the task (``push(key=...)``), as text
annotation_id      int64                            Label Studio annotation id (null for a task with none)
annotator          string                           e-mail of the annotation's author
created_at         timestamp[us, UTC]               when the annotation was created
updated_at         timestamp[us, UTC]               when the annotation was last updated
lead_time          float64                          seconds the annotator spent
was_cancelled      bool                             the annotator skipped the task
ground_truth       bool                             the annotation is marked as ground truth
from_name          string                           the control tag's ``name`` (e.g. ``sentiment``)
to_name            string                           the object tag's ``name`` (e.g. ``text``)
type               string                           result type: choices, labels, rectanglelabels, textarea...
label              string                           the single label / choice (null when 0 or several)
labels             list<string>                     all labels / choices of the item
value              string                           text of a textarea, or a number/rating as text
number             float64                          numeric value (rating, number), else null
start              int64                            span start: character offset in a text
end                int64                            span end offset (exclusive)
text               string                           the span's text
start_time         float64                          region start in seconds (audio, video), or on the
                                                    time axis (time series)
end_time           float64                          region end, same unit
x, y               float64                          region's top-left corner, percent of the image
width, height      float64                          region size, percent of the image
rotation           float64                          rotation in degrees
points             list<list<float64>>              polygon / keypoint points, percent of the image
region_id          string                           the result item's ``id`` (links relations and
                                                    per-region text areas)
parent_id          string                           ``parentID`` of the item, if any
source             string                           ``annotation``, ``prediction`` (annotator is
                                                    ``model:<version>``) or ``draft``
=================  ===============================  ==========================================================

Positions: a result's ``start``/``end`` go to ``start``/``end`` (int64: character offsets stay
exact integers) unless its object tag (``to_name``) is an ``Audio``, ``AudioPlus``, ``Video`` or
``TimeSeries`` tag of the label config; then they go to ``start_time``/``end_time`` (float64: the
JSON numbers Label Studio stores, fractional seconds exact, a boundary at 2 s as 2.0).
A ``relation`` item (``type="relation"``) links two regions: ``region_id`` is its ``from_id``,
``parent_id`` its ``to_id``, ``value`` its direction and ``labels`` its relation labels. An annotation
with an empty result (a skipped task) has one row whose result columns are null; with
``include_unannotated`` a task without annotations has one row with a null ``annotation_id``.
A task data field whose name is a column above (e.g. ``text``) is named ``data.<field>``.
"""

from __future__ import annotations

import pyarrow as pa

__all__ = ["ANNOTATION_COLUMNS", "ANNOTATION_SCHEMA", "TIME_TAGS", "empty_table"]

_UTC_TS = pa.timestamp("us", tz="UTC")

#: Object tags (lower case) whose regions' ``start``/``end`` are times, pulled as ``start_time``/``end_time``.
TIME_TAGS = frozenset({"audio", "audioplus", "video", "timeseries"})

ANNOTATION_SCHEMA: pa.Schema = pa.schema(
    [
        ("task_id", pa.int64()),
        ("key", pa.string()),
        ("annotation_id", pa.int64()),
        ("annotator", pa.string()),
        ("created_at", _UTC_TS),
        ("updated_at", _UTC_TS),
        ("lead_time", pa.float64()),
        ("was_cancelled", pa.bool_()),
        ("ground_truth", pa.bool_()),
        ("from_name", pa.string()),
        ("to_name", pa.string()),
        ("type", pa.string()),
        ("label", pa.string()),
        ("labels", pa.list_(pa.string())),
        ("value", pa.string()),
        ("number", pa.float64()),
        ("start", pa.int64()),
        ("end", pa.int64()),
        ("text", pa.string()),
        ("start_time", pa.float64()),
        ("end_time", pa.float64()),
        ("x", pa.float64()),
        ("y", pa.float64()),
        ("width", pa.float64()),
        ("height", pa.float64()),
        ("rotation", pa.float64()),
        ("points", pa.list_(pa.list_(pa.float64()))),
        ("region_id", pa.string()),
        ("parent_id", pa.string()),
        ("source", pa.string()),
    ]
)

ANNOTATION_COLUMNS: tuple[str, ...] = tuple(ANNOTATION_SCHEMA.names)


def empty_table() -> pa.Table:
    """Return an empty table with the full annotation schema (what an empty project pulls)."""
    return ANNOTATION_SCHEMA.empty_table()
