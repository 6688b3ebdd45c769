"""The package's exception types.

Every error raised on purpose by ls_notebook derives from :class:`LabelStudioError` and carries a
message that says what went wrong and what to do next. Magics turn these into IPython
``UsageError`` (one line, no traceback).
"""

from __future__ import annotations

__all__ = [
    "AuthenticationError",
    "ConfigError",
    "DataError",
    "LabelStudioError",
    "MediaError",
    "ProjectError",
    "PushInterruptedError",
    "ServerConnectionError",
    "ServerNotInstalledError",
    "ServerStartError",
]


class LabelStudioError(Exception):
    """Base class of every error ls_notebook raises on purpose."""


class ServerNotInstalledError(LabelStudioError):
    """The ``label-studio`` server executable is not available in this environment."""


class ServerStartError(LabelStudioError):
    """A local Label Studio server could not be started (the message carries the log tail)."""


class ServerConnectionError(LabelStudioError):
    """The Label Studio server cannot be reached."""


class AuthenticationError(LabelStudioError):
    """The server refused the API key."""


class ProjectError(LabelStudioError):
    """A project could not be found, is ambiguous, or differs from what was asked for."""


class ConfigError(LabelStudioError, ValueError):
    """A label config is invalid, or data/predictions do not fit it."""


class DataError(LabelStudioError, ValueError):
    """A DataFrame (or value in it) cannot be turned into Label Studio tasks."""


class MediaError(LabelStudioError):
    """A task's media file could not be read for the inline editor (the message says which and why)."""


class PushInterruptedError(LabelStudioError):
    """A push stopped part-way; ``confirmed`` rows are on the server and re-running is safe."""

    def __init__(self, message: str, confirmed: int = 0) -> None:
        super().__init__(message)
        self.confirmed = confirmed
