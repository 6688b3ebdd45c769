"""jupyter-server-proxy entry, Location/origin rewriting and links behind JupyterHub (no server)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from ls_notebook import _api, proxy
from ls_notebook._links import browser_url
from ls_notebook.server._proxy import PLACEHOLDER_ORIGIN, proxy_env, trusted_origins


class Headers(dict):
    """Case-sensitive stand-in for tornado's HTTPHeaders, enough for ``get``/item assignment."""


def response(location: str | None = None, body: bytes = b"") -> SimpleNamespace:
    headers = Headers()
    if location is not None:
        headers["Location"] = location
    return SimpleNamespace(headers=headers, body=body, code=302 if location else 200)


def request(path: str, host: str = "127.0.0.1:8888", **headers: str) -> SimpleNamespace:
    return SimpleNamespace(path=path, host=host, protocol="http", headers=Headers(headers))


def test_entry_point_config() -> None:
    config = proxy.setup_label_studio()
    assert config["absolute_url"] is False and config["timeout"] >= 60
    assert config["command"][-2:] == ["{port}", "{base_url}"]
    assert config["launcher_entry"]["title"] == "Label Studio"
    assert config["rewrite_response"] is proxy.rewrite_response
    assert config["port"] == 48080


def test_entry_point_is_registered() -> None:
    from importlib.metadata import entry_points

    (entry,) = [e for e in entry_points(group="jupyter_serverproxy_servers") if e.name == "label-studio"]
    assert entry.load() is proxy.setup_label_studio


@pytest.mark.parametrize(
    ("version", "expected"),
    [("4.4.0", "/user/a/label-studio/user/login/"), ("4.5.0", "/user/login/"), ("4.6.0", "/user/login/")],
)
def test_location_is_stripped_only_where_the_proxy_adds_the_prefix(
    monkeypatch: pytest.MonkeyPatch, version: str, expected: str
) -> None:
    monkeypatch.setattr(proxy, "readds_location_prefix", lambda: proxy._version_tuple(version) >= (4, 5))
    resp = response("/user/a/label-studio/user/login/?next=/user/a/label-studio/projects/")
    proxy.rewrite_response(resp, request("/user/a/label-studio/"))
    assert resp.headers["Location"].split("?")[0] == expected


def test_placeholder_origin_becomes_the_browsers() -> None:
    body = f'<script>var host = "{PLACEHOLDER_ORIGIN}/user/a/label-studio";</script>'.encode()
    resp = response(f"{PLACEHOLDER_ORIGIN}/user/a/label-studio/projects/", body)
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "hub.example"}
    req = request("/user/a/label-studio/x", **forwarded)
    proxy.rewrite_response(resp, req)
    assert resp.body == b'<script>var host = "https://hub.example/user/a/label-studio";</script>'
    assert resp.headers["Location"] == "https://hub.example/user/a/label-studio/projects/"
    plain = response(body=b"no placeholder")
    proxy.rewrite_response(plain, request("/user/a/label-studio/"))
    assert plain.body == b"no placeholder" and "Location" not in plain.headers


def test_context_and_strip() -> None:
    assert proxy._context("/user/a/label-studio/static/x.js") == "/user/a/label-studio"
    assert proxy._context("/label-studio") == "/label-studio"
    assert proxy.strip_location("/user/a/label-studio", "/user/a/label-studio") == "/"
    assert proxy.strip_location("/elsewhere/", "/user/a/label-studio") == "/elsewhere/"


def test_environment_and_trusted_origins(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LS_NOTEBOOK_PUBLIC_ORIGIN", "JUPYTERHUB_PUBLIC_URL", "JUPYTERHUB_EXTERNAL_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LS_NOTEBOOK_PUBLIC_ORIGIN", "https://lab.example.org/some/path")
    env = proxy_env("/user/a/")
    assert env["LABEL_STUDIO_HOST"] == f"{PLACEHOLDER_ORIGIN}/user/a/label-studio"
    assert "https://lab.example.org" in env["LABEL_STUDIO_CSRF_TRUSTED_ORIGINS"].split(",")
    monkeypatch.setenv("BINDER_LAUNCH_HOST", "https://mybinder.org/")
    assert "https://*.mybinder.org" in trusted_origins()


def test_start_behind_the_hub_uses_the_proxy_route(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LS_NOTEBOOK_PROXY_URL", raising=False)
    monkeypatch.setenv("LS_NOTEBOOK_PROXY_PORT", "47001")
    monkeypatch.delenv("JUPYTERHUB_SERVICE_PREFIX", raising=False)
    assert _api._behind_hub(None, None) == (None, None)
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/a/")
    port, env = _api._behind_hub(None, {"EXTRA": "1"})
    assert port == 47001 and env is not None
    assert env["LABEL_STUDIO_HOST"].endswith("/user/a/label-studio") and env["EXTRA"] == "1"
    assert _api._behind_hub(9000, None) == (9000, None)  # an explicit other port: /proxy/<port>/
    assert browser_url("http://127.0.0.1:47001", 47001, "projects/1") == "/user/a/label-studio/projects/1"
    assert browser_url("http://127.0.0.1:9000", 9000, "") == "/user/a/proxy/9000/"


def test_css_font_urls_get_the_prefix() -> None:
    css = b"@font-face{src:url(/static/fonts/a.woff)} .x{background:url('/static/i.png')}"
    resp = response(body=css)
    resp.headers["Content-Type"] = "text/css; charset=utf-8"
    proxy.rewrite_response(resp, request("/user/a/label-studio/static/css/main.css"))
    assert resp.body == (
        b"@font-face{src:url(/user/a/label-studio/static/fonts/a.woff)} "
        b".x{background:url('/user/a/label-studio/static/i.png')}"
    )
