"""Browser-style login (session cookie + CSRF) for what the API key cannot do."""

from __future__ import annotations

import httpx

from ls_notebook.errors import AuthenticationError


def login(url: str, email: str, password: str, timeout: float = 30.0) -> httpx.Client:
    """Log in to Label Studio's web UI and return an ``httpx.Client`` holding the session.

    The client sends the CSRF header on unsafe requests. Close it when done.
    """
    client = httpx.Client(base_url=url, timeout=timeout, trust_env=False)
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
