"""Argument parsing for ``%labelstudio`` that raises ``UsageError`` instead of exiting."""

from __future__ import annotations

import argparse
import shlex
from collections.abc import Callable
from typing import Any, NoReturn

from IPython.core.error import UsageError

from ls_notebook.errors import LabelStudioError


class HelpShown(Exception):
    """Raised after ``--help`` printed its text: the magic returns without doing anything."""


class MagicArgumentParser(argparse.ArgumentParser):
    """``argparse`` for magics: errors become one-line ``UsageError``; ``--help`` prints and returns."""

    def __init__(self, prog: str, description: str = "", **kwargs: Any) -> None:
        super().__init__(prog=f"%labelstudio {prog}", description=description, add_help=True, **kwargs)

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}. Run '{self.prog} --help' for usage.")

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message:
            print(message)
        raise HelpShown

    def parse_line(self, line: str) -> argparse.Namespace:
        """Split ``line`` like a shell and parse it."""
        try:
            argv = shlex.split(line)
        except ValueError as exc:
            raise UsageError(f"{self.prog}: cannot parse arguments ({exc}).") from None
        return self.parse_args(argv)


def run_command(func: Callable[[], Any]) -> Any:
    """Run a subcommand body, turning package errors into ``UsageError`` (one line, no traceback)."""
    try:
        return func()
    except HelpShown:
        return None
    except LabelStudioError as exc:
        raise UsageError(str(exc)) from None
