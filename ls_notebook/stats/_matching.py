"""One-to-one matching of regions between two annotators, all tasks at once.

Candidate pairs (edges) come from a join on the task. Where every region has at most one candidate
the matching is the edge set itself (the common case, done with array operations); only tasks where
a region competes for several partners are solved with the Hungarian algorithm
(``scipy.optimize.linear_sum_assignment``), which maximises the number of matches first and the total
score second. Greedy matching (best score first) can match fewer pairs; see the tests.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment

__all__ = ["match_edges"]


def match_edges(task: np.ndarray, ia: np.ndarray, ib: np.ndarray, score: np.ndarray) -> np.ndarray:
    """Boolean mask of the edges in a maximum one-to-one matching, solved per task.

    Parameters
    ----------
    task : (E,) int
        Task code of each candidate edge.
    ia, ib : (E,) int
        Global ids of the two regions joined by the edge (ids of side A and side B are separate).
    score : (E,) float
        Edge weight in [0, 1] (IoU, overlap share); ties in match count are broken by total score.
    """
    n = len(task)
    chosen = np.zeros(n, dtype=bool)
    if n == 0:
        return chosen
    deg_a = np.bincount(ia)[ia]
    deg_b = np.bincount(ib)[ib]
    conflict = (deg_a > 1) | (deg_b > 1)
    hard_tasks = np.unique(task[conflict])
    in_hard = np.isin(task, hard_tasks)
    chosen[~in_hard] = True
    if not len(hard_tasks):
        return chosen
    idx = np.flatnonzero(in_hard)
    order = idx[np.argsort(task[idx], kind="stable")]
    bounds = np.flatnonzero(np.diff(task[order])) + 1
    for edges in np.split(order, bounds):  # only tasks with competing candidates
        ua, la = np.unique(ia[edges], return_inverse=True)
        ub, lb = np.unique(ib[edges], return_inverse=True)
        weight = np.zeros((len(ua), len(ub)))
        bonus = min(len(ua), len(ub)) + 1.0  # one more match always beats any score gain
        weight[la, lb] = bonus + score[edges]
        rows, cols = linear_sum_assignment(weight, maximize=True)
        hit = weight[rows, cols] > 0
        pick = np.full((len(ua), len(ub)), -1, dtype=np.int64)
        pick[la, lb] = edges
        chosen[pick[rows[hit], cols[hit]]] = True
    return chosen
