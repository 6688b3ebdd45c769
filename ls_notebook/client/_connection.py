"""One connection to one Label Studio server: every HTTP request of the package goes through it.

A :class:`Connection` holds the server's URL and API key and gives, for that server:

- :attr:`Connection.sdk`: the ``label_studio_sdk.LabelStudio`` client, for the endpoints the SDK
  covers well (projects, users, annotations, storages, ML backends);
- :meth:`Connection.request`: one raw request whose failures become the package's exceptions, for
  the endpoints the SDK is slow at or lacks (bulk import, task pages with ``include=``, file uploads,
  data-manager actions, media under ``/data/``);
- :meth:`Connection.pages`: the pages of ``/api/tasks`` (one paging loop for the whole package);
- :meth:`Connection.stream`: a streamed download (exports).

Both share one ``httpx.Client`` (one pool of kept-alive connections) that is re-created when a local
server comes back on another port (:meth:`Connection.follow_restart`). Timeouts are set in one place,
:data:`TIMEOUTS` (see :class:`Timeouts`). Every raw request passes through :meth:`Connection.send`,
the one place where retries or network-fault handling can be added.

The only reach into the SDK's internals is :meth:`Connection.headers`: the SDK builds the
``Authorization`` header (a legacy token, or a Personal Access Token exchanged for short-lived access
tokens) and has no public method returning it.
"""

from __future__ import annotations

import contextlib
import threading
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from ls_notebook.client._errors import api_errors
from ls_notebook.errors import LabelStudioError

if TYPE_CHECKING:
    from label_studio_sdk import LabelStudio

    from ls_notebook.server import ServerInfo

__all__ = ["TIMEOUTS", "Connection", "Timeouts"]


@dataclass
class Timeouts:
    """Seconds to wait for Label Studio, for every request of the package.

    Change them for the whole kernel with ``ls_notebook.client.TIMEOUTS.request = 1200`` (new
    connections use the new values).

    Attributes
    ----------
    connect : float
        Opening a TCP connection.
    request : float
        One raw request or a pause in a download: bulk imports of 5,000 tasks and exports take
        minutes on a busy server.
    sdk : float
        One request made by the SDK client (project, user, annotation calls).
    probe : float
        Reachability, key and login checks (``attach()``, the web UI's login).
    """

    connect: float = 10.0
    request: float = 600.0
    sdk: float = 120.0
    probe: float = 10.0

    def httpx(self) -> httpx.Timeout:
        return httpx.Timeout(self.request, connect=self.connect)


#: The package's timeouts (one instance, read whenever a client is created).
TIMEOUTS = Timeouts()


def new_client(base_url: str = "", **kwargs: Any) -> httpx.Client:
    """An ``httpx.Client`` with the package's settings (timeouts; no proxy from the environment).

    For requests that have no :class:`Connection` yet (the checks of ``attach()``, a browser-style
    login).
    """
    kwargs.setdefault("timeout", TIMEOUTS.httpx())
    return httpx.Client(base_url=base_url, trust_env=False, **kwargs)


def _detail(resp: httpx.Response) -> str:
    """The server's explanation on one line (its ``detail`` field when it sent JSON)."""
    try:
        body = resp.json()
    except ValueError:
        body = None
    text = str(body.get("detail") or body) if isinstance(body, dict) else resp.text
    first = text.strip().splitlines()[0] if text.strip() else ""  # not a database error's context lines
    return " ".join(first.split())[:300] or "no detail"


class Connection:
    """The package's connection to one Label Studio server (URL, key, HTTP clients, error mapping).

    Parameters
    ----------
    url : str
        Base URL as the kernel reaches the server.
    api_key : str
        A legacy token or a Personal Access Token. Never shown by any repr or message.
    info : ServerInfo, optional
        For a local server started by ``ls_notebook.start()``: its info file, so that the connection
        follows the server when it is restarted on the same data dir (new port, new pid).
    version : str, optional
        The server's Label Studio release, when known.

    Examples
    --------
    >>> conn = Connection("http://127.0.0.1:8080", "secret")
    >>> conn.url
    'http://127.0.0.1:8080'
    >>> "secret" in repr(conn)
    False
    """

    def __init__(
        self, url: str, api_key: str, *, info: ServerInfo | None = None, version: str | None = None
    ) -> None:
        self._url = url.rstrip("/")
        self.__api_key = api_key
        self._info = info
        self._version = version or (info.version if info else None)
        self._sdk: LabelStudio | None = None
        self._http: httpx.Client | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Connection({self._url!r})"

    # -- where the server is -------------------------------------------------------------------------
    @property
    def url(self) -> str:
        """The server's URL as the kernel reaches it (a local server's follows it across restarts)."""
        self.follow_restart()
        return self._url

    @property
    def info(self) -> ServerInfo | None:
        """The info file of a local server (None for an attached one)."""
        self.follow_restart()
        return self._info

    @property
    def is_local(self) -> bool:
        """True for a server started by ``ls_notebook.start()``."""
        return self._info is not None

    @property
    def data_dir(self) -> Path | None:
        """The data dir of a local server (None for an attached one)."""
        return Path(self._info.data_dir) if self._info else None

    @property
    def version(self) -> str:
        """The Label Studio release of the server (e.g. ``'1.23.2'``), read once."""
        if not self._version:
            from ls_notebook.server._net import server_version

            self._version = server_version(self.url) or "unknown"
        return self._version

    def follow_restart(self) -> None:
        """Adopt the new port and pid of a local server restarted on the same data dir.

        When the recorded process is gone and the data dir's info file names a live server (started
        again by ``ls_notebook.start()`` in this or another kernel), this connection talks to that one
        from now on. A server that is not running again is left as it is, so the next request fails
        with an error saying how to restart it.
        """
        info = self._info
        if info is None or info.process() is not None:
            return
        from ls_notebook.server._info import for_data_dir

        fresh = for_data_dir(Path(info.data_dir))
        if fresh is None or fresh.pid == info.pid:
            return
        with self._lock:
            old = self._http
            self._info, self._url, self._sdk, self._http = fresh, fresh.url.rstrip("/"), None, None
            self._version = fresh.version or self._version
        if old is not None:
            old.close()

    def with_key(self, api_key: str) -> Connection:
        """A connection to the same server authenticated with another key (e.g. another user's)."""
        return Connection(self.url, api_key, info=self._info, version=self._version)

    # -- clients -------------------------------------------------------------------------------------
    @property
    def http(self) -> httpx.Client:
        """The ``httpx.Client`` of this server (kept-alive connections, shared with :attr:`sdk`)."""
        url = self.url
        with self._lock:
            if self._http is None or self._http.is_closed:
                self._http = httpx.Client(base_url=url, timeout=TIMEOUTS.httpx(), trust_env=False)
                # kept-alive sockets are closed when this connection (its Server) is collected
                weakref.finalize(self, self._http.close)
            return self._http

    @property
    def sdk(self) -> LabelStudio:
        """The ``label_studio_sdk.LabelStudio`` client, authenticated with this connection's key."""
        http = self.http
        with self._lock:
            if self._sdk is None:
                from label_studio_sdk import LabelStudio

                self._sdk = LabelStudio(
                    base_url=self._url, api_key=self.__api_key, timeout=TIMEOUTS.sdk, httpx_client=http
                )
            return self._sdk

    def headers(self) -> dict[str, str]:
        """Headers authenticating a raw request (the SDK's: legacy token or PAT access token)."""
        return self.sdk._client_wrapper.get_headers()

    def errors(self, doing: str) -> contextlib.AbstractContextManager[None]:
        """Context manager turning SDK/HTTP failures inside it into the package's exceptions."""
        return api_errors(doing, self._url)

    # -- raw requests --------------------------------------------------------------------------------
    def send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Send one authenticated request; the response whatever its status (the hook for retries)."""
        headers = {**self.headers(), **(kwargs.pop("headers", None) or {})}
        return self.http.request(method, path, headers=headers, **kwargs)

    def request(
        self,
        method: str,
        path: str,
        doing: str,
        refused: type[LabelStudioError] = LabelStudioError,
        **kwargs: Any,
    ) -> Any:
        """Send one request and return its decoded JSON, raising the package's errors on failure.

        ``doing`` says what the request is for (it ends up in error messages); a 4xx answer raises
        ``refused`` (e.g. :class:`~ls_notebook.DataError` when the server rejects the data).
        """
        with self.errors(doing):
            resp = self.send(method, path, **kwargs)
        check(resp, doing, refused)
        return resp.json() if resp.content else None

    @contextlib.contextmanager
    def stream(self, method: str, path: str, doing: str, **kwargs: Any) -> Iterator[httpx.Response]:
        """A streamed response (read it with ``iter_bytes``); an HTTP error status raises."""
        headers = {**self.headers(), **(kwargs.pop("headers", None) or {})}
        with self.errors(doing), self.http.stream(method, path, headers=headers, **kwargs) as resp:
            if resp.status_code >= 400:
                resp.read()
                check(resp, doing, LabelStudioError)
            yield resp

    def pages(
        self, project_id: int, doing: str, *, page_size: int = 500, resolve_uri: bool = False, **params: Any
    ) -> Iterator[tuple[list[dict[str, Any]], int]]:
        """The pages of ``/api/tasks`` of a project: ``(tasks, total)`` per page, until ``total``.

        ``params`` go to the query (``fields``, ``include``, ``query``...). ``resolve_uri=False``
        keeps the stored URLs; ``True`` has the server turn storage URIs into URLs it serves (what
        an editor shows). The last page is known from the reported ``total``, so no request is made
        for an empty page.
        """
        page, seen = 1, 0
        while True:
            body = self.request(
                "GET",
                "/api/tasks/",
                doing,
                params={
                    "project": project_id,
                    "page": page,
                    "page_size": page_size,
                    "resolve_uri": str(resolve_uri).lower(),
                    **params,
                },
            )
            tasks: list[dict[str, Any]] = body.get("tasks", []) if isinstance(body, dict) else body or []
            total = int(body.get("total", 0)) if isinstance(body, dict) else len(tasks)
            yield tasks, total
            seen += len(tasks)
            if not tasks or seen >= total:
                return
            page += 1


def check(resp: httpx.Response, doing: str, refused: type[LabelStudioError] = LabelStudioError) -> None:
    """Raise the package's error for an HTTP error status of ``resp`` (nothing for 1xx-3xx)."""
    if resp.status_code >= 500:
        raise LabelStudioError(
            f"Label Studio failed while {doing} (HTTP {resp.status_code}: {_detail(resp)}). Retry; if it "
            "persists, look at the server's log (server.log in the data dir of a local server)."
        )
    if resp.status_code >= 400:
        raise refused(f"Label Studio answered HTTP {resp.status_code} while {doing}: {_detail(resp)}")
