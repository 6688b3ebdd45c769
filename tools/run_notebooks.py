"""Execute notebooks in place so their stored outputs are what nbval compares against.

Usage: ``python tools/run_notebooks.py notebooks/NAME.ipynb ...``. Servers live under a temporary
``LS_NOTEBOOK_HOME`` (as in the test suite), so a developer's own default server is left alone;
``LS_NOTEBOOK_TEMPLATE`` may name an initialised data dir to copy as the default one (skips the
first-start database creation). The servers the notebooks leave running are stopped at the end.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def main(paths: list[str]) -> int:
    home = Path(tempfile.mkdtemp(prefix="lsn-notebooks-"))
    os.environ["LS_NOTEBOOK_HOME"] = str(home)
    os.environ.setdefault("MPLBACKEND", "Agg")
    template = os.environ.get("LS_NOTEBOOK_TEMPLATE")
    if template:
        shutil.copytree(template, home / "default", ignore=shutil.ignore_patterns("server.log", "*.lock"))
    from ls_notebook.server import running, stop_process

    try:
        for name in paths:
            path = Path(name)
            nb = nbformat.read(path, as_version=4)
            client = NotebookClient(
                nb, timeout=1800, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
            )
            client.execute()
            nbformat.write(nb, path)
            print("executed", path, flush=True)
    finally:
        for info in running():  # the notebooks leave their servers running, as for a user
            stop_process(info)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
