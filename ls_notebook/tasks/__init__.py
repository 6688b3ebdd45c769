"""DataFrame → Label Studio tasks (pure: no server, no I/O).

- :func:`as_pandas` is the one entry for frames: pandas, polars, pyarrow, any Arrow PyCapsule stream
  (:mod:`ls_notebook.tasks._frames`); :func:`to_backend` the way out (``pull(backend=...)``).
- :func:`build_tasks` checks a frame against a label config and returns task dicts, one per row.
- Values are converted faithfully (:func:`column_to_json`): numpy scalars, NaN/None/``pd.NA`` → null,
  timestamps → ISO 8601, ``Decimal`` → number (or text when a float would change its digits),
  lists/dicts recursively, Arrow-backed and categorical columns; anything else is a
  :class:`~ls_notebook.errors.DataError` naming the column and row.
- The push key of a row (a column, or the index) is stored as text in the task's
  ``meta["ls_notebook_key"]`` (:data:`KEY_FIELD`).
- Predictions in simple forms are converted to result JSON (see :mod:`ls_notebook.tasks._predictions`).
"""

from ls_notebook.tasks._build import TaskBatch, build_tasks, check_columns
from ls_notebook.tasks._coerce import column_to_json, to_json_value
from ls_notebook.tasks._frames import as_pandas, backend_of, is_frame, to_backend
from ls_notebook.tasks._keys import KEY_FIELD, row_keys
from ls_notebook.tasks._predictions import to_prediction

__all__ = [
    "KEY_FIELD",
    "TaskBatch",
    "as_pandas",
    "backend_of",
    "build_tasks",
    "check_columns",
    "column_to_json",
    "is_frame",
    "row_keys",
    "to_backend",
    "to_json_value",
    "to_prediction",
]
