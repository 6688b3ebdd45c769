"""``%labelstudio`` line and cell magics, routed to one small module per subcommand family.

Each family module exposes ``COMMANDS = {name: (function(line, cell, shell), parser)}``; a new family
is added to :data:`FAMILIES`. Errors reach the user as IPython ``UsageError`` (one line, no traceback).
"""

from __future__ import annotations

import importlib
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, magics_class

from ls_notebook.magics._parser import run_command

#: Modules (relative to this package) that provide subcommands.
FAMILIES = ("server", "data", "labeling", "stats")


def _commands() -> dict[str, Any]:
    table: dict[str, Any] = {}
    for family in FAMILIES:
        module = importlib.import_module(f"ls_notebook.magics.{family}")
        table.update(module.COMMANDS)
    return table


def usage() -> str:
    """Return the usage text of every subcommand."""
    lines = ["Usage: %labelstudio SUBCOMMAND [options]   (%labelstudio SUBCOMMAND --help for details)", ""]
    for name, (_func, parser) in _commands().items():
        lines.append(f"  {name:<10} {parser.description}")
    return "\n".join(lines)


@magics_class
class LabelStudioMagics(Magics):
    """The ``%labelstudio`` / ``%%labelstudio`` magic."""

    @line_cell_magic
    def labelstudio(self, line: str, cell: str | None = None) -> Any:
        """Label Studio from the notebook: ``%labelstudio --help`` lists the subcommands."""
        name, _, rest = line.strip().partition(" ")
        if name in ("", "-h", "--help", "help"):
            print(usage())
            return None
        commands = _commands()
        if name not in commands:
            known = ", ".join(commands)
            raise UsageError(f"Unknown subcommand {name!r} for %labelstudio. Known: {known}.")
        func, _parser = commands[name]
        return run_command(lambda: func(rest, cell, self.shell))


def load_ipython_extension(ipython: Any) -> None:
    """Register ``%labelstudio`` (called by ``%load_ext ls_notebook``)."""
    ipython.register_magics(LabelStudioMagics)
