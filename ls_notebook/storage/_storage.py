"""Source and target storages of a project: connect (idempotent), sync with progress, remove."""

from __future__ import annotations

import html
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ls_notebook._html import facts_table
from ls_notebook.client import api_errors
from ls_notebook.errors import DataError, LabelStudioError
from ls_notebook.storage._credentials import azure_credentials, gcs_credentials, s3_credentials

if TYPE_CHECKING:
    from ls_notebook.client import ProjectRef

__all__ = ["Storage", "SyncResult", "connect", "parse_uri"]

_SCHEMES = {"s3": "s3", "gs": "gcs", "gcs": "gcs", "azure-blob": "azure", "az": "azure"}


def parse_uri(uri: str) -> tuple[str, str, str]:
    """Split ``s3://bucket/some/prefix`` into ``("s3", "bucket", "some/prefix")``.

    Examples
    --------
    >>> parse_uri("s3://data/images/"), parse_uri("gs://b"), parse_uri("azure-blob://c/x")
    (('s3', 'data', 'images'), ('gcs', 'b', ''), ('azure', 'c', 'x'))
    """
    parts = urlsplit(str(uri))
    kind = _SCHEMES.get(parts.scheme.lower())
    if kind is None or not parts.netloc:
        raise DataError(
            f"{uri!r} is not a storage URI: use s3://bucket/prefix, gs://bucket/prefix or "
            "azure-blob://container/prefix."
        )
    return kind, parts.netloc, parts.path.strip("/")


@dataclass(frozen=True)
class SyncResult:
    """Outcome of :meth:`Storage.sync`: tasks created (source) or annotations written (target)."""

    count: int
    existed: int
    status: str


class Storage:
    """A bucket connected to a project (from :meth:`Project.connect_storage`); holds no credentials.

    Attributes
    ----------
    project : ProjectRef
    uri : str
        ``s3://bucket/prefix`` as given.
    target : bool
        True for an export (target) storage, False for a source of tasks.
    id : int
        Label Studio's storage id.
    """

    def __init__(self, project: ProjectRef, uri: str, target: bool, storage_id: int) -> None:
        self.project = project
        self.uri = uri
        self.kind, self.bucket, self.prefix = parse_uri(uri)
        self.target = target
        self.id = int(storage_id)

    def _api(self) -> Any:
        client = self.project.conn.sdk
        group = client.export_storage if self.target else client.import_storage
        return getattr(group, self.kind)

    def info(self) -> dict[str, Any]:
        """The storage's state on the server: ``status``, ``last_sync``, ``last_sync_count``, ``meta``."""
        with api_errors(f"reading storage {self.id}", self.project.conn.url):
            found = self._api().get(id=self.id)
        return {
            "status": str(getattr(found, "status", "") or ""),
            "last_sync": getattr(found, "last_sync", None),
            "last_sync_count": int(getattr(found, "last_sync_count", 0) or 0),
            "meta": dict(getattr(found, "meta", None) or {}),
            "traceback": getattr(found, "traceback", None),
        }

    def sync(self, progress: bool = True, timeout: float = 3600.0) -> SyncResult:
        """Scan the bucket and create tasks (source), or write the annotations to it (target).

        Objects already linked are skipped, so syncing again creates only new tasks. A progress bar
        counts tasks as the server creates them.

        Examples
        --------
        >>> images.sync()                                                 # doctest: +SKIP
        SyncResult(count=12, existed=0, status='completed')
        """
        failure: list[BaseException] = []

        def run() -> None:
            try:
                with api_errors(f"syncing storage {self.uri}", self.project.conn.url):
                    self._api().sync(id=self.id)
            except BaseException as exc:
                failure.append(exc)

        worker = threading.Thread(target=run, name=f"lsn-sync-{self.id}", daemon=True)
        worker.start()
        bar = None
        if progress:
            from tqdm.auto import tqdm

            unit = "annotations" if self.target else "tasks"
            bar = tqdm(desc=f"sync {self.uri}", unit=f" {unit}", total=None)
        deadline = time.monotonic() + timeout
        try:
            while worker.is_alive() and time.monotonic() < deadline:
                worker.join(0.5)
                if bar is not None:
                    with _quiet():
                        bar.n = self.info()["last_sync_count"]
                        bar.refresh()
            if worker.is_alive():
                raise LabelStudioError(f"Syncing {self.uri} did not finish in {timeout:.0f} s.")
            if failure:
                raise failure[0]
            state = self.info()
            if bar is not None:
                bar.n = state["last_sync_count"]
                bar.refresh()
        finally:
            if bar is not None:
                bar.close()
        if state["status"] == "failed":
            tail = str(state.get("traceback") or "").strip().splitlines()[-3:]
            raise LabelStudioError(f"Label Studio failed to sync {self.uri}: {' '.join(tail)}")
        meta = state["meta"]
        return SyncResult(
            count=state["last_sync_count"],
            existed=int(meta.get("tasks_existed", 0) or 0),
            status=state["status"],
        )

    def remove(self) -> None:
        """Disconnect the storage from the project (tasks already created stay)."""
        with api_errors(f"removing storage {self.uri}", self.project.conn.url):
            self._api().delete(id=self.id)

    def __repr__(self) -> str:
        role = "target" if self.target else "source"
        return f"Storage({self.uri!r}, {role}, id={self.id}, project={self.project.id})"

    def _repr_html_(self) -> str:
        state = self.info()
        rows = [
            ("Storage", html.escape(self.uri)),
            ("Role", "target (exports)" if self.target else "source (tasks)"),
            ("Status", html.escape(state["status"] or "not synced")),
            ("Last sync count", str(state["last_sync_count"])),
        ]
        return facts_table(rows, "lsn-storage")


class _quiet:
    """Ignore failures of a progress poll (the sync itself reports errors)."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, typ: Any, exc: Any, tb: Any) -> bool:
        return isinstance(exc, LabelStudioError)


def _settings(
    kind: str,
    bucket: str,
    prefix: str,
    target: bool,
    json_tasks: bool,
    pattern: str | None,
    endpoint_url: str | None,
    region: str | None,
    profile: str | None,
    presign: bool,
    presign_ttl: int,
    recursive: bool,
    can_delete_objects: bool,
) -> dict[str, Any]:
    out: dict[str, Any] = {"prefix": prefix}
    out["container" if kind == "azure" else "bucket"] = bucket
    if pattern is not None:
        out["regex_filter"] = pattern
    if target:
        out["can_delete_objects"] = can_delete_objects
    else:
        out.update(use_blob_urls=not json_tasks, presign=presign, presign_ttl=presign_ttl)
        out["recursive_scan"] = recursive
    if kind == "s3":
        if endpoint_url:
            out["s3endpoint"] = endpoint_url
        out.update(s3_credentials(profile, region))
    elif kind == "gcs":
        out.update(gcs_credentials())
    else:
        out.update(azure_credentials())
    return out


def _existing(api: Any, project: ProjectRef, kind: str, bucket: str, prefix: str) -> int | None:
    with api_errors("listing the project's storages", project.conn.url):
        found = api.list(project=project.id)
    for storage in found:
        name = getattr(storage, "container" if kind == "azure" else "bucket", None)
        if name == bucket and (getattr(storage, "prefix", "") or "").strip("/") == prefix:
            return int(storage.id)
    return None


def connect(
    project: ProjectRef,
    uri: str,
    *,
    target: bool = False,
    json_tasks: bool = False,
    pattern: str | None = None,
    endpoint_url: str | None = None,
    region: str | None = None,
    profile: str | None = None,
    presign: bool = True,
    presign_ttl: int = 15,
    recursive: bool = True,
    title: str | None = None,
    sync: bool = True,
    progress: bool = True,
    can_delete_objects: bool = False,
) -> Storage:
    """Connect ``uri`` to ``project`` as a source (tasks) or target (exports); reuse an existing one.

    Parameters
    ----------
    project : ProjectRef
    uri : str
        ``s3://bucket/prefix``, ``gs://bucket/prefix`` or ``azure-blob://container/prefix``.
    target : bool
        Connect a target storage: :meth:`Storage.sync` writes each annotation to the bucket as JSON.
    json_tasks : bool
        The objects are JSON/JSONL files holding tasks (e.g. a manifest listing ``s3://`` image URIs).
        By default each object (image, audio, text file) becomes one task pointing at it.
    pattern : str, optional
        Regular expression the object keys must match (e.g. ``r".*\\.jpg"``).
    endpoint_url : str, optional
        An S3-compatible endpoint (MinIO, Ceph, moto...) as the *server* reaches it.
    region, profile : str, optional
        AWS region and boto3 profile to read credentials from.
    presign, presign_ttl : bool, int
        Browsers get presigned URLs valid ``presign_ttl`` minutes (else the server proxies bytes).
    recursive : bool
        Scan below the prefix recursively.
    title : str, optional
        Title shown in the project's settings.
    sync : bool
        Sync a source right away (with a progress bar unless ``progress=False``).
    can_delete_objects : bool
        Target only: delete an object from the bucket when its annotation is deleted.

    Returns
    -------
    Storage

    Examples
    --------
    >>> images = connect(project, "s3://bucket/images", pattern=r".*\\.png",   # doctest: +SKIP
    ...                  endpoint_url="http://127.0.0.1:9000")
    """
    kind, bucket, prefix = parse_uri(uri)
    client = project.conn.sdk
    api = getattr(client.export_storage if target else client.import_storage, kind)
    settings = _settings(
        kind,
        bucket,
        prefix,
        target,
        json_tasks,
        pattern,
        endpoint_url,
        region,
        profile,
        presign,
        presign_ttl,
        recursive,
        can_delete_objects,
    )
    settings["title"] = title or uri
    existing = _existing(api, project, kind, bucket, prefix)
    doing = f"connecting {uri} to project {project.id}"
    with api_errors(doing, project.conn.url):
        if existing is None:
            storage_id = api.create(project=project.id, **settings).id
        else:
            storage_id = api.update(id=existing, **settings).id or existing
    settings.clear()  # drop the credentials now
    storage = Storage(project, uri, target, int(storage_id))
    if sync and not target:
        storage.sync(progress=progress)
    return storage
