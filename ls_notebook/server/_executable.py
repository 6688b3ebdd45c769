"""Finding the ``label-studio`` executable (this environment, another one, or $PATH)."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from ls_notebook.errors import ServerNotInstalledError

ENV_VAR = "LS_NOTEBOOK_SERVER_EXECUTABLE"
INSTALL_HINT = 'pip install "ls_notebook[server]"'


def find_executable(executable: str | os.PathLike[str] | None = None) -> Path:
    """Return the path of the ``label-studio`` executable to run.

    Looked up in order: ``executable``, ``$LS_NOTEBOOK_SERVER_EXECUTABLE`` (a server installed in
    another environment, since Label Studio pins Django and friends), the running Python's
    environment, then ``$PATH``.

    Raises
    ------
    ServerNotInstalledError
        When none is found, naming the exact ``pip install`` to run.
    """
    explicit = executable or os.environ.get(ENV_VAR)
    if explicit:
        path = Path(explicit).expanduser()
        found = path if path.is_file() else shutil.which(str(explicit))
        if not found or not os.access(found, os.X_OK):
            source = "executable=" if executable else f"${ENV_VAR}"
            raise ServerNotInstalledError(
                f"The Label Studio executable given by {source} ({explicit}) does not exist or is not "
                f"executable. Point it at the 'label-studio' script of an environment where you ran "
                f"`{INSTALL_HINT}`."
            )
        return Path(found)
    candidate = Path(sys.executable).parent / "label-studio"
    if candidate.is_file() and os.access(candidate, os.X_OK):
        return candidate
    on_path = shutil.which("label-studio")
    if on_path:
        return Path(on_path)
    raise ServerNotInstalledError(
        "The Label Studio server is not installed in this environment. Run "
        f"`{INSTALL_HINT}` (about 1 GB), or pass executable= / set ${ENV_VAR} to a 'label-studio' "
        "installed elsewhere, or attach to a running server with ls_notebook.attach(url, api_key)."
    )
