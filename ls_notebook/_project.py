"""``Project``: a handle on one Label Studio project of a :class:`~ls_notebook.Server`.

Methods are thin: the work lives in small modules next to this one (push, pull, export, labeling).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ls_notebook._html import facts_table
from ls_notebook.client import ProjectRef, api_errors
from ls_notebook.project._push import BATCH_SIZE

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from ls_notebook._server import Server
    from ls_notebook._users import User
    from ls_notebook.loop import Loop, PrelabelResult, Watcher
    from ls_notebook.model import ModelServer
    from ls_notebook.project._push import PushResult
    from ls_notebook.storage import Storage
    from ls_notebook.tasks._build import Predictions


class Project:
    """A Label Studio project.

    Obtain one with :meth:`Server.project` (get-or-create by title) rather than constructing it.

    Parameters
    ----------
    server : Server
        The server holding the project.
    project_id : int
        Label Studio's project id.
    """

    def __init__(self, server: Server, project_id: int) -> None:
        self.server = server
        self.id = int(project_id)
        self._data: dict[str, Any] | None = None

    @classmethod
    def _read(cls, server: Server, project: Any) -> Project:
        """A project from an API answer just received (create, list, update): no second read."""
        out = cls(server, project.id)
        out._data = project.dict() if hasattr(project, "dict") else dict(project)
        return out

    def _fetch(self) -> dict[str, Any]:
        with api_errors(f"reading project {self.id}", self.server.url):
            project = self.server.client.projects.get(id=self.id)
        self._data = project.dict() if hasattr(project, "dict") else dict(project)
        return self._data

    def _settings(self) -> dict[str, Any]:
        return self._data or self._fetch()

    @property
    def _ref(self) -> ProjectRef:
        """What the helpers below the facade work with: connection, id, settings (cached here)."""
        return ProjectRef(self.server.connection, self.id, read=self._settings)

    def refresh(self) -> Project:
        """Re-read the project's title, config and counts from the server."""
        self._fetch()
        return self

    @property
    def title(self) -> str:
        """The project's title."""
        return str((self._data or self._fetch()).get("title") or "")

    @property
    def config(self) -> str:
        """The project's label config (XML)."""
        return str((self._data or self._fetch()).get("label_config") or "")

    @property
    def task_count(self) -> int:
        """Number of tasks in the project (read from the server now)."""
        return int(self._fetch().get("task_number") or 0)

    @property
    def url(self) -> str:
        """Browser link to the project's data manager."""
        return self.server.link(f"projects/{self.id}/data")

    # -- data round trip (logic in _push, _pull, _export) -----------------------------------------------
    def push(
        self,
        df: Any,
        *,
        key: str | None = None,
        predictions: Predictions = None,
        model_version: str | None = None,
        batch_size: int = BATCH_SIZE,
        progress: bool = True,
        update: bool = False,
    ) -> PushResult:
        """Add the rows of ``df`` as tasks; rows whose key is already in the project are skipped.

        Parameters
        ----------
        df : DataFrame
            One task per row; every column the config reads (``$column``) must be present, other
            columns are stored in the task data too. pandas, polars, a pyarrow Table /
            RecordBatchReader, or any object with the Arrow PyCapsule stream (``__arrow_c_stream__``).
        key : str, optional
            Column identifying rows across pushes (default: the index), stored as text in the task's
            ``meta["ls_notebook_key"]``. Re-running a push creates 0 tasks.
        predictions : str, callable, Series or list, optional
            Pre-annotations: a column name, a callable ``row -> prediction``, or values aligned with
            ``df``, in Label Studio's result format or the simple forms of :mod:`ls_notebook.tasks`.
        model_version : str, optional
            Stored with the predictions.
        batch_size : int
            Most tasks per import request (each request is also kept under 8 MB of JSON). Each
            request costs the server a fixed ~40 ms, so fewer, larger requests are faster; smaller
            ones move the progress bar more often.
        progress : bool
            Show a ``tqdm`` progress bar.
        update : bool
            Replace the data of tasks whose key exists instead of skipping them.

        Returns
        -------
        PushResult
            ``created``, ``skipped``, ``updated`` counts and ``task_ids`` (index → task id).

        Raises
        ------
        DataError, ConfigError
            Bad input (missing column, duplicate keys, unsupported value, prediction not fitting the
            config); nothing is sent.
        PushInterruptedError
            The server failed part-way; run the same push again to complete it.

        Examples
        --------
        >>> import pandas as pd, ls_notebook as lsn                       # doctest: +SKIP
        >>> config = lsn.configs.text_classification(["pos", "neg"])      # doctest: +SKIP
        >>> project = server.project("Reviews", config)                   # doctest: +SKIP
        >>> project.push(pd.DataFrame({"text": ["great", "awful"]}))      # doctest: +SKIP
        PushResult(created=2, skipped=0, updated=0)
        """
        from ls_notebook.project._push import push

        return push(
            self._ref,
            df,
            key=key,
            predictions=predictions,
            model_version=model_version,
            batch_size=batch_size,
            progress=progress,
            update=update,
        )

    def pull_arrow(
        self,
        *,
        since: object = None,
        include_predictions: bool = False,
        include_drafts: bool = False,
        include_unannotated: bool = False,
        source: str = "auto",
        progress: bool = True,
        refresh: bool = False,
    ) -> pa.Table:
        """Return the annotations as a ``pyarrow.Table`` with the schema of :mod:`ls_notebook.annotations`.

        Polars users: ``pl.from_arrow(project.pull_arrow())``. ``source`` picks the path (all return
        the same table): ``"auto"`` keeps the table in an incremental cache (on this object and in the
        data dir) and reads only what changed, from the server's own database when it was started by
        ``ls_notebook.start()`` (SQLite or PostgreSQL), else through the API; ``"cache"`` the same
        through the API; ``"db"`` (or ``"sqlite"``, ``"postgresql"``) a full direct database read;
        ``"api"`` a full read through the API. ``refresh=True`` rebuilds the cache from a full read.

        Examples
        --------
        >>> project.pull_arrow().num_rows                                 # doctest: +SKIP
        2
        """
        from ls_notebook.project._pull import pull_arrow

        return pull_arrow(
            self._ref,
            since=since,
            include_predictions=include_predictions,
            include_drafts=include_drafts,
            include_unannotated=include_unannotated,
            source=source,  # type: ignore[arg-type]
            progress=progress,
            refresh=refresh,
        )

    def pull(
        self,
        shape: str = "long",
        *,
        since: object = None,
        include_predictions: bool = False,
        include_drafts: bool = False,
        include_unannotated: bool = False,
        source: str = "auto",
        progress: bool = True,
        refresh: bool = False,
        backend: str = "pandas",
    ) -> Any:
        """Return the annotations as a DataFrame.

        ``shape="long"``: one row per result item, every column a ``pd.ArrowDtype``, with the columns
        documented in :mod:`ls_notebook.annotations.schema` followed by the task data.
        ``shape="wide"``: one row per task, one column per ``(from_name, annotator)``.
        ``since`` keeps only annotations created or updated after that time (for polling loops).
        ``source`` and ``refresh`` are those of :meth:`pull_arrow`. ``backend`` picks the frame:
        ``"pandas"``, ``"polars"`` (a ``polars.DataFrame``, polars installed) or ``"arrow"`` (the
        ``pyarrow.Table`` of :meth:`pull_arrow`), all with the same columns and Arrow types
        (``shape="long"`` only for polars and arrow).

        Examples
        --------
        >>> df = project.pull()                                           # doctest: +SKIP
        >>> df[["key", "annotator", "label"]]                             # doctest: +SKIP
        """
        from ls_notebook.project._pull import pull

        return pull(
            self._ref,
            shape=shape,  # type: ignore[arg-type]
            since=since,
            include_predictions=include_predictions,
            include_drafts=include_drafts,
            include_unannotated=include_unannotated,
            source=source,  # type: ignore[arg-type]
            progress=progress,
            refresh=refresh,
            backend=backend,  # type: ignore[arg-type]
        )

    def to_parquet(self, path: str | Path, **pull_options: Any) -> Path:
        """Write :meth:`pull_arrow` to a Parquet file and return its path.

        Examples
        --------
        >>> project.to_parquet("labels.parquet")                          # doctest: +SKIP
        PosixPath('labels.parquet')
        """
        import pyarrow.parquet as pq

        path = Path(path)
        pq.write_table(self.pull_arrow(**pull_options), path)
        return path

    def export(self, path: str | Path, *, format: str = "JSON", progress: bool = True) -> Path:
        """Download the project in a Label Studio export format (JSON, CSV, COCO, YOLO, CONLL2003...).

        The server's converter produces the file; it is streamed to ``path``, which is returned.

        Examples
        --------
        >>> project.export("boxes.zip", format="COCO")                    # doctest: +SKIP
        PosixPath('boxes.zip')
        """
        from ls_notebook.project._export import export

        return export(self._ref, path, format=format, progress=progress)

    # -- families of methods as namespaces (polars-style): each a small class over one package -------
    @property
    def loop(self) -> Loop:
        """The continuous labeling loop: ``prelabel``, ``sync``, ``watch``, ``queue``,
        ``use_uncertainty_sampling``, ``annotate`` (see :class:`ls_notebook.loop.Loop`).

        Examples
        --------
        >>> project.loop.prelabel(model, model_version="round-1")         # doctest: +SKIP
        """
        from ls_notebook.loop import Loop

        return Loop(self._ref)

    # Flat names of the loop's methods (the README's and notebooks' spelling), kept as aliases.
    def prelabel(self, model: Any, **options: Any) -> PrelabelResult:
        """Alias of ``project.loop.prelabel`` (:class:`ls_notebook.loop.Loop`)."""
        return self.loop.prelabel(model, **options)

    def sync(self, df: Any, **options: Any) -> Any:
        """Alias of ``project.loop.sync`` (:class:`ls_notebook.loop.Loop`)."""
        return self.loop.sync(df, **options)

    def watch(self, callback: Any = None, **options: Any) -> Watcher:
        """Alias of ``project.loop.watch`` (:class:`ls_notebook.loop.Loop`)."""
        return self.loop.watch(callback, **options)

    def queue(self, **options: Any) -> pd.DataFrame:
        """Alias of ``project.loop.queue`` (:class:`ls_notebook.loop.Loop`)."""
        return self.loop.queue(**options)

    def use_uncertainty_sampling(self, **options: Any) -> str:
        """Alias of ``project.loop.use_uncertainty_sampling`` (:class:`ls_notebook.loop.Loop`)."""
        return self.loop.use_uncertainty_sampling(**options)

    def annotate(self, labels: Any, **options: Any) -> int:
        """Alias of ``project.loop.annotate`` (:class:`ls_notebook.loop.Loop`)."""
        return self.loop.annotate(labels, **options)

    # -- model in the loop and object storage (logic in ls_notebook.model, ls_notebook.storage) --------
    def serve_model(self, model: Any, train: Callable[..., Any] | None = None, **options: Any) -> ModelServer:
        """Serve ``model`` from this kernel as the project's ML backend, and register it.

        Label Studio then asks the kernel for predictions when a task without one opens (in its UI
        or the inline editor) and on :meth:`ModelServer.retrieve`. ``model`` is a callable or has
        ``predict`` / ``predict_proba`` (scikit-learn style); it gets a batch of tasks (the one data
        field the config reads, else a DataFrame) and returns one prediction per task in the forms
        ``push(predictions=...)`` accepts. ``train(new_labels)`` runs in a worker thread after
        annotations are submitted, with the pulled DataFrame of labels not trained on yet; it may
        return a new model or a version string, and the version moves on (``v1`` → ``v2``).

        Options: ``model_version`` (default ``model.model_version`` or ``"v1"``), ``features`` (a data
        field, ``"frame"`` or a callable building the model's input), ``host``/``port`` (default
        127.0.0.1 and a free port), ``timeout`` (seconds Label Studio waits for a prediction).
        Backends left registered by a dead kernel are removed first.

        Examples
        --------
        >>> ms = project.serve_model(pipeline, train=lambda df: pipeline.fit(df["text"], df["label"]))
        ... # doctest: +SKIP
        >>> ms.stop()                                                     # doctest: +SKIP
        """
        from ls_notebook.model import ModelServer

        return ModelServer(self._ref, model, train, **options).start()

    def connect_storage(self, uri: str, **options: Any) -> Storage:
        """Connect a bucket as a source of tasks (default) or, with ``target=True``, of exports.

        ``uri`` is ``s3://bucket/prefix`` (AWS or an S3-compatible ``endpoint_url=``), ``gs://...`` or
        ``azure-blob://container/prefix``. Credentials come from the environment / boto3 profile
        (``profile=``) and go to the server only: the notebook, the returned object and its repr never
        hold them. A source is synced right away (``sync=False`` to skip) with a progress bar; see
        :func:`ls_notebook.storage.connect` for every option.

        Examples
        --------
        >>> images = project.connect_storage("s3://bucket/images", pattern=r".*\\.jpg")  # doctest: +SKIP
        >>> out = project.connect_storage("s3://bucket/labels", target=True)            # doctest: +SKIP
        >>> out.sync()                                                                   # doctest: +SKIP
        """
        from ls_notebook.storage import connect

        return connect(self._ref, uri, **options)

    def label(
        self,
        tasks: Any = None,
        *,
        annotator: User | str | None = None,
        order: str = "queue",
        height: int | None = None,
        media_roots: Any = (),
    ) -> Any:
        """Label this project's tasks in the notebook with Label Studio's own editor.

        Returns a :class:`~ls_notebook.widgets.labeling.LabelingWidget`: one task at a time, with
        previous/next, skip, a progress line, predictions as pre-annotations and this annotator's
        existing annotations for editing. All traffic goes through the kernel (the browser never
        needs to reach the server); annotations are created as ``annotator``.

        Parameters
        ----------
        tasks : None, "unlabeled", list of int or DataFrame, optional
            Which tasks: all, the annotator's unlabeled ones, task ids, or a DataFrame with a
            ``task_id`` column or index (e.g. a slice of :meth:`pull`).
        annotator : str or User, optional
            The user to label as, by e-mail or as a :class:`~ls_notebook.User` (default: the API
            key's user).
        order : {"queue", "uncertainty", "id"}
            Task order; ``"queue"`` starts at the first task the annotator has not labeled.
        height : int, optional
            Editor height in pixels (default: fit text, fixed for images/audio/video).
        media_roots : list of str, optional
            Local folders from which tasks' file paths may be read and sent to the browser.

        Examples
        --------
        >>> project.label(tasks="unlabeled", annotator="ann@example.com")   # doctest: +SKIP
        """
        from ls_notebook.widgets.labeling import label

        return label(
            self._ref,
            tasks=tasks,
            annotator=annotator,
            order=order,  # type: ignore[arg-type]
            height=height,
            media_roots=media_roots,
        )

    def open(self, task: int | None = None, *, height: int = 720) -> Any:
        """Show the project's page of the Label Studio web UI (data manager, or one task) in the cell.

        For a server started by :func:`ls_notebook.start` the frame is logged in already.

        Examples
        --------
        >>> project.open()          # doctest: +SKIP
        """
        from ls_notebook.widgets.web_ui import open_ui

        path = f"projects/{self.id}/data" + (f"?task={int(task)}" if task is not None else "")
        return open_ui(self.server, path, height=height)

    def __repr__(self) -> str:
        return f"Project(id={self.id}, title={self.title!r}, server={self.server.url!r})"

    def _repr_html_(self) -> str:
        data = self._fetch()
        rows = {
            "Project": f'<a href="{html.escape(self.url)}" target="_blank" rel="noopener">'
            f"{html.escape(self.title)}</a> (id {self.id})",
            "Tasks": str(data.get("task_number") or 0),
            "Annotations": str(data.get("total_annotations_number") or 0),
            "Server": html.escape(self.server.url),
        }
        return facts_table(rows.items(), "lsn-project")
