"""nbval runs these notebooks (``make test``). Each leaves its Label Studio server running, as it does
for a user after Run All (so its inline editor stays live); the test run stops the servers a notebook
started once its last cell has run.
"""

from __future__ import annotations

from pathlib import Path

import pytest

# Servers and their registry live under the run's temporary LS_NOTEBOOK_HOME, also when only
# notebooks/ is collected (importing the suite's conftest sets it).
import tests.conftest  # noqa: F401

_running_before: dict[Path, set[int]] = {}


def _pids() -> set[int]:
    from ls_notebook.server import running

    return {info.pid for info in running()}


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.path.suffix == ".ipynb" and item.path not in _running_before:
        _running_before[item.path] = _pids()


def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    """After a notebook's last cell: stop the servers it started (also when a cell failed)."""
    if item.path.suffix != ".ipynb" or (nextitem is not None and nextitem.path == item.path):
        return
    from ls_notebook.server import running, stop_process

    before = _running_before.pop(item.path, set())
    for info in running():
        if info.pid not in before:
            stop_process(info)
