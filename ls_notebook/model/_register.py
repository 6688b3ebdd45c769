"""Registering the kernel's backend on a project, and removing backends left by dead kernels."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx

from ls_notebook.client import api_errors, new_client
from ls_notebook.errors import LabelStudioError

if TYPE_CHECKING:
    from ls_notebook.client import ProjectRef

__all__ = ["MODEL_CLASS", "register", "remove_stale", "show_version", "unregister"]

log = logging.getLogger("ls_notebook.model")

#: ``model_class`` our backends report on ``/health``, to recognise them across kernels.
MODEL_CLASS = "ls_notebook"

# The connection's title is the model version. Label Studio shows annotators the predictions whose
# model_version equals the project's ``model_version``, which must name a live backend (by title) or
# versions of stored predictions; titling the backend with the version lets the project follow it.

_LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def _health(url: str) -> dict[str, Any] | None:
    """The backend's ``/health`` answer, or None when it does not answer."""
    try:
        with new_client(timeout=3.0) as http:
            response = http.get(url.rstrip("/") + "/health")
        return response.json() if response.status_code == 200 else None
    except (httpx.HTTPError, ValueError):
        return None


def _delete(project: ProjectRef, backend_id: int, url: str) -> None:
    client, server_url = project.conn.sdk, project.conn.url
    with api_errors(f"removing ML backend {backend_id}", server_url):
        client.ml.delete(id=backend_id)
        hook = url.rstrip("/") + "/webhook"
        for webhook in client.webhooks.list(project=str(project.id)):
            if webhook.url == hook and webhook.id is not None:
                client.webhooks.delete(id=webhook.id)


def remove_stale(project: ProjectRef) -> list[str]:
    """Remove loopback backends of ``project`` that are dead or served by ls_notebook; return their URLs.

    A restarted kernel leaves its backend registered with nobody answering: it is removed here, on the
    next ``serve_model``. A live ls_notebook backend (this or another kernel) is replaced too, so the
    project has one notebook model. Backends on other hosts are left alone.
    """
    removed = []
    with api_errors(f"listing the ML backends of project {project.id}", project.conn.url):
        backends = project.conn.sdk.ml.list(project=project.id)
    for backend in backends:
        url = str(backend.url or "")
        if urlsplit(url).hostname not in _LOCAL_HOSTS or backend.id is None:
            continue
        health = _health(url)
        if health is None or health.get("model_class") == MODEL_CLASS:
            log.info("Removing ML backend %s (%s) of project %s", backend.id, url, project.id)
            _delete(project, backend.id, url)
            removed.append(url)
    return removed


def register(project: ProjectRef, url: str, model_version: str, timeout: float) -> int:
    """Connect the backend at ``url`` to ``project``; set the project to show its predictions."""
    client, server_url = project.conn.sdk, project.conn.url
    try:
        with api_errors(f"connecting the ML backend {url} to project {project.id}", server_url):
            created = client.ml.create(
                project=project.id,
                url=url,
                title=model_version,
                description="The notebook's model, served by ls_notebook from the kernel.",
                is_interactive=False,
                auto_update=True,
                timeout=timeout,
            )
    except LabelStudioError as exc:
        if "reserved network" in str(exc) or "health check failed" in str(exc):
            raise LabelStudioError(
                f"Label Studio at {server_url} cannot call the kernel's backend at {url}: {exc}\n"
                "A server started by ls_notebook.start() allows calls to 127.0.0.1; a server started "
                "before this version does not: stop it (ls_notebook.stop()) and start it again. For a "
                "server you run yourself, set USE_DEFAULT_BANNED_SUBNETS=false (and "
                "USER_ADDITIONAL_BANNED_SUBNETS) or pass host= an address the server can reach."
            ) from None
        raise
    with api_errors(f"setting the model version of project {project.id}", server_url):
        client.projects.update(id=project.id, model_version=model_version, show_collab_predictions=True)
    return int(created.id)  # type: ignore[arg-type]


def show_version(project: ProjectRef, backend_id: int, url: str, model_version: str) -> None:
    """Retitle the backend with ``model_version`` and make the project show that version's predictions."""
    client, server_url = project.conn.sdk, project.conn.url
    with api_errors(f"updating the model version of project {project.id}", server_url):
        # Label Studio re-validates the connection on update: it needs the URL and project again.
        client.ml.update(id=backend_id, url=url, project=project.id, title=model_version)
        client.projects.update(id=project.id, model_version=model_version)


def unregister(project: ProjectRef, backend_id: int, url: str) -> None:
    """Remove the backend ``backend_id`` and its webhook from ``project`` (missing ones are fine)."""
    try:
        _delete(project, backend_id, url)
    except LabelStudioError as exc:
        if "404" not in str(exc) and "Not found" not in str(exc):
            raise
