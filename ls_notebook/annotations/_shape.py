"""The pulled Arrow table as pandas frames: long (all ``pd.ArrowDtype``) and wide (one row per task)."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

from ls_notebook.annotations.schema import ANNOTATION_COLUMNS

__all__ = ["to_long", "to_wide"]


def to_long(table: pa.Table) -> pd.DataFrame:
    """Convert the table to a DataFrame whose every column is a ``pd.ArrowDtype`` (no copies of types).

    Examples
    --------
    >>> from ls_notebook.annotations import empty_table
    >>> to_long(empty_table()).dtypes["task_id"]
    int64[pyarrow]
    """
    return table.to_pandas(types_mapper=pd.ArrowDtype)


def _cell(values: pd.Series) -> object:
    out = [v for v in values if v is not None and v is not pd.NA]
    if not out:
        return None
    return out[0] if len(out) == 1 else out


def to_wide(table: pa.Table) -> pd.DataFrame:
    """One row per task, one column per ``(from_name, annotator)``: the label(s) or value given.

    A cell holds the single label (or text/number value), or a list when the annotator gave several
    (spans, boxes, multiple choices). Task key and data columns come first.

    Examples
    --------
    >>> from ls_notebook.annotations import empty_table
    >>> to_wide(empty_table()).shape
    (0, 2)
    """
    df = table.to_pandas()
    base = ["task_id", "key", *table.column_names[len(ANNOTATION_COLUMNS) :]]
    tasks = df[base].drop_duplicates("task_id").set_index("task_id")
    done = df[df["annotation_id"].notna() & df["from_name"].notna()].copy()
    if done.empty:
        tasks.columns = pd.MultiIndex.from_tuples([(c, "") for c in tasks.columns])
        return tasks.reset_index()
    shown = done["label"].where(done["label"].notna(), done["value"])
    multi = shown.isna() & done["labels"].notna()
    shown = shown.astype(object)
    shown[multi] = done.loc[multi, "labels"].map(lambda v: ", ".join(v))
    done["shown"] = shown
    wide = (
        done.groupby(["task_id", "from_name", "annotator"], sort=False)["shown"]
        .agg(_cell)
        .unstack(["from_name", "annotator"])
    )
    tasks.columns = pd.MultiIndex.from_tuples([(c, "") for c in tasks.columns])
    return tasks.join(wide, how="left").reset_index()
