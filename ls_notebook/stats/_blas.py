"""Run small BLAS products on one thread.

The agreement products (a units × (raters · categories) Gram matrix, Dawid–Skene's E-step) are thin:
tens of columns, many rows. OpenBLAS splits them across its threads anyway, and on a busy machine
with few cores those threads mostly wait for each other: five to ten times the CPU time and often
more wall time than one thread. ``threadpoolctl`` (a dependency) limits BLAS to one thread for the
duration of a ``with one_blas_thread():`` block.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["one_blas_thread"]

_BLAS: Any = None


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """Limit the BLAS libraries numpy and scipy loaded to one thread inside the block."""
    global _BLAS
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
    with _BLAS.limit(limits=1):
        yield
