"""The continuous labeling loop: pre-labeling, syncing new rows, watching for labels, uncertainty queues.

Each function takes a :class:`~ls_notebook.Project`; :class:`~ls_notebook.Project` exposes them as
methods (``prelabel``, ``sync``, ``watch``, ``queue``, ``use_uncertainty_sampling``, ``annotate``).
"""

from ls_notebook.loop._annotate import annotate
from ls_notebook.loop._prelabel import PrelabelResult, prelabel
from ls_notebook.loop._queue import queue, use_uncertainty_sampling
from ls_notebook.loop._sync import sync
from ls_notebook.loop._watch import Watcher, watch

__all__ = [
    "PrelabelResult",
    "Watcher",
    "annotate",
    "prelabel",
    "queue",
    "sync",
    "use_uncertainty_sampling",
    "watch",
]
