"""Matplotlib figures of an agreement report (Figure objects only; no pyplot, no plt.show()).

The figures display themselves in a notebook (``_repr_png_``) even when nothing has imported pyplot
or run ``%matplotlib inline`` — a bare ``matplotlib.figure.Figure`` would show as ``<Figure ...>``.
"""

from __future__ import annotations

import functools
import io
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ls_notebook.stats._report import AgreementReport

__all__ = ["figure", "report_figure"]


@functools.cache
def _figure_class() -> type[Figure]:
    from matplotlib.figure import Figure

    class NotebookFigure(Figure):
        """A ``Figure`` that renders itself as PNG for IPython's display (no pyplot needed)."""

        def _repr_png_(self) -> bytes:
            out = io.BytesIO()
            self.savefig(out, format="png", dpi=100, bbox_inches="tight")
            return out.getvalue()

    return NotebookFigure


def figure(**options: object) -> Figure:
    """A new matplotlib ``Figure`` that a notebook displays as an image without pyplot."""
    return _figure_class()(**options)


def report_figure(report: AgreementReport, tag: str) -> Figure:
    """Three panels for one control tag: pairwise agreement, per-annotator agreement, label use."""
    fig = figure(figsize=(15, 4.5), layout="constrained")
    ax_heat, ax_bars, ax_labels = fig.subplots(1, 3)
    mat = report.matrix(tag)
    if not len(mat):
        fig.clear()
        fig.text(0.5, 0.5, f"{tag}: no annotators to compare", ha="center", va="center")
        return fig
    im = ax_heat.imshow(mat.to_numpy(np.float64), vmin=0, vmax=1, cmap="viridis")
    ax_heat.set_xticks(range(len(mat)), [str(c) for c in mat.columns], rotation=45, ha="right", fontsize=8)
    ax_heat.set_yticks(range(len(mat)), [str(c) for c in mat.index], fontsize=8)
    counts = report.matrix(tag, "n_tasks").to_numpy(np.float64)
    if len(mat) <= 12:
        for (i, j), v in np.ndenumerate(mat.to_numpy(np.float64)):
            if np.isfinite(v) and i != j:
                ax_heat.text(
                    j, i, f"{v:.2f}\n({int(counts[i, j])})", ha="center", va="center", fontsize=7, color="w"
                )
    fig.colorbar(im, ax=ax_heat, shrink=0.8)
    ax_heat.set_title(f"{tag}: pairwise agreement (shared tasks)")

    per = report.per_annotator[report.per_annotator["from_name"] == tag]
    y = np.arange(len(per))
    ax_bars.barh(y - 0.2, per["agreement"].to_numpy(np.float64), height=0.4, label="vs others")
    ax_bars.barh(
        y + 0.2, per["agreement_with_consensus"].to_numpy(np.float64), height=0.4, label="vs consensus"
    )
    ax_bars.set_yticks(y, [str(a) for a in per["annotator"]], fontsize=8)
    ax_bars.set_xlim(0, 1)
    ax_bars.legend(fontsize=8, loc="lower right")
    ax_bars.set_title("per annotator")

    lc = report.label_counts
    lc = lc[lc["from_name"] == tag] if len(lc) else lc
    if len(lc):
        table = lc.pivot_table(
            index="annotator", columns="label", values="count", aggfunc="sum", fill_value=0
        )
        share = table.div(table.sum(axis=1).replace(0, 1), axis=0)
        if share.shape[1] > 20:  # keep the 20 most used labels readable
            share = share[share.sum().sort_values(ascending=False).index[:20]]
        left = np.zeros(len(share))
        for label in share.columns:  # loop over labels
            vals = share[label].to_numpy(np.float64)
            ax_labels.barh(np.arange(len(share)), vals, left=left, label=str(label))
            left += vals
        ax_labels.set_yticks(np.arange(len(share)), [str(a) for a in share.index], fontsize=8)
        ax_labels.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax_labels.set_title("label distribution per annotator")
    return fig
