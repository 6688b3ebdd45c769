"""ls_notebook: Label Studio inside the Jupyter notebook.

``import ls_notebook`` is cheap: the public names below are imported on first use (PEP 562), so the
Label Studio SDK, its config schema (jsonschema), scipy and matplotlib load when a function needs them.
In a kernel, the first ``start()``/``attach()`` or ``%load_ext ls_notebook`` reads the editor files
the first ``label()`` sends, in a background thread (see ``ls_notebook._warm``); a bare import never.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ls_notebook._version import __version__
from ls_notebook.errors import (
    AuthenticationError,
    ConfigError,
    DataError,
    LabelStudioError,
    ProjectError,
    PushInterruptedError,
    ServerConnectionError,
    ServerNotInstalledError,
    ServerStartError,
)

if TYPE_CHECKING:
    from ls_notebook import configs, stats
    from ls_notebook._api import attach, current, servers, start, stop
    from ls_notebook._project import Project
    from ls_notebook._server import Server
    from ls_notebook._users import User
    from ls_notebook.project._push import PushResult
    from ls_notebook.stats import agreement, consensus

# Public name -> the module that defines it (imported on first access).
_LAZY = {
    "attach": "ls_notebook._api",
    "current": "ls_notebook._api",
    "servers": "ls_notebook._api",
    "start": "ls_notebook._api",
    "stop": "ls_notebook._api",
    "Server": "ls_notebook._server",
    "User": "ls_notebook._users",
    "Project": "ls_notebook._project",
    "PushResult": "ls_notebook.project._push",
    "agreement": "ls_notebook.stats",
    "consensus": "ls_notebook.stats",
}
_SUBMODULES = ("configs", "stats")

__all__ = [
    "AuthenticationError",
    "ConfigError",
    "DataError",
    "LabelStudioError",
    "Project",
    "ProjectError",
    "PushInterruptedError",
    "PushResult",
    "Server",
    "ServerConnectionError",
    "ServerNotInstalledError",
    "ServerStartError",
    "User",
    "__version__",
    "agreement",
    "attach",
    "configs",
    "consensus",
    "current",
    "servers",
    "start",
    "stats",
    "stop",
]


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"ls_notebook.{name}")
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'ls_notebook' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


def load_ipython_extension(ipython):  # type: ignore[no-untyped-def]
    """``%load_ext ls_notebook``: register the ``%labelstudio`` magics (imported lazily)."""
    from ls_notebook._warm import warm
    from ls_notebook.magics import load_ipython_extension as _load

    _load(ipython)
    warm()  # in a kernel: the first label()'s editor files, read in the background
