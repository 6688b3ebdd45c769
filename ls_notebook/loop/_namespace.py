"""``project.loop``: the continuous labeling loop of one project, as a namespace of the facade.

Pre-labeling with a model in the kernel, syncing a growing frame, watching for new labels, the
uncertainty queue and Label Studio's uncertainty sampling, and labels given in code. Each method
defines its options (default and meaning) and calls one module of this package with the project's
:class:`~ls_notebook.client.ProjectRef`; :class:`~ls_notebook.Project` keeps its older flat names
(``project.prelabel(...)``) as aliases of these.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ls_notebook.loop._annotate import annotate
from ls_notebook.loop._prelabel import PrelabelResult, prelabel
from ls_notebook.loop._queue import queue, use_uncertainty_sampling
from ls_notebook.loop._sync import sync
from ls_notebook.loop._watch import Watcher, watch
from ls_notebook.project._push import BATCH_SIZE

if TYPE_CHECKING:
    import pandas as pd

    from ls_notebook._users import User
    from ls_notebook.client import ProjectRef
    from ls_notebook.tasks._build import Predictions

__all__ = ["Loop"]


class Loop:
    """The labeling loop of a project (``project.loop``).

    Examples
    --------
    >>> project.loop.prelabel(model, model_version="round-1")          # doctest: +SKIP
    >>> for batch in project.loop.watch(min_new=20):                    # doctest: +SKIP
    ...     project.loop.prelabel(retrain(project.pull()), tasks="unlabeled")
    """

    def __init__(self, project: ProjectRef) -> None:
        self._project = project

    def __repr__(self) -> str:
        return f"<labeling loop of project {self._project.id}>"

    def prelabel(
        self,
        model: Any,
        *,
        tasks: Any = None,
        batch_size: int = 500,
        model_version: str | None = None,
        features: str | list[str] | Callable[[pd.DataFrame], Any] | None = None,
        progress: bool = True,
    ) -> PrelabelResult:
        """Run ``model`` in the kernel over tasks and upload its outputs as predictions with scores.

        Tasks that already have a prediction of this ``model_version`` are skipped, so calling it
        again after a :meth:`sync` pre-labels only the new tasks.

        Parameters
        ----------
        model : callable or estimator
            An object with ``predict_proba`` and ``classes_`` (scikit-learn classifiers and pipelines:
            the most probable class becomes the choice, its probability the score), or with
            ``predict`` (no score), or a callable ``data -> predictions`` returning one prediction
            per task in the simple forms of :mod:`ls_notebook.tasks` (``{"result": ..., "score": s}``
            adds a score).
        tasks : optional
            Which tasks, as :meth:`Project.label` takes them: ``None`` (all), ``"unlabeled"`` (no submitted
            annotation), task ids, or a DataFrame with a ``task_id`` column or index (e.g. the result
            of :meth:`sync`).
        batch_size : int
            Tasks per model call and per upload.
        model_version : str, optional
            Stored with the predictions; default ``model.model_version`` or the model's name.
        features : str, list of str or callable, optional
            What the model is given: one data field (a Series), several (a DataFrame), ``"frame"``
            (all of the tasks' data), or ``features(frame)`` for any input. Default: the field the
            config reads, or all data fields when it reads several. The same as ``serve_model``'s.
        progress : bool
            Show a progress bar.

        Returns
        -------
        PrelabelResult
            ``created``, ``skipped``, ``model_version`` and ``scores`` (per task id).

        Examples
        --------
        >>> from sklearn.pipeline import make_pipeline                         # doctest: +SKIP
        >>> model = make_pipeline(TfidfVectorizer(), LogisticRegression()).fit(texts, labels)
        ... # doctest: +SKIP
        >>> project.loop.prelabel(model, model_version="round-1")                   # doctest: +SKIP
        PrelabelResult(created=180, skipped=0, model_version='round-1')
        """
        return prelabel(
            self._project,
            model,
            tasks=tasks,
            batch_size=batch_size,
            model_version=model_version,
            features=features,
            progress=progress,
        )

    def sync(
        self,
        df: Any,
        *,
        key: str | None = None,
        predictions: Predictions = None,
        model_version: str | None = None,
        batch_size: int = BATCH_SIZE,
        progress: bool = True,
    ) -> Any:
        """Push only the rows of ``df`` that the project does not have yet; return them with ``task_id``.

        Rows are recognised by their push key (``key`` column, or the index), as in
        :meth:`Project.push`: call ``sync`` whenever the frame grows and only the new rows are sent.
        ``df`` is any frame :meth:`Project.push` takes; the rows come back in the same kind (pandas,
        polars, else a pyarrow Table).

        Examples
        --------
        >>> added = project.loop.sync(df, key="id")                                 # doctest: +SKIP
        >>> len(added), added["task_id"].notna().all()                         # doctest: +SKIP
        (20, True)
        """
        return sync(
            self._project,
            df,
            key=key,
            predictions=predictions,
            model_version=model_version,
            batch_size=batch_size,
            progress=progress,
        )

    def watch(
        self,
        callback: Any = None,
        *,
        interval: float = 5.0,
        min_new: int = 1,
        timeout: float | None = None,
        max_batches: int | None = None,
        since: object = "now",
        progress: bool = True,
    ) -> Watcher:
        """Watch for new annotations: iterate over the returned watcher, or pass a ``callback``.

        Each batch is a long DataFrame (:meth:`Project.pull` schema) of the annotations created or updated
        since the previous batch, handed out once at least ``min_new`` of them arrived. Polls every
        ``interval`` seconds; stops after ``timeout`` seconds, ``max_batches`` batches,
        ``watcher.stop()`` or an interrupt. ``since="now"`` ignores the annotations already there
        (``None``: deliver them too). With ``callback`` the watcher runs in a background thread and
        calls ``callback(batch)``. A status line in the notebook shows what it is doing.

        Examples
        --------
        >>> for batch in project.loop.watch(min_new=20, timeout=3600):              # doctest: +SKIP
        ...     retrain(project.pull())
        >>> watcher = project.loop.watch(callback=lambda b: print(len(b)))          # doctest: +SKIP
        >>> watcher.stop()                                                     # doctest: +SKIP
        """
        return watch(
            self._project,
            callback,
            interval=interval,
            min_new=min_new,
            timeout=timeout,
            max_batches=max_batches,
            since=since,
            progress=progress,
        )

    def queue(self, *, model_version: str | None = None, include_labeled: bool = False) -> pd.DataFrame:
        """Tasks ordered from least to most confident prediction, for active learning.

        Columns ``task_id``, ``key``, ``score`` (lowest prediction score of ``model_version``, default
        the most recent version), ``prediction`` and ``model_version``; tasks without a scored
        prediction come last. Labeled tasks are left out unless ``include_labeled``. Give it to the
        inline editor to label the least confident tasks first, and see
        :meth:`use_uncertainty_sampling` for Label Studio's own queue.

        Examples
        --------
        >>> project.loop.queue().head(3)                                            # doctest: +SKIP
        """
        return queue(self._project, model_version=model_version, include_labeled=include_labeled)

    def use_uncertainty_sampling(self, *, model_version: str | None = None, enabled: bool = True) -> str:
        """Make Label Studio's label stream serve the least confident tasks first; return the version.

        Sets the project's sampling to "Uncertainty sampling" with ``model_version`` (default: the most
        recent version among its predictions) as the active version; ``enabled=False`` restores
        sequential sampling.

        Examples
        --------
        >>> project.loop.use_uncertainty_sampling()                                 # doctest: +SKIP
        'round-1'
        """
        return use_uncertainty_sampling(self._project, model_version=model_version, enabled=enabled)

    def annotate(
        self,
        labels: Any,
        *,
        annotator: User | str | None = None,
        lead_time: float | None = None,
        ground_truth: bool = False,
    ) -> int:
        """Create annotations from labels given in code; return how many were created.

        ``labels`` maps task ids to labels in the simple forms of :mod:`ls_notebook.tasks` (a choice,
        ``[(start, end, label)]`` spans, ``[(x, y, w, h, label)]`` boxes...): a dict, a Series indexed
        by task id, or a frame with ``task_id`` and ``label`` columns. The annotations are made on
        behalf of ``annotator`` (a :class:`~ls_notebook.User` from :meth:`Server.create_user`, or a
        user's e-mail; default the API key's user); tasks that annotator already annotated are
        skipped. Use it to import labels made elsewhere, or — as the workflow notebooks do in
        unattended runs — to stand in for people's clicks. ``ground_truth=True`` marks the
        annotations as ground truth (e.g. consensus labels written back by a reviewer).

        Examples
        --------
        >>> ann = server.create_user("ann@example.org")                        # doctest: +SKIP
        >>> project.loop.annotate({101: "positive", 102: "negative"}, annotator=ann)  # doctest: +SKIP
        2
        """
        return annotate(
            self._project, labels, annotator=annotator, lead_time=lead_time, ground_truth=ground_truth
        )
