"""The quickstart as a newcomer runs it: open it in JupyterLab, Run All, then label in its editor.

Its server keeps running after the last cell, so the editor above still saves (the test stops the
server in teardown). The kernel gets its own ``LS_NOTEBOOK_HOME`` holding a copy of the initialised
template as the default data dir (no ``label-studio init``; nbval's run of the quickstart is left alone).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import ls_notebook as lsn
from ls_notebook.server._info import for_data_dir
from tests._fixtures import copy_data_dir
from tests.browser._helpers import editor, wait_annotations, wait_state
from tests.browser._jupyter import Jupyter, close_notebooks, kernel_exec, open_notebook, wait_all_run

pytestmark = pytest.mark.browser

QUICKSTART = Path(__file__).resolve().parents[2] / "notebooks" / "quickstart.ipynb"


def test_quickstart_run_all_then_label_one_task(jupyter: Jupyter, page: object, template_dir: Path) -> None:
    data_dir = copy_data_dir(template_dir, "quickstart-home/default")
    shutil.copy(QUICKSTART, jupyter.root / QUICKSTART.name)
    # Earlier tests leave their widgets in the session's shared notebook, which stays in the page (a
    # hidden tab, first in document order): clear them so that widget 0 is the quickstart's.
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs')")  # type: ignore[attr-defined]
    page.wait_for_function("() => document.querySelectorAll('.lsn-lab').length === 0")  # type: ignore[attr-defined]
    open_notebook(page, QUICKSTART.name)
    try:
        kernel_exec(page, f"import os; os.environ['LS_NOTEBOOK_HOME'] = {str(data_dir.parent)!r}")
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")  # type: ignore[attr-defined]
        assert wait_all_run(page) == []
        assert for_data_dir(data_dir.resolve()) is not None  # Run All left the notebook's server running
        server = lsn.start(data_dir=data_dir, progress=False)  # reuses it
        project = server.project("Quickstart reviews")
        stand_in = project.pull(progress=False)  # Ann's and Bob's labels from the stand-in cell
        assert server.user not in set(stand_in["annotator"])
        # The editor opened above the stand-in cells: label its task and submit, as a newcomer would.
        wait_state(page, "ready")
        frame = editor(page)
        frame.locator("label", has_text="positive").first.click()
        frame.get_by_role("button", name="Submit").click()
        wait_annotations(server, project.id, len(stand_in) + 1, timeout=60)
        labels = project.pull(progress=False)
        mine = labels[labels["annotator"] == server.user]
        assert len(labels) == len(stand_in) + 1 and mine["label"].tolist() == ["positive"], mine
    finally:
        close_notebooks(page, jupyter, [QUICKSTART.name])
        assert lsn.stop(data_dir=data_dir) is True  # the notebook left it running
