"""Aggregators with crowd-kit's interface: ``fit(data)`` / ``fit_predict(data)`` on a frame with
columns ``task``, ``worker``, ``label``. Majority vote and Dawid–Skene (EM), vectorized with
``np.bincount``: one pass over the ratings per class and iteration, no loop over tasks or workers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse

from ls_notebook.errors import DataError

__all__ = ["DawidSkene", "MajorityVote"]

_EPS = 1e-12


def _codes(data: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, pd.Index, pd.Index, pd.Index]:
    missing = [c for c in ("task", "worker", "label") if c not in data.columns]
    if missing:
        raise DataError(f"aggregators take a frame with columns task, worker, label; {missing} missing.")
    data = data.dropna(subset=["label"])
    t, tasks = pd.factorize(data["task"])
    w, workers = pd.factorize(data["worker"], sort=True)
    lab, labels = pd.factorize(data["label"], sort=True)
    return (
        np.asarray(t, np.int64),
        np.asarray(w, np.int64),
        np.asarray(lab, np.int64),
        pd.Index(tasks, name="task"),
        pd.Index(workers, name="worker"),
        pd.Index(labels, name="label"),
    )


def vote_counts(t: np.ndarray, lab: np.ndarray, n_tasks: int, n_labels: int) -> np.ndarray:
    return (
        np.bincount(t * n_labels + lab, minlength=n_tasks * n_labels).reshape(n_tasks, n_labels).astype(float)
    )


def break_ties(scores: np.ndarray, priority: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Argmax per row with ties broken by ``priority`` (higher wins); also whether a tie occurred."""
    top = scores.max(axis=1, keepdims=True)
    is_top = np.isclose(scores, top, rtol=0, atol=1e-12) & (top > 0)
    tie = is_top.sum(axis=1) > 1
    choice = np.argmax(np.where(is_top, priority[None, :] + 1.0, 0.0), axis=1)
    return choice, tie


def label_priority(counts: np.ndarray) -> np.ndarray:
    """Tie-break order: the label used most overall wins, then the first in sorted order."""
    total = counts.sum(axis=0)
    order = np.lexsort((np.arange(len(total)), -total))  # most used first
    priority = np.empty(len(total))
    priority[order] = np.arange(len(total))[::-1]
    return priority


@dataclass
class MajorityVote:
    """Most common label per task; ties go to the label used most overall (then the first sorted).

    Examples
    --------
    >>> import pandas as pd
    >>> from ls_notebook.stats import MajorityVote
    >>> data = pd.DataFrame({"task": [1, 1, 1, 2, 2], "worker": list("abcab"),
    ...                      "label": ["x", "x", "y", "y", "x"]})
    >>> MajorityVote().fit_predict(data).tolist()
    ['x', 'x']
    """

    labels_: pd.Series | None = None
    probas_: pd.DataFrame | None = None
    ties_: pd.Series | None = None

    def fit(self, data: pd.DataFrame) -> MajorityVote:
        t, _, lab, tasks, _, labels = _codes(data)
        counts = vote_counts(t, lab, len(tasks), len(labels))
        choice, tie = break_ties(counts, label_priority(counts))
        self.probas_ = pd.DataFrame(counts / counts.sum(axis=1, keepdims=True), index=tasks, columns=labels)
        self.labels_ = pd.Series(labels[choice], index=tasks, name="agg_label")
        self.ties_ = pd.Series(tie, index=tasks, name="tie")
        return self

    def fit_predict(self, data: pd.DataFrame) -> pd.Series:
        return self.fit(data).labels_

    def fit_predict_proba(self, data: pd.DataFrame) -> pd.DataFrame:
        return self.fit(data).probas_


@dataclass
class DawidSkene:
    """Dawid & Skene (1979): each worker has a confusion matrix; true labels are latent; fit by EM.

    Initialised from majority-vote shares. Attributes follow crowd-kit: ``labels_`` (Series by task),
    ``probas_`` (task × label posteriors), ``priors_`` (label prevalence), ``errors_`` (indexed by
    ``(worker, observed label)``, one column per true label: ``P(observed | true)``), plus
    ``loss_history_`` (log-likelihood per iteration) and ``n_iter_``.

    Parameters
    ----------
    n_iter : int
        Maximum EM iterations.
    tol : float
        Stop when the log-likelihood gains less than this.

    Examples
    --------
    >>> import pandas as pd
    >>> from ls_notebook.stats import DawidSkene
    >>> data = pd.DataFrame({"task": [1, 1, 1, 2, 2, 2], "worker": list("abcabc"),
    ...                      "label": ["x", "x", "y", "y", "y", "x"]})
    >>> DawidSkene().fit_predict(data).tolist()
    ['x', 'y']
    """

    n_iter: int = 100
    tol: float = 1e-5
    labels_: pd.Series | None = None
    probas_: pd.DataFrame | None = None
    priors_: pd.Series | None = None
    errors_: pd.DataFrame | None = None
    ties_: pd.Series | None = None
    loss_history_: list[float] = field(default_factory=list)
    n_iter_: int = 0

    def fit(self, data: pd.DataFrame) -> DawidSkene:
        t, w, lab, tasks, workers, labels = _codes(data)
        n_t, n_w, k = len(tasks), len(workers), len(labels)
        if n_t == 0:
            raise DataError("no labels to aggregate: the frame has no non-missing label.")
        counts = vote_counts(t, lab, n_t, k)
        post = np.asfortranarray(counts / counts.sum(axis=1, keepdims=True))
        # incidence of tasks and (worker, observed label) cells: both EM steps are one product with it
        inc = sparse.csr_matrix((np.ones(len(t)), (t, w * k + lab)), shape=(n_t, n_w * k))
        inc_t = inc.T.tocsr()
        self.loss_history_ = []
        for it in range(self.n_iter):  # EM iterations
            priors, log_err = self._m_step(post, inc_t, n_w, k)
            post, loglik = self._e_step(priors, log_err, inc)
            self.loss_history_.append(loglik)
            self.n_iter_ = it + 1
            if it and abs(loglik - self.loss_history_[-2]) < self.tol:
                break
        priors, log_err = self._m_step(post, inc_t, n_w, k)
        choice, tie = break_ties(post, label_priority(counts))
        self.probas_ = pd.DataFrame(post, index=tasks, columns=labels)
        self.labels_ = pd.Series(labels[choice], index=tasks, name="agg_label")
        self.priors_ = pd.Series(priors, index=labels, name="prior")
        # log_err rows are (worker, observed) cells, columns true labels: crowd-kit's errors_ layout
        idx = pd.MultiIndex.from_product([workers, labels], names=["worker", "label"])
        self.errors_ = pd.DataFrame(np.exp(log_err), index=idx, columns=pd.Index(labels, name="true"))
        self.ties_ = pd.Series(tie, index=tasks, name="tie")
        return self

    @staticmethod
    def _m_step(
        post: np.ndarray, inc_t: sparse.csr_matrix, n_w: int, k: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Priors and log P(observed | true) as a (workers·observed) × true matrix."""
        priors = post.mean(axis=0)
        err = np.asarray(inc_t @ post).reshape(n_w, k, k)  # [worker, observed, true]
        err /= np.maximum(err.sum(axis=1, keepdims=True), _EPS)
        return priors, np.log(np.maximum(err, _EPS)).reshape(n_w * k, k)

    @staticmethod
    def _e_step(priors: np.ndarray, log_err: np.ndarray, inc: sparse.csr_matrix) -> tuple[np.ndarray, float]:
        # tasks × labels, stored label by label: the per-task reductions run over contiguous columns
        logp = np.asfortranarray(inc @ log_err)
        logp += np.log(np.maximum(priors, _EPS))
        top = logp.max(axis=1, keepdims=True)
        logp -= top
        prob = np.exp(logp, out=logp)
        total = prob.sum(axis=1, keepdims=True)
        prob /= total
        return prob, float((top + np.log(total)).sum())

    def fit_predict(self, data: pd.DataFrame) -> pd.Series:
        return self.fit(data).labels_

    def fit_predict_proba(self, data: pd.DataFrame) -> pd.DataFrame:
        return self.fit(data).probas_
