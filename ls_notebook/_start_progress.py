"""Show a server launch's phases while they happen: one ``tqdm.auto`` bar.

``server.manager.launch`` reports :class:`~ls_notebook.server.manager.StartProgress` events (it
imports no display code); :class:`StartDisplay` shows them as one bar that names the phase and counts
the seconds: a widget in JupyterLab and Notebook 7, a line on stderr in a terminal. A reused server
sends no event, so nothing is shown.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

from ls_notebook.server.manager import StartProgress

_FORMAT = "{desc}: {bar} {n_fmt}/{total_fmt} steps [{elapsed}]"


class StartDisplay:
    """Callback for ``launch(progress=)`` that draws the phases; a context manager that closes the bar.

    Examples
    --------
    >>> from ls_notebook.server.manager import StartProgress
    >>> with StartDisplay() as show:
    ...     show(StartProgress("starting", 0.0, initializing=False))   # doctest: +SKIP
    ...     show.finish("Label Studio 1.23.2 is ready")                 # doctest: +SKIP
    """

    def __init__(self) -> None:
        self._bar: Any = None
        self._finished = False

    def __call__(self, event: StartProgress) -> None:
        if self._bar is None:
            from tqdm.auto import tqdm

            self._bar = tqdm(total=event.total, bar_format=_FORMAT, desc=event.label, leave=True)
        self._bar.set_description_str(event.label, refresh=False)
        self._bar.n = event.step
        self._bar.refresh()

    def finish(self, message: str) -> None:
        """Fill the bar and replace the phase with ``message`` (when something was shown)."""
        if self._bar is not None:
            self._finished = True
            self._bar.set_description_str(message, refresh=False)
            self._bar.n = self._bar.total
            self._bar.refresh()

    def __enter__(self) -> StartDisplay:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._bar is None:
            return
        if not self._finished:  # failed or interrupted: the bar stays at the phase that did not end
            self._bar.set_description_str(f"Stopped while: {self._bar.desc}", refresh=False)
        self._bar.close()
