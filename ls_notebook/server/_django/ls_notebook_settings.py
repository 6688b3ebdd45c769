"""Django settings of the Label Studio servers ls_notebook starts: Label Studio's own, plus a login hand-over.

Label Studio logs a browser in only through its CSRF-protected login form, and its ``sessionid`` cookie
is ``HttpOnly``: a page script cannot replace an older one (any visit to a Label Studio on the same host
leaves one), so a session obtained by the kernel cannot reliably be given to the browser. This module
adds one endpoint, ``ls-notebook/login?ticket=T[&next=PATH]``: when ``T`` matches a one-time ticket
the kernel wrote into the data dir (``ls_notebook.handover/<sha256(T)>``, at most
:data:`TICKET_SECONDS` old), it logs the ticket's user in, as Label Studio's login form does, and
answers 204 (or redirects to ``PATH``, relative to Label Studio's root). The cookie then comes from an
HTTP response, which replaces any older one; the ticket is deleted on use.

It runs inside the Label Studio process (``DJANGO_SETTINGS_MODULE``, with this folder on
``PYTHONPATH``), possibly in another Python environment: it imports nothing from ls_notebook.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

# Label Studio's settings read django.conf.settings while they load (Sentry, versions): that nested
# read must find Label Studio's own (partly loaded) module, as it does without this file.
os.environ["DJANGO_SETTINGS_MODULE"] = "label_studio.core.settings.label_studio"
try:
    from label_studio.core.settings.label_studio import *  # noqa: F403
    from label_studio.core.settings.label_studio import MIDDLEWARE
finally:
    os.environ["DJANGO_SETTINGS_MODULE"] = __name__

#: URL path (under Label Studio's root) of the hand-over endpoint.
HANDOVER_PATH = "/ls-notebook/login"
#: Folder of the data dir holding the tickets.
TICKET_FOLDER = "ls_notebook.handover"
#: Seconds a ticket stays valid.
TICKET_SECONDS = 120
#: Response header telling the kernel the endpoint exists.
HANDOVER_HEADER = "X-LS-Notebook-Handover"

MIDDLEWARE = [*MIDDLEWARE, "ls_notebook_settings.HandoverMiddleware"]

# `label-studio start` serves with Django's development server, which sends a response's headers and
# its body in separate writes: with Nagle's algorithm on, the body waits for the client's delayed ACK
# (40 ms on Linux) on every request of a kept-alive connection. Measured here: 52 ms -> 9 ms for
# GET /api/version, on every API call of the kernel. TCP_NODELAY on the server's connections:
try:
    from django.core.servers.basehttp import WSGIRequestHandler

    WSGIRequestHandler.disable_nagle_algorithm = True
except ImportError:  # another server: nothing to change
    pass


#: Line printed to the server log when ``label-studio init`` has migrated the database: the kernel's
#: progress display moves from "creating the database" to "creating the admin account" on it.
MIGRATED_MARKER = "ls_notebook: database migrated"
_migrated: list[bool] = []


def _report_migrated(**_kwargs: object) -> None:
    """``post_migrate`` receiver: print :data:`MIGRATED_MARKER` once (Django sends it once per app)."""
    if not _migrated:
        _migrated.append(True)
        print(MIGRATED_MARKER, flush=True)


try:
    from django.db.models.signals import post_migrate

    post_migrate.connect(_report_migrated, dispatch_uid="ls_notebook_migrated")
except ImportError:  # no Django signals: the display shows one database phase
    pass


def _safe_next(value: str) -> str | None:
    """A path relative to Label Studio's root (``projects/1/data?task=2``), or None."""
    if not value or value.startswith(("/", "\\")) or ":" in value.split("?", 1)[0] or "\\" in value:
        return None
    return value


class HandoverMiddleware:
    """Serve ``ls-notebook/login``: exchange a one-time ticket from the data dir for a login."""

    def __init__(self, get_response):  # type: ignore[no-untyped-def]
        self.get_response = get_response

    def __call__(self, request):  # type: ignore[no-untyped-def]
        if request.path_info.rstrip("/") != HANDOVER_PATH:
            return self.get_response(request)
        from django.http import HttpResponse, HttpResponseRedirect

        def refuse(status: int, text: str) -> HttpResponse:
            response = HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")
            response[HANDOVER_HEADER] = "1"
            return response

        ticket = request.GET.get("ticket", "")
        target = _safe_next(request.GET["next"]) if "next" in request.GET else ""
        if request.method != "GET" or not ticket or target is None:
            return refuse(400, "ls_notebook login hand-over: expects GET ?ticket=...&next=<relative path>.")
        folder = Path(os.environ.get("LABEL_STUDIO_BASE_DATA_DIR", "")) / TICKET_FOLDER
        path = folder / hashlib.sha256(ticket.encode()).hexdigest()
        try:
            age = time.time() - path.stat().st_mtime
            email = json.loads(path.read_text())["email"]
            path.unlink()
        except (OSError, ValueError, KeyError):
            return refuse(403, "This login link was used already or is unknown: run the notebook cell again.")
        if age > TICKET_SECONDS:
            return refuse(403, "This login link has expired: run the notebook cell again.")

        from django.contrib.auth import get_user_model
        from users.functions import login

        user = get_user_model().objects.filter(email=email).first()
        if user is None or not user.is_active:
            return refuse(403, f"No active Label Studio user {email}.")
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        # Without next=, only the cookie (204); else a redirect relative to this URL, which stays right
        # under a proxy prefix.
        response = HttpResponseRedirect("../" + target) if target else HttpResponse(status=204)
        response[HANDOVER_HEADER] = "1"
        return response
