"""The per-control-tag result that every kind of comparison produces."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

__all__ = ["Section", "empty_pairwise", "empty_per_annotator", "empty_per_task"]

PAIRWISE_COLUMNS = ["annotator_a", "annotator_b", "n_tasks", "agreement", "cohen_kappa"]
PER_ANNOTATOR_COLUMNS = ["annotator", "n_tasks", "agreement", "agreement_with_consensus"]
PER_TASK_COLUMNS = ["task_id", "n_annotations", "disagreement", "consensus"]


def empty_pairwise() -> pd.DataFrame:
    return pd.DataFrame(
        {c: pd.Series(dtype=object if c.startswith("annotator") else float) for c in PAIRWISE_COLUMNS}
    )


def empty_per_annotator() -> pd.DataFrame:
    return pd.DataFrame(
        {c: pd.Series(dtype=object if c == "annotator" else float) for c in PER_ANNOTATOR_COLUMNS}
    )


def empty_per_task() -> pd.DataFrame:
    return pd.DataFrame(
        {c: pd.Series(dtype=object if c in ("task_id", "consensus") else float) for c in PER_TASK_COLUMNS}
    )


@dataclass
class Section:
    """What agreement found for one ``from_name``.

    ``pairwise``: one row per annotator pair (``agreement`` is the share of shared tasks where the two
    agree, or span/region F1, or text similarity). ``per_annotator``: each annotator against the
    others. ``per_task``: ``disagreement`` in [0, 1] per task. ``label_counts``: how often each
    annotator used each label.
    """

    kind: str
    summary: dict[str, Any]
    pairwise: pd.DataFrame = field(default_factory=empty_pairwise)
    per_annotator: pd.DataFrame = field(default_factory=empty_per_annotator)
    per_task: pd.DataFrame = field(default_factory=empty_per_task)
    label_counts: pd.DataFrame | None = None
    per_label: pd.DataFrame | None = None
    estimates: dict[str, Any] = field(default_factory=dict)
