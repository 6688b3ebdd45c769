"""ls_notebook: Label Studio inside the Jupyter notebook."""

from __future__ import annotations

from ls_notebook import configs, stats
from ls_notebook._api import attach, current, servers, start, stop
from ls_notebook._project import Project
from ls_notebook._server import Server
from ls_notebook._users import User
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
from ls_notebook.project._push import PushResult
from ls_notebook.stats import agreement, consensus

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


def load_ipython_extension(ipython):  # type: ignore[no-untyped-def]
    """``%load_ext ls_notebook``: register the ``%labelstudio`` magics (imported lazily)."""
    from ls_notebook.magics import load_ipython_extension as _load

    _load(ipython)
