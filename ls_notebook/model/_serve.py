"""``ModelServer``: the notebook's model, serving a project as a Label Studio ML backend."""

from __future__ import annotations

import atexit
import contextlib
import html
import logging
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pandas as pd

from ls_notebook._html import facts_table
from ls_notebook.errors import LabelStudioError
from ls_notebook.model import _register
from ls_notebook.model._adapter import Features, ModelAdapter
from ls_notebook.model._backend import Backend

if TYPE_CHECKING:
    from ls_notebook.client import ProjectRef

__all__ = ["TRAIN_EVENTS", "ModelServer", "TrainFunction"]

log = logging.getLogger("ls_notebook.model")

#: Webhook actions after which ``train`` runs (as label-studio-ml's ``TRAIN_EVENTS``).
TRAIN_EVENTS = ("ANNOTATION_CREATED", "ANNOTATIONS_CREATED", "ANNOTATION_UPDATED", "START_TRAINING")

TrainFunction = Callable[[pd.DataFrame], Any]

_LIVE: dict[int, ModelServer] = {}  # project id → this kernel's live server
_LOCAL = {"127.0.0.1", "localhost", "::1"}


def _bump(version: str) -> str:
    """``'v1'`` → ``'v2'``, ``'model'`` → ``'model-2'``.

    Examples
    --------
    >>> _bump("v1"), _bump("rf-9"), _bump("model")
    ('v2', 'rf-10', 'model-2')
    """
    match = re.search(r"(\d+)$", version)
    if match:
        return version[: match.start()] + str(int(match.group(1)) + 1)
    return f"{version}-2"


class ModelServer:
    """The kernel's model as the ML backend of a project (create it with :meth:`Project.serve_model`).

    Label Studio asks it for predictions when a task without one is opened (in its UI or the inline
    editor), and on :meth:`retrieve`. With ``train``, each submitted annotation triggers a training
    round off the request thread, and the version moves on (``v1`` → ``v2``) so later tasks get the
    new model's predictions.

    Attributes
    ----------
    project : ProjectRef
    url : str
        Where Label Studio calls the backend (``http://127.0.0.1:PORT``).
    backend_id : int
        Label Studio's id of the ML backend connection.
    errors : list of str
        Recent failures of the model or of training (also logged to ``ls_notebook.model``).

    Examples
    --------
    >>> ms = project.serve_model(clf, train=retrain)             # doctest: +SKIP
    >>> ms.model_version                                          # doctest: +SKIP
    'v1'
    >>> ms.stop()                                                 # doctest: +SKIP
    """

    def __init__(
        self,
        project: ProjectRef,
        model: Any,
        train: TrainFunction | None = None,
        *,
        model_version: str | None = None,
        features: Features = None,
        host: str = "127.0.0.1",
        port: int = 0,
        timeout: float = 100.0,
    ) -> None:
        if train is not None and not callable(train):
            raise TypeError(f"train= must be a callable taking a DataFrame, not {type(train).__name__}.")
        self.project = project
        self._adapter = ModelAdapter(model, project.config, features)
        self._features = features
        self._train = train
        self._version = str(model_version or getattr(model, "model_version", None) or "v1")
        self._model_lock = threading.RLock()
        self._jobs_lock = threading.Lock()
        self._queued = False
        self._jobs = 0
        self._trainer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lsn-train")
        self._seen: set[tuple[int, object]] = set()
        self._rounds: list[dict[str, Any]] = []
        self.errors: list[str] = []
        self.predictions_served = 0
        self.backend_id: int | None = None
        self._backend = Backend(self, host=host, port=port)
        self._timeout = timeout
        self._check_reachable(host)

    # -- lifecycle ------------------------------------------------------------------------------------
    def _check_reachable(self, host: str) -> None:
        server_host = urlsplit(self.project.conn.url).hostname
        if host in _LOCAL and server_host not in _LOCAL:
            raise LabelStudioError(
                f"Label Studio at {self.project.conn.url} runs on another machine and cannot call this "
                f"kernel's backend on {host}. Pass host= an address of this machine the server can reach."
            )

    def start(self) -> ModelServer:
        """Serve, remove dead backends of the project, register this one; return self."""
        previous = _LIVE.get(self.project.id)
        if previous is not None:
            previous.stop()
        self._backend.start()
        try:
            _register.remove_stale(self.project)
            self.backend_id = _register.register(self.project, self.url, self._version, self._timeout)
        except BaseException:
            self._backend.stop()
            raise
        _LIVE[self.project.id] = self
        self._rounds.append({"model_version": self._version, "labels": 0, "trained_at": pd.Timestamp.now()})
        return self

    def stop(self) -> None:
        """Unregister the backend (and its webhook) from the project and stop serving (idempotent)."""
        if _LIVE.get(self.project.id) is self:
            del _LIVE[self.project.id]
        backend_id, self.backend_id = self.backend_id, None
        try:
            if backend_id is not None:
                _register.unregister(self.project, backend_id, self.url)
        finally:
            self._trainer.shutdown(wait=False, cancel_futures=True)
            self._backend.stop()

    def __enter__(self) -> ModelServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The backend's URL as Label Studio calls it."""
        return self._backend.url

    @property
    def running(self) -> bool:
        """True while the backend serves and is registered."""
        return self._backend.running and self.backend_id is not None

    # -- model and version ----------------------------------------------------------------------------
    @property
    def model(self) -> Any:
        """The model that answers predictions now."""
        return self._adapter.model

    @property
    def model_version(self) -> str:
        """Version stored with each prediction; setting it makes the project show that version's."""
        return self._version

    @model_version.setter
    def model_version(self, version: str) -> None:
        self._version = str(version)
        self._show_version()

    def _show_version(self) -> None:
        if self.backend_id is not None:
            _register.show_version(self.project, self.backend_id, self.url, self._version)

    @property
    def history(self) -> pd.DataFrame:
        """One row per model version: ``model_version``, ``labels`` trained on, ``trained_at``."""
        return pd.DataFrame(self._rounds, columns=["model_version", "labels", "trained_at"])

    # -- the protocol (called by the HTTP layer, off its event loop) ----------------------------------
    def health(self) -> dict[str, Any]:
        """Answer ``/health``."""
        return {
            "status": "UP",
            "model_class": _register.MODEL_CLASS,
            "model_version": self._version,
            "project": self.project.id,
        }

    def setup(self, body: dict[str, Any]) -> dict[str, Any]:
        """Answer ``/setup`` with the current model version."""
        return {"model_version": self._version}

    def versions(self) -> dict[str, Any]:
        """Answer ``/versions``."""
        return {"versions": [r["model_version"] for r in self._rounds]}

    def predict(self, body: dict[str, Any]) -> dict[str, Any]:
        """Answer ``/predict``: one prediction per task, or raise with a message for Label Studio."""
        tasks = body.get("tasks") or []
        config = body.get("label_config")
        with self._model_lock:
            if config and config != self._adapter.config:
                self._adapter = ModelAdapter(self._adapter.model, config, self._features)
            version = self._version
            try:
                results = self._adapter.predict(tasks, version)
            except LabelStudioError as exc:  # ModelFailure, or a prediction that does not fit
                self._record(f"Prediction failed: {exc}")
                raise
        self.predictions_served += len(results)
        return {"results": results, "model_version": version}

    def webhook(self, body: dict[str, Any]) -> dict[str, Any]:
        """Answer ``/webhook``: schedule a training round on annotation events of this project."""
        action = str(body.get("action") or "")
        project = body.get("project")
        project_id = project.get("id") if isinstance(project, dict) else None
        if action not in TRAIN_EVENTS or (project_id is not None and int(project_id) != self.project.id):
            return {"status": "ignored", "action": action}
        if self._train is None:
            return {"status": "ignored", "action": action, "reason": "no train function"}
        return {"status": "queued" if self.train_now() else "already queued", "action": action}

    # -- training -------------------------------------------------------------------------------------
    def train_now(self) -> bool:
        """Schedule a training round on the labels not trained on yet; False if one is already queued."""
        if self._train is None:
            raise LabelStudioError("This model server has no train function: pass train= to serve_model().")
        with self._jobs_lock:
            if self._queued:
                return False
            self._queued = True
            self._jobs += 1
        try:
            self._trainer.submit(self._round)
        except RuntimeError:  # stopped
            with self._jobs_lock:
                self._queued, self._jobs = False, self._jobs - 1
            return False
        return True

    def wait(self, timeout: float = 120.0) -> bool:
        """Block until no training round is queued or running; False on timeout.

        Examples
        --------
        >>> ms.wait()                                                 # doctest: +SKIP
        True
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._jobs_lock:
                if self._jobs == 0:
                    return True
            time.sleep(0.1)
        return False

    def _new_labels(self) -> pd.DataFrame:
        from ls_notebook.project._pull import latest

        # Label Studio may call the webhook before the annotation is committed: look again briefly.
        for _ in range(10):
            frame = latest(self.project, since=None)
            if frame.empty:
                new = frame
            else:
                keys = list(zip(frame["annotation_id"].tolist(), frame["updated_at"].tolist(), strict=True))
                mask = [k not in self._seen for k in keys]
                new = frame[mask]
            if not new.empty:
                return new
            time.sleep(0.5)
        return new

    def _round(self) -> None:
        try:
            time.sleep(0.3)  # let a burst of submissions arrive before reading them
            with self._jobs_lock:
                self._queued = False
            labels = self._new_labels()
            if labels.empty:
                return
            with self._model_lock:
                out = self._train(labels)  # type: ignore[misc]
                if isinstance(out, str):
                    version = out
                else:
                    if out is not None:
                        self._adapter = ModelAdapter(out, self._adapter.config, self._features)
                    version = _bump(self._version)
                self._version = version
            self._seen.update(
                zip(labels["annotation_id"].tolist(), labels["updated_at"].tolist(), strict=True)
            )
            self._rounds.append(
                {"model_version": version, "labels": len(labels), "trained_at": pd.Timestamp.now()}
            )
            self._show_version()
        except Exception as exc:  # reported, never raised into the kernel
            self._record(f"Training failed: {type(exc).__name__}: {exc}")
        finally:
            with self._jobs_lock:
                self._jobs -= 1

    def _record(self, message: str) -> None:
        self.errors.append(message)
        del self.errors[:-50]
        log.error("ls_notebook model server (project %s): %s", self.project.id, message)

    # -- asking Label Studio --------------------------------------------------------------------------
    def retrieve(self, task_ids: list[int] | None = None) -> int:
        """Ask Label Studio to fetch predictions from this backend for tasks (all by default).

        Tasks that already hold a prediction of the current :attr:`model_version` are skipped by the
        server. Returns the number of tasks the server processed.

        Examples
        --------
        >>> ms.retrieve()                                             # doctest: +SKIP
        20
        """
        selected = {"all": True, "excluded": []} if task_ids is None else {"all": False, "included": task_ids}
        body = self.project.conn.request(
            "POST",
            "/api/dm/actions",
            "asking Label Studio to retrieve predictions",
            params={"id": "retrieve_tasks_predictions", "project": self.project.id},
            json={"selectedItems": selected},
            timeout=max(self._timeout * 3, 300.0),  # the server calls this backend for every task
        )
        return int((body or {}).get("processed_items") or 0)

    # -- display --------------------------------------------------------------------------------------
    def __repr__(self) -> str:
        state = "serving" if self.running else "stopped"
        return (
            f"ModelServer(project={self.project.id}, url={self.url!r}, model_version={self._version!r}, "
            f"{state})"
        )

    def _repr_html_(self) -> str:
        rows = [
            ("Project", f"{html.escape(self.project.title)} (id {self.project.id})"),
            ("Backend", html.escape(self.url)),
            ("State", "serving" if self.running else "stopped"),
            ("Model version", html.escape(self._version)),
            ("Predictions served", str(self.predictions_served)),
            ("Training rounds", str(max(len(self._rounds) - 1, 0))),
        ]
        if self.errors:
            rows.append(("Last error", html.escape(self.errors[-1][:300])))
        return facts_table(rows, "lsn-model", caption="ML backend")


@atexit.register
def _stop_all() -> None:
    """Unregister this kernel's backends on a clean exit (a killed kernel's are removed on next serve)."""
    for server in list(_LIVE.values()):
        with contextlib.suppress(Exception):  # exiting: the next serve_model removes what is left
            server.stop()
