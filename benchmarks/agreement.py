"""Agreement engine speed: 100,000 units × 5 raters × 4 categories, 10 % missing (~450k rows).

Prints our time against ``krippendorff.alpha`` (nominal α) and statsmodels' Fleiss κ, the whole
``agreement()`` on an Arrow-backed pull frame, and Dawid–Skene per EM iteration. Every figure and
ratio comes from this run. Run: ``python benchmarks/agreement.py [--units N] [--repeat R]``.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np
import pandas as pd


def best_of(fn: Callable[[], object], repeat: int) -> tuple[float, float, object]:
    """Best wall time of ``repeat`` runs, the CPU time of that run, and its result."""
    best, cpu, out = float("inf"), float("nan"), None
    for _ in range(repeat):
        c0, t0 = time.process_time(), time.perf_counter()
        out = fn()
        wall = time.perf_counter() - t0
        if wall < best:
            best, cpu = wall, time.process_time() - c0
    return best, cpu, out


def ms(wall: float, cpu: float) -> str:
    return f"{wall * 1e3:7.1f} ms ({cpu * 1e3:6.1f} CPU)"


def make_data(units: int, raters: int, q: int, missing: float, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, q, units)
    data = np.where(rng.random((raters, units)) < 0.7, truth, rng.integers(0, q, (raters, units))).astype(
        float
    )
    data[rng.random(data.shape) < missing] = np.nan
    return data


def pull_frame(data: np.ndarray) -> pd.DataFrame:
    """The long, Arrow-backed frame ``Project.pull()`` returns (the columns agreement reads)."""
    import pyarrow as pa

    r_idx, u_idx = np.nonzero(~np.isnan(data))
    order = np.lexsort((r_idx, u_idx))  # pulls come task by task
    r_idx, u_idx = r_idx[order], u_idx[order]
    names = np.array(["neg", "neu", "pos", "mixed"])
    n = len(u_idx)
    table = pa.table(
        {
            "task_id": pa.array(u_idx + 1, pa.int64()),
            "annotation_id": pa.array(np.arange(1, n + 1), pa.int64()),
            "annotator": pa.array(np.array([f"user{i}@example.com" for i in range(data.shape[0])])[r_idx]),
            "was_cancelled": pa.array(np.zeros(n, dtype=bool)),
            "from_name": pa.DictionaryArray.from_arrays(np.zeros(n, np.int32), ["sentiment"]).cast(
                pa.string()
            ),
            "type": pa.DictionaryArray.from_arrays(np.zeros(n, np.int32), ["choices"]).cast(pa.string()),
            "label": pa.array(names[data[r_idx, u_idx].astype(int)]),
            # a single choice is also its one-element list of labels, as pull() flattens it
            "labels": pa.ListArray.from_arrays(
                np.arange(n + 1, dtype=np.int32), pa.array(names[data[r_idx, u_idx].astype(int)])
            ),
            "source": pa.DictionaryArray.from_arrays(np.zeros(n, np.int32), ["annotation"]).cast(pa.string()),
        }
    )
    return table.to_pandas(types_mapper=pd.ArrowDtype)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--units", type=int, default=100_000)
    parser.add_argument("--raters", type=int, default=5)
    parser.add_argument("--categories", type=int, default=4)
    parser.add_argument("--missing", type=float, default=0.10)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    import os

    import krippendorff
    import pyarrow as pa
    from statsmodels.stats import inter_rater

    from ls_notebook import agreement
    from ls_notebook.stats import DawidSkene, as_ratings, fleiss_kappa, krippendorff_alpha

    print(
        f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} "
        f"(figures are best of {args.repeat})"
    )
    data = make_data(args.units, args.raters, args.categories, args.missing)
    df = pull_frame(data)
    print(
        f"data: {args.units:,} units × {args.raters} raters × {args.categories} categories, "
        f"{args.missing:.0%} missing → {len(df):,} rows (Arrow-backed)"
    )
    agreement(df)  # warm up imports and caches

    w_ours, c_ours, ours = best_of(lambda: krippendorff_alpha(data), args.repeat)
    w_ref, c_ref, ref = best_of(
        lambda: krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"), args.repeat
    )
    w_kripp = w_ref
    print(
        f"nominal α     ours {ms(w_ours, c_ours)}   krippendorff {ms(w_ref, c_ref)}   "
        f"ratio wall {w_ours / w_ref:.2f} CPU {c_ours / c_ref:.2f} (target ≤ 0.5)   "
        f"|Δ| {abs(float(ours) - ref):.1e}"
    )

    w_long, c_long, long_alpha = best_of(
        lambda: krippendorff_alpha(df, unit="task_id", rater="annotator", value="label"), args.repeat
    )
    print(
        f"nominal α     ours {ms(w_long, c_long)} from the pull frame ({len(df):,} rows, strings hashed) "
        f"against krippendorff.alpha on the matrix above: ratio wall {w_long / w_ref:.2f} "
        f"CPU {c_long / c_ref:.2f} (target ≤ 0.5)   |Δ| {abs(float(long_alpha) - ref):.1e}"
    )

    full = data[:, ~np.isnan(data).any(axis=0)]
    w_ours, c_ours, ours = best_of(lambda: fleiss_kappa(full), args.repeat)

    def statsmodels_fleiss() -> float:
        table, _ = inter_rater.aggregate_raters(full.T.astype(int))
        return inter_rater.fleiss_kappa(table)

    w_ref, c_ref, ref = best_of(statsmodels_fleiss, args.repeat)
    print(
        f"Fleiss κ      ours {ms(w_ours, c_ours)}   statsmodels  {ms(w_ref, c_ref)}   "
        f"ratio wall {w_ours / w_ref:.2f} CPU {c_ours / c_ref:.2f}   |Δ| {abs(float(ours) - ref):.1e}   "
        f"({full.shape[1]:,} complete units: statsmodels needs equal raters per unit)"
    )
    w, c, _ = best_of(lambda: fleiss_kappa(data), args.repeat)
    print(f"Fleiss κ with missing ratings, all units (ours only): {ms(w, c)}")

    # the headline figure: more runs than the others, and the median beside the best (a shared
    # 2-core machine: a run that loses a core to another process is slower, not more honest)
    runs = [best_of(lambda: agreement(df), 1) for _ in range(4 * args.repeat)]
    w, c, report = min(runs, key=lambda run: run[0])
    median = float(np.median([run[0] for run in runs]))
    row = report.summary.iloc[0]
    print(
        f"agreement()   {ms(w, c)} best of {len(runs)}, median {median * 1e3:.1f} ms, "
        f"for the whole report on {len(df):,} rows (target ≤ 40 ms; "
        f"{w / w_kripp:.2f}× krippendorff.alpha's time for α alone) "
        f"(α {row['krippendorff_alpha']:.4f}, κ {row['fleiss_kappa']:.4f}, AC1 {row['gwet_ac1']:.4f}, "
        f"{len(report.per_task):,} per-task rows, {len(report.pairwise)} pairs)"
    )
    dict_df = df.assign(
        **{
            col: pd.Series(
                pd.arrays.ArrowExtensionArray(
                    pa.chunked_array([df[col].array._pa_array.combine_chunks().dictionary_encode()])
                ),
                index=df.index,
            )
            for col in ("annotator", "from_name", "type", "label", "source")
        }
    )
    w, c, report2 = best_of(lambda: agreement(dict_df), args.repeat)
    assert report2.summary.iloc[0]["krippendorff_alpha"] == row["krippendorff_alpha"]
    print(f"agreement()   {ms(w, c)} with the string columns dictionary-encoded in the frame (same result)")
    w, c, _ = best_of(lambda: as_ratings(df, unit="task_id", rater="annotator", value="label"), args.repeat)
    print(f"  for scale: factorizing the three columns alone (as_ratings): {ms(w, c)}")

    crowd = pd.DataFrame(
        {
            "task": df["task_id"].to_numpy(),
            "worker": df["annotator"].to_numpy(),
            "label": df["label"].to_numpy(),
        }
    )
    iters = 20
    reps = max(1, args.repeat // 2)
    w_ds, c_ds, _ = best_of(lambda: DawidSkene(n_iter=iters, tol=0.0).fit(crowd), reps)
    w_setup, c_setup, _ = best_of(lambda: DawidSkene(n_iter=0, tol=0.0).fit(crowd), reps)
    print(
        f"Dawid–Skene   {ms((w_ds - w_setup) / iters, (c_ds - c_setup) / iters)} per EM iteration "
        f"({iters} iterations in {w_ds * 1e3:.0f} ms, setup {w_setup * 1e3:.0f} ms; {len(crowd):,} labels)"
    )


if __name__ == "__main__":
    main()
