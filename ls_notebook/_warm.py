"""Warm-up for the first labeling widget of a kernel: started explicitly, never by an import.

``start()``, ``attach()`` and ``%load_ext ls_notebook`` call :func:`warm` once they have done their
job. In a Jupyter kernel (and only there, once per process) it reads the installed Label Studio's
editor files in a background thread, so the first ``label()`` sends them without reading them first.
Outside a kernel (scripts, tests, the server manager) it does nothing.
"""

from __future__ import annotations

import sys
import threading

__all__ = ["in_kernel", "warm"]

_WARMED = False


def in_kernel() -> bool:
    """Whether this process is a Jupyter kernel (IPython already imported, with a kernel)."""
    if "IPython" not in sys.modules:  # never import IPython just to ask
        return False
    from IPython import get_ipython

    return getattr(get_ipython(), "kernel", None) is not None


def warm() -> threading.Thread | None:
    """In a kernel, once: read the editor files in a background thread; the thread, or ``None``.

    Examples
    --------
    >>> from ls_notebook._warm import warm
    >>> warm() is None  # not in a kernel: nothing started
    True
    """
    global _WARMED
    if _WARMED or not in_kernel():
        return None
    _WARMED = True
    from ls_notebook.widgets._editor_bundle import warm_installed

    return warm_installed()
