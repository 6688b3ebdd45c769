"""Browser-style login (session cookie + CSRF) for what the API key cannot do."""

from __future__ import annotations

import httpx

from ls_notebook.client._connection import TIMEOUTS, new_client
from ls_notebook.errors import AuthenticationError
from ls_notebook.server._handover import HANDOVER_HEADER, HANDOVER_PATH


def handover_supported(url: str) -> bool:
    """True when the server at ``url`` serves the login hand-over (it was started by this ls_notebook)."""
    try:
        with new_client(timeout=TIMEOUTS.probe) as http:
            response = http.get(f"{url.rstrip('/')}/{HANDOVER_PATH}")
    except httpx.HTTPError:
        return False
    return response.headers.get(HANDOVER_HEADER) == "1"


def login(url: str, email: str, password: str, timeout: float = 30.0) -> httpx.Client:
    """Log in to Label Studio's web UI and return an ``httpx.Client`` holding the session.

    The client sends the CSRF header on unsafe requests. Close it when done.
    """
    client = new_client(url, timeout=timeout)
    client.get("/user/login/")
    csrf = client.cookies.get("csrftoken", "")
    resp = client.post(
        "/user/login/",
        data={"email": email, "password": password, "csrfmiddlewaretoken": csrf},
        headers={"Referer": f"{url}/user/login/"},
    )
    if resp.status_code != 302 or "sessionid" not in client.cookies:
        client.close()
        raise AuthenticationError(f"Logging in to {url} as {email} failed: check the e-mail and password.")
    client.headers.update({"X-CSRFToken": client.cookies.get("csrftoken", ""), "Referer": url})
    return client
