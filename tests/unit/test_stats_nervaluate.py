"""Span F1 in every SemEval-2013 Task 9.1 mode against ``nervaluate`` on the same spans.

nervaluate takes one side as the reference; the F1 is the same either way round, and equals
``2 · credit / (n_a + n_b)`` summed over documents, which is what ``match_spans`` feeds into
``agreement()``. The spans are drawn so that the one-to-one pairing is unambiguous (each span of one
side overlaps at most one of the other, and no two spans touch: nervaluate counts ends inclusively).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from nervaluate import Evaluator

from ls_notebook.stats._spans import SPAN_MODES, match_spans

LABELS = ["PER", "ORG", "LOC"]
NERVALUATE = {"strict": "strict", "exact": "exact", "partial": "partial", "type": "ent_type"}
SLOT = 20  # each document is a row of slots of 20 characters; a span stays inside its slot


def _draw(seed: int, n_docs: int = 40) -> tuple[list[list[dict]], list[list[dict]]]:
    rng = np.random.default_rng(seed)
    true, pred = [], []
    for _ in range(n_docs):
        t_doc, p_doc = [], []
        for slot in range(int(rng.integers(1, 8))):
            base = slot * SLOT
            start, end = base + 5, base + 15
            label = str(rng.choice(LABELS))
            what = rng.choice(["none", "spurious", "missed", "same", "relabel", "shift", "shift_relabel"])
            if what == "spurious":
                p_doc.append({"label": label, "start": start, "end": end})
                continue
            if what == "none":
                continue
            t_doc.append({"label": label, "start": start, "end": end})
            if what == "missed":
                continue
            p_start, p_end = start, end
            if what.startswith("shift"):  # still overlapping, inside the slot, bounds not both equal
                while (p_start, p_end) == (start, end):
                    p_start, p_end = base + int(rng.integers(2, 9)), base + int(rng.integers(11, 18))
            p_label = str(rng.choice([x for x in LABELS if x != label])) if "relabel" in what else label
            p_doc.append({"label": p_label, "start": p_start, "end": p_end})
        true.append(t_doc)
        pred.append(p_doc)
    return true, pred


def _frame(docs: list[list[dict]]) -> pd.DataFrame:
    rows = [(i, s["start"], s["end"], LABELS.index(s["label"])) for i, doc in enumerate(docs) for s in doc]
    return pd.DataFrame(rows, columns=["task", "start", "end", "label"])


def _ours(true: list[list[dict]], pred: list[list[dict]], mode: str) -> float:
    m = match_spans(_frame(true), _frame(pred), mode)
    return 2.0 * m["credit"].sum() / (m["n_a"] + m["n_b"]).sum()


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("mode", sorted(NERVALUATE))
def test_span_f1_equals_nervaluate(mode: str, seed: int) -> None:
    true, pred = _draw(seed)
    expected = Evaluator(true, pred, tags=LABELS).evaluate()["overall"][NERVALUATE[mode]].f1
    assert _ours(true, pred, mode) == pytest.approx(expected, abs=1e-12)
    assert _ours(pred, true, mode) == pytest.approx(expected, abs=1e-12)  # no side is the reference


def test_the_draws_exercise_every_case() -> None:
    """The cross-check can fail: the modes disagree on these draws, and partial credit occurs."""
    true, pred = _draw(0)
    scores = {mode: _ours(true, pred, mode) for mode in SPAN_MODES}
    assert len(set(scores.values())) == len(SPAN_MODES)
    assert scores["strict"] < scores["type"] < scores["partial"] < scores["overlap"]


def test_partial_counts_half_for_unequal_bounds() -> None:
    a = pd.DataFrame({"task": [0, 0], "start": [0, 10], "end": [5, 20], "label": [0, 1]})
    b = pd.DataFrame({"task": [0, 0], "start": [0, 12], "end": [5, 20], "label": [2, 1]})
    credit = {mode: float(match_spans(a, b, mode)["credit"].iloc[0]) for mode in SPAN_MODES}
    assert credit == {"strict": 0.0, "exact": 1.0, "type": 1.0, "partial": 1.5, "overlap": 2.0}
