"""Agreement on labeled text spans (NER): one-to-one span matching and F1 between annotators.

The four modes are SemEval-2013 Task 9.1's (Segura-Bedmar et al. 2013), as ``nervaluate`` implements
them (its ``ent_type`` is ``"type"`` here):

* ``"strict"``: same start, end and label;
* ``"exact"``: same start and end, any label;
* ``"type"``: overlapping spans with the same label;
* ``"partial"``: overlapping spans, any label; a match with the same start and end counts 1, any
  other overlap counts 0.5.

One mode outside that scheme, under its own name:

* ``"overlap"``: overlapping spans, any label, every match counting 1 (what ``"partial"`` meant
  before this module followed SemEval).

Each span is matched at most once (the pairing with the largest summed overlap, see
``_matching``). F1 between annotators ``a`` and ``b`` on a task is ``2 · credit / (n_a + n_b)``
(symmetric, so no one is the reference; the same value as SemEval's F1 with either one as the
reference); a task where neither marked any span counts as full agreement.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ls_notebook.errors import DataError
from ls_notebook.stats._matching import match_edges

__all__ = ["SPAN_MODES", "match_spans"]

SPAN_MODES = ("strict", "exact", "type", "partial", "overlap")


def match_spans(a: pd.DataFrame, b: pd.DataFrame, mode: str = "strict") -> pd.DataFrame:
    """Matches per task between two annotators' spans.

    Parameters
    ----------
    a, b : DataFrame
        Spans with integer columns ``task`` (a shared task code), ``start``, ``end`` and ``label``
        (a shared integer label code).
    mode : {"strict", "exact", "type", "partial", "overlap"}
        See the module's description.

    Returns
    -------
    DataFrame
        Indexed by task: ``n_a``, ``n_b``, ``matches`` (matched pairs), ``credit`` (``matches``, except
        in ``"partial"`` mode, where a match without the same start and end counts 0.5) and
        ``overlap`` (summed share of overlapping characters of matched pairs, ``|a ∩ b| / |a ∪ b|``).

    Examples
    --------
    >>> import pandas as pd
    >>> from ls_notebook.stats._spans import match_spans
    >>> a = pd.DataFrame({"task": [0, 0], "start": [0, 10], "end": [5, 20], "label": [0, 1]})
    >>> b = pd.DataFrame({"task": [0], "start": [0], "end": [6], "label": [0]})
    >>> [match_spans(a, b, mode)["credit"].tolist() for mode in ("strict", "partial", "overlap")]
    [[0.0], [0.5], [1.0]]
    """
    if mode not in SPAN_MODES:
        raise DataError(f"mode={mode!r} is not known; use one of {SPAN_MODES}.")
    tasks = np.union1d(a["task"].to_numpy(), b["task"].to_numpy())
    out = pd.DataFrame(index=pd.Index(tasks, name="task"))
    out["n_a"] = a.groupby("task").size().reindex(tasks, fill_value=0)
    out["n_b"] = b.groupby("task").size().reindex(tasks, fill_value=0)
    aa, bb = a.reset_index(drop=True), b.reset_index(drop=True)
    pairs = aa.reset_index(names="ia").merge(bb.reset_index(names="ib"), on="task", suffixes=("_a", "_b"))
    lo = np.maximum(pairs["start_a"].to_numpy(), pairs["start_b"].to_numpy())
    hi = np.minimum(pairs["end_a"].to_numpy(), pairs["end_b"].to_numpy())
    inter = np.clip(hi - lo, 0, None)
    union = np.maximum(pairs["end_a"].to_numpy(), pairs["end_b"].to_numpy()) - np.minimum(
        pairs["start_a"].to_numpy(), pairs["start_b"].to_numpy()
    )
    same_bounds = (pairs["start_a"].to_numpy() == pairs["start_b"].to_numpy()) & (
        pairs["end_a"].to_numpy() == pairs["end_b"].to_numpy()
    )
    same_label = pairs["label_a"].to_numpy() == pairs["label_b"].to_numpy()
    if mode == "strict":
        ok = same_bounds & same_label
    elif mode == "exact":
        ok = same_bounds
    elif mode == "type":
        ok = (inter > 0) & same_label
    else:  # partial, overlap
        ok = inter > 0
    half = ~same_bounds[ok] if mode == "partial" else np.zeros(int(ok.sum()), dtype=bool)
    pairs = pairs.loc[ok]
    score = np.divide(inter[ok], union[ok], out=np.ones(int(ok.sum())), where=union[ok] > 0)
    chosen = match_edges(pairs["task"].to_numpy(), pairs["ia"].to_numpy(), pairs["ib"].to_numpy(), score)
    hits = pairs.loc[chosen, "task"]
    out["matches"] = hits.value_counts().reindex(tasks, fill_value=0).to_numpy()
    credit = np.where(half[chosen], 0.5, 1.0)
    out["credit"] = (
        pd.Series(credit, index=hits.to_numpy())
        .groupby(level=0)
        .sum()
        .reindex(tasks, fill_value=0.0)
        .to_numpy()
    )
    out["overlap"] = (
        pd.Series(score[chosen], index=hits.to_numpy())
        .groupby(level=0)
        .sum()
        .reindex(tasks, fill_value=0.0)
        .to_numpy()
    )
    return out
