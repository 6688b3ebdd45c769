"""The continuous labeling loop: pre-labeling, syncing new rows, watching for labels, uncertainty queues,
labels from code and the inline editor's kernel side.

:class:`Loop` is the ``project.loop`` namespace of :class:`~ls_notebook.Project` (whose flat names
``prelabel``, ``sync``, ``watch``, ``queue``, ``use_uncertainty_sampling``, ``annotate`` are aliases
of it). The functions take a :class:`~ls_notebook.client.ProjectRef`.
"""

from ls_notebook.loop._annotate import annotate
from ls_notebook.loop._namespace import Loop
from ls_notebook.loop._prelabel import PrelabelResult, prelabel
from ls_notebook.loop._queue import queue, use_uncertainty_sampling
from ls_notebook.loop._sync import sync
from ls_notebook.loop._watch import Watcher, watch

__all__ = [
    "Loop",
    "PrelabelResult",
    "Watcher",
    "annotate",
    "prelabel",
    "queue",
    "sync",
    "use_uncertainty_sampling",
    "watch",
]
