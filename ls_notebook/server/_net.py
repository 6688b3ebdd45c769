"""Ports and health checks on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request

LOOPBACK = "127.0.0.1"

# Never route loopback checks through an HTTP proxy from the environment.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def port_in_use(port: int, host: str = LOOPBACK) -> bool:
    """True when something accepts connections (or holds the address) at ``host:port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        if sock.connect_ex((host, port)) == 0:
            return True
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # Like a server would: connections left in TIME_WAIT do not make the port busy.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return True
    return False


def healthy(url: str, timeout: float = 2.0) -> bool:
    """True when Label Studio at ``url`` answers ``GET /health`` with status UP."""
    try:
        with _OPENER.open(url.rstrip("/") + "/health", timeout=timeout) as resp:
            body = json.loads(resp.read().decode() or "{}")
    except (OSError, ValueError, urllib.error.URLError):
        return False
    return isinstance(body, dict) and body.get("status") == "UP"


def server_version(url: str, timeout: float = 5.0) -> str | None:
    """Return the Label Studio release at ``url`` (``/api/version``, no login needed), or None."""
    try:
        with _OPENER.open(url.rstrip("/") + "/api/version", timeout=timeout) as resp:
            body = json.loads(resp.read().decode() or "{}")
    except (OSError, ValueError, urllib.error.URLError):
        return None
    release = body.get("release") if isinstance(body, dict) else None
    return str(release) if release else None
