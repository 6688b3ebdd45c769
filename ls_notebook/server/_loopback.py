"""Settings that let a local Label Studio reach services on this machine's loopback interface.

Label Studio refuses, as a guard against server-side request forgery, to call addresses in reserved
networks: ML backends, webhooks and S3 endpoints on ``127.0.0.1`` are all refused by default. A server
started by :func:`ls_notebook.start` listens on ``127.0.0.1`` only and serves one notebook user, whose
kernel hosts the ML backend (:meth:`Project.serve_model`) and possibly a local S3-compatible store, so
its environment unbans the loopback networks and keeps every other reserved network banned. Timeouts
for calls to the ML backend are raised because that backend shares the kernel's CPU.
"""

from __future__ import annotations

__all__ = ["BANNED_SUBNETS", "loopback_env"]

#: Label Studio's default banned subnets (``core.utils.io.validate_ip``) without 127.0.0.0/8 and ::1.
BANNED_SUBNETS = (
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.0.0.0/24",
    "192.0.2.0/24",
    "192.88.99.0/24",
    "192.168.0.0/16",
    "198.18.0.0/15",
    "198.51.100.0/24",
    "203.0.113.0/24",
    "224.0.0.0/4",
    "233.252.0.0/24",
    "240.0.0.0/4",
    "255.255.255.255/32",
    "::/128",
    "64:ff9b::/96",
    "64:ff9b:1::/48",
    "100::/64",
    "2001:0000::/32",
    "2001:20::/28",
    "2001:db8::/32",
    "2002::/16",
    "fc00::/7",
    "fe80::/10",
    "ff00::/8",
)


def loopback_env() -> dict[str, str]:
    """Environment variables for a local server: loopback reachable, other reserved networks banned.

    Examples
    --------
    >>> env = loopback_env()
    >>> env["USE_DEFAULT_BANNED_SUBNETS"], "127.0.0.0/8" in env["USER_ADDITIONAL_BANNED_SUBNETS"]
    ('false', False)
    """
    return {
        "USE_DEFAULT_BANNED_SUBNETS": "false",
        "USER_ADDITIONAL_BANNED_SUBNETS": ",".join(BANNED_SUBNETS),
        "ML_CONNECTION_TIMEOUT": "5",
        "ML_TIMEOUT_HEALTH": "10",
        "ML_TIMEOUT_SETUP": "30",
        "WEBHOOK_TIMEOUT": "10",
    }
