"""The Project surface: options defined once (on the facade or its namespace), keyword-only, in one
order; the helpers underneath take them keyword-only without defaults."""

from __future__ import annotations

import inspect

import pytest

from ls_notebook._project import Project
from ls_notebook.loop import Loop, _prelabel, _queue, _sync, _watch
from ls_notebook.loop import _annotate as annotate_module
from ls_notebook.project import _export, _pull, _push
from ls_notebook.widgets import labeling

K = inspect.Parameter.KEYWORD_ONLY

# facade or namespace method -> the helper it calls (same option names)
PAIRS = [
    (Project.push, _push.push),
    (Project.pull, _pull.pull),
    (Project.pull_arrow, _pull.pull_arrow),
    (Project.export, _export.export),
    (Project.label, labeling.label),
    (Loop.prelabel, _prelabel.prelabel),
    (Loop.sync, _sync.sync),
    (Loop.queue, _queue.queue),
    (Loop.use_uncertainty_sampling, _queue.use_uncertainty_sampling),
    (Loop.annotate, annotate_module.annotate),
]


# What a call is about (given positionally); everything else is an option.
SUBJECTS = {"self", "project", "df", "model", "labels", "path", "callback"}


def options(fn, kinds=(K,)) -> dict[str, inspect.Parameter]:
    params = inspect.signature(fn).parameters.items()
    return {n: p for n, p in params if p.kind in kinds and n not in SUBJECTS}


@pytest.mark.parametrize(("method", "helper"), PAIRS, ids=[m.__qualname__ for m, _ in PAIRS])
def test_options_are_keyword_only_and_defined_once(method, helper):
    # the facade: keyword-only, except the first option of pull (shape) and label (tasks)
    public = options(method, (K, inspect.Parameter.POSITIONAL_OR_KEYWORD))
    positional = set(public) - set(options(method))
    assert positional <= {"shape", "tasks"}, positional
    # the helper: the same options, keyword-only, without defaults (a forgotten one is a TypeError)
    inner = options(helper)
    assert set(inner) - {"download_all_tasks"} == set(public), set(inner) ^ set(public)
    defaults = [n for n, p in inner.items() if p.default is not inspect.Parameter.empty]
    assert defaults in ([], ["download_all_tasks"]), f"{helper.__qualname__} defines defaults: {defaults}"


def test_watcher_options_are_keyword_only_without_defaults():
    inner = options(_watch.Watcher.__init__)
    assert set(inner) == set(options(Loop.watch))
    assert all(p.default is inspect.Parameter.empty for p in inner.values())


def test_pull_and_pull_arrow_list_their_flags_in_the_same_order():
    pull = [n for n in options(Project.pull) if n != "backend"]
    assert pull == list(options(Project.pull_arrow))


def test_the_flat_loop_names_are_aliases_of_the_namespace():
    for name in ("prelabel", "sync", "watch", "queue", "use_uncertainty_sampling", "annotate"):
        assert f"project.loop.{name}" in getattr(Project, name).__doc__
