"""Locating the bundled widget frontends (build output of ``js/``)."""

from __future__ import annotations

from pathlib import Path

from ls_notebook.errors import LabelStudioError

STATIC = Path(__file__).resolve().parent.parent / "static"


def bundle(name: str) -> Path:
    """Return the path of ``static/<name>``, or explain how to build it when it is missing."""
    path = STATIC / name
    if not path.is_file():
        raise LabelStudioError(
            f"The widget bundle {path} is missing: build the frontend with `make js` (or `cd js && npm "
            "install && npm run build`), or reinstall ls_notebook from a wheel."
        )
    return path
