"""Label Studio's ML backend protocol over HTTP, served by tornado from a background thread.

Label Studio (``label_studio/ml/api_connector.py``) calls, relative to the backend URL:

==================  ======  ==========================================================================
path                method  body → answer
==================  ======  ==========================================================================
``/health``         GET     → ``{"status": "UP", "model_class": ...}`` (any 2xx JSON means alive)
``/setup``          POST    ``{project, schema, hostname, access_token, ...}`` → ``{"model_version"}``
``/predict``        POST    ``{tasks, project, label_config, params}`` → ``{"results": [one per task]}``
``/webhook``        POST    ``{"action": "ANNOTATION_CREATED", "project": {...}, ...}`` (training events)
``/train``          POST    legacy training call (``{annotations, project, label_config}``)
``/versions``       GET     → ``{"versions": [...]}``
==================  ======  ==========================================================================

Errors are answered as HTTP 500 with ``{"error": message}``, which Label Studio logs and shows.
The server runs its own asyncio loop in a daemon thread, so it answers while notebook cells run; the
model itself is called through :meth:`Handler.predict` in a worker thread, never on the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

import tornado.httpserver
import tornado.netutil
import tornado.web

__all__ = ["Backend", "Handler"]


class Handler(Protocol):
    """What the HTTP layer asks of the model server (all methods are called off the event loop)."""

    def health(self) -> dict[str, Any]: ...
    def setup(self, body: dict[str, Any]) -> dict[str, Any]: ...
    def predict(self, body: dict[str, Any]) -> dict[str, Any]: ...
    def webhook(self, body: dict[str, Any]) -> dict[str, Any]: ...
    def versions(self) -> dict[str, Any]: ...


class _Route(tornado.web.RequestHandler):
    """One protocol route: parse JSON, call the handler in the worker pool, answer JSON."""

    def initialize(self, call: Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]) -> None:
        self._call = call

    def check_xsrf_cookie(self) -> None:  # API calls from Label Studio carry no cookie
        return None

    async def _answer(self, body: dict[str, Any]) -> None:
        self.set_header("Content-Type", "application/json")
        try:
            reply = await self._call(body)
        except Exception as exc:  # the model's failure is reported to Label Studio, never raised
            self.set_status(500)
            self.finish(json.dumps({"error": f"{type(exc).__name__}: {exc}" if not str(exc) else str(exc)}))
            return
        self.finish(json.dumps(reply, default=str))

    async def get(self) -> None:
        await self._answer({})

    async def post(self) -> None:
        try:
            body = json.loads(self.request.body or b"{}")
        except ValueError:
            self.set_status(400)
            self.finish({"error": "The request body is not JSON."})
            return
        await self._answer(body if isinstance(body, dict) else {"body": body})

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:  # keep tracebacks out of the cell
        return None


class Backend:
    """An HTTP server for ``handler`` on ``host`` (a free port unless given), in its own thread.

    Examples
    --------
    >>> class Echo:
    ...     def health(self): return {"status": "UP"}
    ...     def setup(self, body): return {"model_version": "v1"}
    ...     def predict(self, body): return {"results": []}
    ...     def webhook(self, body): return {"status": "ignored"}
    ...     def versions(self): return {"versions": ["v1"]}
    >>> backend = Backend(Echo()).start()
    >>> import httpx
    >>> httpx.get(backend.url + "/health", trust_env=False).json()
    {'status': 'UP'}
    >>> backend.stop()
    """

    def __init__(self, handler: Handler, host: str = "127.0.0.1", port: int = 0) -> None:
        self.handler = handler
        self.host = host
        self._port = port
        self._sockets: list[Any] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: tornado.httpserver.HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="lsn-model")

    @property
    def port(self) -> int:
        """The port the server listens on."""
        return int(self._sockets[0].getsockname()[1]) if self._sockets else self._port

    @property
    def url(self) -> str:
        """The URL Label Studio calls (``http://127.0.0.1:PORT``)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def running(self) -> bool:
        """True while the server thread runs."""
        return self._thread is not None and self._thread.is_alive()

    def _app(self) -> tornado.web.Application:
        h = self.handler
        loop_call = self._offload

        def route(fn: Callable[[dict[str, Any]], dict[str, Any]]) -> dict[str, Any]:
            async def call(body: dict[str, Any]) -> dict[str, Any]:
                return await loop_call(fn, body)

            return {"call": call}

        return tornado.web.Application(
            [
                (r"/", _Route, route(lambda _b: h.health())),
                (r"/health/?", _Route, route(lambda _b: h.health())),
                (r"/setup/?", _Route, route(h.setup)),
                (r"/predict/?", _Route, route(h.predict)),
                (r"/webhook/?", _Route, route(h.webhook)),
                (r"/train/?", _Route, route(lambda b: h.webhook({"action": "START_TRAINING", **b}))),
                (r"/versions/?", _Route, route(lambda _b: h.versions())),
            ],
            log_function=lambda _handler: None,  # no access log in the notebook's output
        )

    async def _offload(self, fn: Callable[[dict[str, Any]], dict[str, Any]], body: dict[str, Any]) -> Any:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, fn, body)

    def _serve(self) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self._loop = loop
        self._server = tornado.httpserver.HTTPServer(self._app())
        self._server.add_sockets(self._sockets)
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    def start(self) -> Backend:
        """Bind the socket and start serving in a daemon thread; return self."""
        self._sockets = tornado.netutil.bind_sockets(self._port, self.host)
        self._thread = threading.Thread(target=self._serve, name=f"lsn-backend-{self.port}", daemon=True)
        self._thread.start()
        self._ready.wait(30)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop serving, close the socket and join the thread (idempotent)."""
        loop, server = self._loop, self._server
        if loop is not None and server is not None and not loop.is_closed():

            def _shutdown() -> None:
                server.stop()
                loop.stop()

            with contextlib.suppress(RuntimeError):  # loop already closed
                loop.call_soon_threadsafe(_shutdown)
        if self._thread is not None:
            self._thread.join(timeout)
        for sock in self._sockets:
            sock.close()
        self._sockets = []
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._loop = self._server = self._thread = None
