"""Talking to Label Studio: URL and key checks, session login, error translation."""

from ls_notebook.client._checks import check_auth, check_reachable, normalize_url
from ls_notebook.client._errors import api_errors, translate
from ls_notebook.client._session import login

__all__ = ["api_errors", "check_auth", "check_reachable", "login", "normalize_url", "translate"]
