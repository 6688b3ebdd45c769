"""The notebook's model as a Label Studio ML backend (:meth:`Project.serve_model`).

``ModelServer`` answers Label Studio's ML backend protocol from the kernel (tornado, 127.0.0.1, a
background thread), converts the model's outputs with :mod:`ls_notebook.tasks` prediction forms, and
runs ``train`` off the request thread when annotations arrive.
"""

from ls_notebook.model._adapter import ModelAdapter, ModelFailure
from ls_notebook.model._serve import TRAIN_EVENTS, ModelServer

__all__ = ["TRAIN_EVENTS", "ModelAdapter", "ModelFailure", "ModelServer"]
