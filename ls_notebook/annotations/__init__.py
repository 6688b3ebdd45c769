"""Task/annotation JSON or database rows → the Arrow table of :mod:`ls_notebook.annotations.schema`.

Pure: no server, no I/O. Every pull path (API pages, the incremental cache, the direct database
read) goes through :func:`tasks_to_table`, so they return the same table.
"""

from ls_notebook.annotations._flatten import DATA_PREFIX, data_column_name, tasks_to_table
from ls_notebook.annotations._shape import to_long, to_wide
from ls_notebook.annotations.schema import ANNOTATION_COLUMNS, ANNOTATION_SCHEMA, TIME_TAGS, empty_table

__all__ = [
    "ANNOTATION_COLUMNS",
    "ANNOTATION_SCHEMA",
    "DATA_PREFIX",
    "TIME_TAGS",
    "data_column_name",
    "empty_table",
    "tasks_to_table",
    "to_long",
    "to_wide",
]
