"""Process manager for local Label Studio servers (no IPython, no SDK)."""

from ls_notebook.server._credentials import Credentials
from ls_notebook.server._files import default_data_dir
from ls_notebook.server._info import ServerInfo, running
from ls_notebook.server.manager import (
    StartFailed,
    StartLaunched,
    StartOutcome,
    StartReused,
    StartTimedOut,
    launch,
    stop_process,
)

__all__ = [
    "Credentials",
    "ServerInfo",
    "StartFailed",
    "StartLaunched",
    "StartOutcome",
    "StartReused",
    "StartTimedOut",
    "default_data_dir",
    "launch",
    "running",
    "stop_process",
]
