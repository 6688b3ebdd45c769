"""The result of :func:`ls_notebook.agreement`: tables, a square matrix per tag, plots, HTML."""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ls_notebook.errors import DataError
from ls_notebook.stats._estimate import Estimate
from ls_notebook.stats._section import Section

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["AgreementReport"]

_FIRST = ["type", "kind", "n_tasks", "n_annotators", "n_annotations"]


def _with_tag(frame: pd.DataFrame | None, name: str) -> pd.DataFrame | None:
    if frame is None or not len(frame.columns):
        return None
    frame = frame.copy(deep=False)
    # one category repeated: codes only, instead of a string per row (per_task has a row per task)
    dtype = pd.CategoricalDtype([name])
    tag = pd.Categorical.from_codes(np.zeros(len(frame), dtype=np.int8), dtype=dtype, validate=False)
    frame.insert(0, "from_name", tag)
    return frame


def _concat(frames: list[pd.DataFrame | None]) -> pd.DataFrame:
    kept = [f for f in frames if f is not None and len(f)]
    if not kept:
        cols = next((list(f.columns) for f in frames if f is not None), ["from_name"])
        return pd.DataFrame(columns=cols)
    return kept[0] if len(kept) == 1 else pd.concat(kept, ignore_index=True)


def most_first_order(disagreement: np.ndarray) -> np.ndarray | None:
    """Positions by decreasing ``disagreement`` (``nan`` last), ties in their original order.

    ``None`` when the values are in that order already.
    """
    d = np.asarray(disagreement, dtype=np.float64)
    key = -np.where(np.isnan(d), -np.inf, d)
    if len(key) < 2 or bool((key[1:] >= key[:-1]).all()):
        return None
    # per-task disagreement takes few distinct values: rank them, then a stable counting sort
    # (numpy sorts 16-bit integers by radix) instead of a comparison sort of floats
    codes, uniques = pd.factorize(key, sort=True)
    if len(uniques) < 2**15:
        return np.argsort(codes.astype(np.int16), kind="stable")
    return np.argsort(key, kind="stable")


def _most_first(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows by decreasing ``disagreement`` (``nan`` last), ties in their original order."""
    if not len(frame) or "disagreement" not in frame.columns:
        return frame
    order = most_first_order(frame["disagreement"].to_numpy(np.float64))
    return frame if order is None else frame.take(order).reset_index(drop=True)


@dataclass
class AgreementReport:
    """Agreement statistics of a project, per control tag.

    Attributes
    ----------
    summary : DataFrame
        One row per ``from_name``: ``type``, ``kind``, ``n_tasks`` (tasks with a value of this tag),
        ``n_annotators``, ``n_annotations``, one column per metric, ``explanation`` (why a value is
        ``nan``) and, with ``ci=``, ``<metric>_ci_low`` / ``_ci_high``.
    pairwise : DataFrame
        ``from_name, annotator_a, annotator_b, n_tasks`` (tasks both annotated), ``agreement`` (share of
        identical answers, or span/region F1), ``cohen_kappa`` (choices and ratings).
    per_annotator : DataFrame
        ``agreement`` with the other annotators (pooled over pairs) and ``agreement_with_consensus``
        (share of answers equal to a most common answer of the others).
    per_task : DataFrame
        ``disagreement`` in [0, 1] per task, most disagreement first: the items to review.
    per_label : DataFrame
        Multi-label tags: yes/no agreement per label.
    label_counts : DataFrame
        How often each annotator used each label.
    estimates : dict
        ``{from_name: {metric: Estimate}}`` with standard errors and intervals.
    notes : list of str
        What was excluded (cancelled or superseded annotations).
    """

    summary: pd.DataFrame
    pairwise: pd.DataFrame
    per_annotator: pd.DataFrame
    per_task: pd.DataFrame
    per_label: pd.DataFrame
    label_counts: pd.DataFrame
    estimates: dict[str, dict[str, Estimate]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @classmethod
    def from_sections(
        cls, sections: dict[str, Section], types: dict[str, str], notes: list[str], n_rows: int
    ) -> AgreementReport:
        rows = []
        for name, sec in sections.items():
            explanations = [
                f"{k}: {v.explanation}"
                for k, v in sec.estimates.items()
                if isinstance(v, Estimate) and v.explanation
            ]
            row: dict[str, Any] = {
                "type": types.get(name, ""),
                "kind": sec.kind,
                "n_tasks": int((sec.per_task["n_annotations"] > 0).sum()) if len(sec.per_task) else 0,
                "n_annotators": len(sec.per_annotator),
                "n_annotations": int(sec.per_task["n_annotations"].sum()) if len(sec.per_task) else 0,
            }
            for key, value in sec.summary.items():
                if key == "explanation":
                    explanations.append(str(value))
                    continue
                row[key] = float(value) if isinstance(value, Estimate) else value
                if isinstance(value, Estimate) and value.ci is not None:
                    row[f"{key}_ci_low"], row[f"{key}_ci_high"] = value.ci
            row["explanation"] = "; ".join(dict.fromkeys(explanations))
            rows.append(row)
        if rows:
            summary = pd.DataFrame(rows, index=pd.Index(list(sections), name="from_name"))
            rest = [c for c in summary.columns if c not in (*_FIRST, "explanation")]
            summary = summary[[*_FIRST, *rest, "explanation"]]
        else:
            summary = pd.DataFrame(columns=[*_FIRST, "explanation"], index=pd.Index([], name="from_name"))
            notes = [
                *notes,
                "no annotations to compare" if n_rows == 0 else "no control tag with results to compare",
            ]
        tasks = [(n, s.per_task) for n, s in sections.items() if len(s.per_task.columns)]
        if len(tasks) == 1:  # sort before adding the tag: the string column need not be reordered
            name, frame = tasks[0]
            per_task = _with_tag(_most_first(frame), name)
        else:
            per_task = _most_first(_concat([_with_tag(f, n) for n, f in tasks]))
        return cls(
            summary=summary,
            pairwise=_concat([_with_tag(s.pairwise, n) for n, s in sections.items()]),
            per_annotator=_concat([_with_tag(s.per_annotator, n) for n, s in sections.items()]),
            per_task=per_task,
            per_label=_concat([_with_tag(s.per_label, n) for n, s in sections.items()]),
            label_counts=_concat([_with_tag(s.label_counts, n) for n, s in sections.items()]),
            estimates={n: dict(s.estimates) for n, s in sections.items()},
            notes=list(notes),
        )

    def _tag(self, from_name: str | None) -> str:
        names = list(self.summary.index)
        if from_name is None:
            if not names:
                raise DataError("the report is empty: there are no control tags to show.")
            return str(names[0])
        if from_name not in names:
            raise DataError(f"from_name {from_name!r} is not in the report; it has {names}.")
        return from_name

    def matrix(self, from_name: str | None = None, value: str = "agreement") -> pd.DataFrame:
        """Annotator × annotator matrix of ``value`` ("agreement", "cohen_kappa", "n_tasks", ...).

        Examples
        --------
        >>> import pandas as pd
        >>> from ls_notebook import agreement
        >>> df = pd.DataFrame({"task_id": [1, 1, 2, 2], "annotator": ["a", "b", "a", "b"],
        ...                    "from_name": "c", "type": "choices", "label": ["x", "x", "y", "x"]})
        >>> agreement(df).matrix(value="n_tasks").to_numpy().tolist()
        [[2.0, 2.0], [2.0, 2.0]]
        """
        tag = self._tag(from_name)
        pw = self.pairwise[self.pairwise["from_name"] == tag]
        ann = self.per_annotator.loc[self.per_annotator["from_name"] == tag, "annotator"].tolist()
        mat = pd.DataFrame(
            np.nan, index=pd.Index(ann, name="annotator"), columns=pd.Index(ann, name="annotator")
        )
        a, b = pw["annotator_a"].to_numpy(object), pw["annotator_b"].to_numpy(object)
        vals = pw[value].to_numpy(np.float64)
        ia, ib = mat.index.get_indexer(a), mat.columns.get_indexer(b)
        arr = mat.to_numpy(copy=True)
        arr[ia, ib] = vals
        arr[ib, ia] = vals
        diag = {
            "n_tasks": self.per_annotator.loc[self.per_annotator["from_name"] == tag, "n_tasks"].to_numpy(
                float
            )
        }
        np.fill_diagonal(arr, 1.0 if value != "n_tasks" else 0.0)
        if value == "n_tasks":
            arr[np.diag_indices(len(ann))] = diag["n_tasks"]
        return pd.DataFrame(arr, index=mat.index, columns=mat.columns)

    def plot(self, from_name: str | None = None) -> Figure:
        """A matplotlib figure: pairwise heatmap, per-annotator bars, label distribution.

        Uses ``matplotlib.figure.Figure`` directly (no pyplot state, works with the Agg backend);
        a notebook displays the returned figure.
        """
        from ls_notebook.stats._plots import report_figure

        return report_figure(self, self._tag(from_name))

    def __repr__(self) -> str:
        return f"AgreementReport({len(self.summary)} control tags)\n{self.summary.to_string()}"

    def _repr_html_(self) -> str:
        head = "<h4>Agreement by control tag</h4>"
        if not len(self.summary):
            return head + f"<p>{html.escape('; '.join(self.notes) or 'nothing to compare')}</p>"
        summary = self.summary.to_html(float_format=lambda x: "" if math.isnan(x) else f"{x:.3f}", na_rep="")
        worst = self.per_task.head(10).to_html(index=False, float_format=lambda x: f"{x:.3f}", na_rep="")
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in self.notes)
        return f"{head}{summary}<h4>Tasks with the most disagreement</h4>{worst}" + (
            f"<ul>{notes}</ul>" if notes else ""
        )
