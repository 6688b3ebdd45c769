"""Run small BLAS products on one thread.

The agreement products (a units × (raters · categories) Gram matrix, Dawid–Skene's E-step) are thin:
tens of columns, many rows. OpenBLAS splits them across its threads anyway, and on a busy machine
with few cores those threads mostly wait for each other: five to ten times the CPU time and often
more wall time than one thread. ``threadpoolctl`` (a dependency) limits BLAS to one thread for the
duration of a ``with one_blas_thread():`` block. The limit is process-wide, so blocks entered from
several threads share it: the first one in sets it and the last one out restores the old setting.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

__all__ = ["one_blas_thread"]

_BLAS: Any = None
_LOCK = threading.Lock()
_DEPTH = 0
_LIMIT = ExitStack()


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """Limit the BLAS libraries numpy and scipy loaded to one thread inside the block."""
    global _BLAS, _DEPTH
    if _BLAS is None:
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:  # still correct, only slower on a busy machine
            _BLAS = False
        else:
            _BLAS = ThreadpoolController().select(user_api="blas")
    if _BLAS is False:
        yield
        return
    with _LOCK:
        if _DEPTH == 0:
            _LIMIT.enter_context(_BLAS.limit(limits=1))
        _DEPTH += 1
    try:
        yield
    finally:
        with _LOCK:
            _DEPTH -= 1
            if _DEPTH == 0:
                _LIMIT.close()
