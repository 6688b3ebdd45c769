"""``%labelstudio start | attach | status | stop | projects``: server subcommands."""

from __future__ import annotations

import os
from typing import Any

from IPython.core.error import UsageError
from IPython.display import display

import ls_notebook as lsn
from ls_notebook.client import normalize_url
from ls_notebook.magics._parser import MagicArgumentParser

_start = MagicArgumentParser("start", "Start (or reuse) a local Label Studio server bound to 127.0.0.1.")
_start.add_argument("--port", type=int, default=None, help="port on 127.0.0.1 (default: a free one)")
_start.add_argument("--data-dir", default=None, help="server folder (default: the per-user data dir)")
_start.add_argument("--timeout", type=float, default=120, help="seconds to wait for the server")

_attach = MagicArgumentParser("attach", "Attach to a running Label Studio server.")
_attach.add_argument("url", nargs="?", default=None, help="server URL (default: $LABEL_STUDIO_URL)")
_attach.add_argument(
    "--api-key-env",
    default="LABEL_STUDIO_API_KEY",
    help="environment variable holding the API key (keys are never typed into a cell)",
)

_status = MagicArgumentParser("status", "Show the current server's card.")
_stop = MagicArgumentParser("stop", "Stop the current local server.")
_stop.add_argument("--data-dir", default=None, help="stop the server of this data dir instead")
_projects = MagicArgumentParser("projects", "List the current server's projects.")


def start(line: str, cell: str | None, shell: Any) -> lsn.Server:
    args = _start.parse_line(line)
    return lsn.start(port=args.port, data_dir=args.data_dir, timeout=args.timeout)


def attach(line: str, cell: str | None, shell: Any) -> lsn.Server:
    args = _attach.parse_line(line)
    url = normalize_url(args.url if args.url is not None else os.environ.get("LABEL_STUDIO_URL", ""))
    key = os.environ.get(args.api_key_env)
    if not key:
        raise UsageError(
            f"${args.api_key_env} is not set: put the API key in that environment variable (keys are not "
            "typed into cells, so they never end up in a saved notebook)."
        )
    return lsn.attach(url, api_key=key)


def status(line: str, cell: str | None, shell: Any) -> None:
    _status.parse_line(line)
    display(lsn.current().card())


def stop(line: str, cell: str | None, shell: Any) -> None:
    args = _stop.parse_line(line)
    stopped = lsn.stop(args.data_dir)
    print("Label Studio stopped." if stopped else "No local Label Studio server was running.")


def projects(line: str, cell: str | None, shell: Any) -> Any:
    _projects.parse_line(line)
    return lsn.current().projects()


COMMANDS = {
    "start": (start, _start),
    "attach": (attach, _attach),
    "status": (status, _status),
    "stop": (stop, _stop),
    "projects": (projects, _projects),
}
