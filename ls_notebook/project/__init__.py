"""The ``Project`` class: one Label Studio project, seen from the notebook."""

from ls_notebook.project._project import Project

__all__ = ["Project"]
