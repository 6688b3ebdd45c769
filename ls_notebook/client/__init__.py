"""Talking to Label Studio: one :class:`Connection` per server, URL and key checks, session login,
error translation, and the :class:`ProjectRef` the layers under the facade work with."""

from ls_notebook.client._checks import check_auth, check_reachable, normalize_url
from ls_notebook.client._connection import TIMEOUTS, Connection, Timeouts, new_client
from ls_notebook.client._errors import api_errors, translate
from ls_notebook.client._ref import ProjectRef
from ls_notebook.client._session import handover_supported, login

__all__ = [
    "TIMEOUTS",
    "Connection",
    "ProjectRef",
    "Timeouts",
    "api_errors",
    "check_auth",
    "check_reachable",
    "handover_supported",
    "login",
    "new_client",
    "normalize_url",
    "translate",
]
