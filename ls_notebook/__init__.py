"""ls_notebook: Label Studio inside the Jupyter notebook."""

from __future__ import annotations

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

__all__ = [
    "AuthenticationError",
    "ConfigError",
    "DataError",
    "LabelStudioError",
    "ProjectError",
    "PushInterruptedError",
    "ServerConnectionError",
    "ServerNotInstalledError",
    "ServerStartError",
    "__version__",
]
