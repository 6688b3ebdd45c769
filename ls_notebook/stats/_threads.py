"""One helper thread for the agreement engine's work that runs without the GIL.

Arrow's hashing kernels, BLAS products and most numpy loops on large arrays release the GIL, so on a
machine with a free core a second thread overlaps them with the Python-level work of the main one.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

__all__ = ["background"]

_EXECUTOR: ThreadPoolExecutor | None = None
_EXECUTOR_PID = 0


def background(fn: Callable[[], Any]) -> Future[Any]:
    """Run ``fn`` on the helper thread (created on first use, and again in a forked child)."""
    global _EXECUTOR, _EXECUTOR_PID
    if _EXECUTOR is None or os.getpid() != _EXECUTOR_PID:  # a forked child has no helper thread
        _EXECUTOR = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ls-notebook-stats")
        _EXECUTOR_PID = os.getpid()
    return _EXECUTOR.submit(fn)
