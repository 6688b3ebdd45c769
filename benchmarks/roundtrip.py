"""Round-trip benchmark: pull paths vs Label Studio's own JSON export, and push vs a raw bulk POST.

Starts its own local server (``ls_notebook.start``) in a temporary data dir, builds a project of
``--tasks`` tasks × ``--annotations`` annotations (different users), and prints figures and ratios
measured in this run. A script, not a test: ``python benchmarks/roundtrip.py [--tasks 20000]``.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import pandas as pd
import pyarrow as pa

import ls_notebook as lsn
from ls_notebook import configs
from ls_notebook._project import Project
from ls_notebook.server._credentials import Credentials

LABELS = ["pos", "neg", "neutral"]


def timed(fn, *args, **kwargs):
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t0


def build_project(server, n_tasks: int, n_ann: int):
    users = [server.create_user(f"bench{i}@example.org") for i in range(n_ann)]
    project = server.project(
        f"bench pull {n_tasks}x{n_ann} {random.randrange(10**6)}", configs.text_classification(LABELS)
    )
    rng = random.Random(0)
    tasks = [
        {
            "data": {"text": f"review number {i} " + "word " * rng.randrange(5, 30), "n": i},
            "meta": {"ls_notebook_key": str(i)},
            "annotations": [
                {
                    "completed_by": u.id,
                    "lead_time": rng.random() * 10,
                    "result": [
                        {
                            "id": f"r{i}",
                            "from_name": "label",
                            "to_name": "text",
                            "type": "choices",
                            "value": {"choices": [rng.choice(LABELS)]},
                        }
                    ],
                }
                for u in users
            ],
        }
        for i in range(n_tasks)
    ]
    for start in range(0, n_tasks, 2000):
        server.connection.request(
            "POST",
            f"/api/projects/{project.id}/import",
            "bench import",
            json=tasks[start : start + 2000],
        )
    return project, users


def fresh(project) -> Project:
    """The project through a new Server object: a new connection, so nothing cached in memory yet."""
    server = project.server
    token = Credentials.load(server.data_dir).token
    return Project(lsn.Server(server.url, token, info=server.connection.info), project.id)


def change(project, table: pa.Table, fraction: float, offset: int) -> int:
    """Add one annotation to ``fraction`` of the tasks (a different slice per ``offset``)."""
    ids = pd.unique(table.column("task_id").to_numpy())
    n = max(1, int(len(ids) * fraction))
    result = [{"from_name": "label", "to_name": "text", "type": "choices", "value": {"choices": ["pos"]}}]
    for tid in ids[offset * n : (offset + 1) * n]:
        project.server.client.annotations.create(id=int(tid), result=result)
    return n


_RSS_PROBE = """
import resource, sys
import psutil
import ls_notebook as lsn
from ls_notebook.project import _db, _pull  # imported before the baseline
from ls_notebook._project import Project

project = Project(lsn.start(data_dir=sys.argv[1]), int(sys.argv[2]))
_pull.time_objects(project._ref)  # the config read and parsed once per project: not the pull's data
base = psutil.Process().memory_info().rss
table = project.pull_arrow(source=sys.argv[3], progress=False)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - base, table.nbytes)
"""


def rss_growth(project, source: str) -> tuple[int, int]:
    """Peak RSS growth of one pull in a fresh process (bytes), and the table's size."""
    out = subprocess.run(
        [sys.executable, "-c", _RSS_PROBE, str(project.server.data_dir), str(project.id), source],
        capture_output=True,
        text=True,
        check=True,
    )
    grown, nbytes = out.stdout.split()[-2:]
    return int(grown), int(nbytes)


def measure_pull(project, tmp: Path, n_tasks: int) -> None:
    _, t_export = timed(lambda: project.export(tmp / "export.json", "JSON", progress=False))
    print(f"Label Studio JSON export download:         {t_export:8.2f} s")

    pool = pa.default_memory_pool()
    tracemalloc.start()  # the first pull, traced for memory (tracemalloc slows it: timed below)
    table = project.pull_arrow(source="sqlite", progress=False)
    _, py_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    arrow_peak = pool.max_memory()
    del table
    table, t_sqlite = timed(lambda: project.pull_arrow(source="sqlite", progress=False))
    print(
        f"pull (direct SQLite read):                  {t_sqlite:8.2f} s  rows={table.num_rows}  "
        f"ratio export/pull = {t_export / t_sqlite:6.1f}x  (target >= 10x)"
    )
    print(
        f"  peak memory (first pull): python {py_peak / 1e6:.0f} MB + arrow pool {arrow_peak / 1e6:.0f} MB "
        f"= {(py_peak + arrow_peak) / table.nbytes:.1f}x the final table "
        f"({table.nbytes / 1e6:.0f} MB; target <= 2x)"
    )
    grown, nbytes = rss_growth(project, "sqlite")
    print(
        f"  peak RSS growth in a fresh process: {grown / 1e6:.0f} MB = {grown / nbytes:.1f}x the table "
        "(allocator slack included)"
    )
    _, t_df = timed(lambda: project.pull(source="sqlite", progress=False))
    print(f"pull() as DataFrame (SQLite):               {t_df:8.2f} s")

    via_api, via_db = fresh(project), fresh(project)  # each its own connection: its own memory cache
    _, t_fill = timed(lambda: via_api.pull_arrow(source="cache", refresh=True, progress=False))
    print(f"pull via API, first cache fill:             {t_fill:8.2f} s")
    via_db.pull_arrow(source="auto", progress=False)  # loads the cache files: both objects in step

    changed = change(project, table, 0.01, 0)
    api_df, t_api = timed(lambda: via_api.pull(source="cache", progress=False))
    print(
        f"repeated pull(), {changed} tasks (1 %) changed, via API (cache):  {t_api:8.2f} s  "
        f"ratio export/pull = {t_export / t_api:6.1f}x  (target >= 50x)"
    )
    api_same = api_df.equals(project.pull(source="sqlite", progress=False))
    via_db.pull_arrow(source="auto", progress=False)  # in step again (reads the files just written)
    change(project, table, 0.01, 1)
    db_df, t_db = timed(lambda: via_db.pull(source="auto", progress=False))
    print(
        f"repeated pull(), {changed} tasks (1 %) changed, database delta:   {t_db:8.2f} s  "
        f"ratio export/pull = {t_export / t_db:6.1f}x  (target >= 50x)"
    )
    _, t_same = timed(lambda: via_db.pull(source="auto", progress=False))
    print(f"repeated pull(), nothing changed:           {t_same:8.2f} s")
    fresh_obj, t_load = timed(lambda: fresh(project).pull(source="auto", progress=False))
    print(f"pull() by a new Project (cache files read): {t_load:8.2f} s")
    reference = project.pull(source="sqlite", progress=False)
    same = db_df.equals(reference) and fresh_obj.equals(reference)
    print(f"  cached pulls == full SQLite read at the time: API {api_same}, database {same}")


def measure_push(server, n: int, runs: int) -> None:
    """Project.push of an ``n``-row text frame vs one raw bulk POST of the same task JSON, ``runs`` times.

    The raw baseline posts the exact tasks push sends (built by ``build_tasks`` outside its timing) in
    one request to ``/api/projects/{id}/import``, which answers once the tasks are committed (Label
    Studio Community imports synchronously), as push's requests do. Each run uses two new projects
    and alternates which of the two goes first (the second import of a pair tends to be faster: use
    an even number of runs).
    """
    from ls_notebook.tasks import build_tasks

    df = pd.DataFrame({"text": [f"text {i} " + "x" * (i % 50) for i in range(n)], "id": range(n)})
    config = configs.text_classification(LABELS)
    payload = build_tasks(df, config, key="id").tasks

    def raw(project):
        return server.connection.request(
            "POST", f"/api/projects/{project.id}/import", "raw import", json=payload
        )

    def raw_batched(project):
        for s in range(0, n, 1000):
            server.connection.request(
                "POST", f"/api/projects/{project.id}/import", "raw", json=payload[s : s + 1000]
            )

    raw_times, push_times = [], []
    for run in range(runs):
        raw_project = server.project(f"bench raw {random.randrange(10**6)}", config)
        project = server.project(f"bench push {random.randrange(10**6)}", config)
        if run % 2:
            res, t_push = timed(project.push, df, key="id", progress=False)
            _, t_raw = timed(raw, raw_project)
        else:
            _, t_raw = timed(raw, raw_project)
            res, t_push = timed(project.push, df, key="id", progress=False)
        raw_times.append(t_raw)
        push_times.append(t_push)
        print(
            f"run {run}: raw bulk POST of {n} tasks (one request): {t_raw:6.2f} s   Project.push: "
            f"{t_push:6.2f} s  created={res.created}  ratio raw/push = {t_raw / t_push:4.2f}  "
            f"(load {os.getloadavg()[0]:.1f})"
        )
    ratios = [r / p for r, p in zip(raw_times, push_times, strict=True)]
    print(
        f"push vs raw bulk POST over {runs} runs, ratio raw/push: best-of-{runs} "
        f"{min(raw_times) / min(push_times):4.2f}, total times {sum(raw_times) / sum(push_times):4.2f}, "
        f"per-run median {statistics.median(ratios):4.2f} (range {min(ratios):4.2f}-{max(ratios):4.2f})  "
        "(target >= 0.9)"
    )
    batched_project = server.project(f"bench raw batched {random.randrange(10**6)}", config)
    _, t_batched = timed(lambda: raw_batched(batched_project))
    print(f"raw bulk POST, 1000 tasks per request:      {t_batched:8.2f} s  (for reference)")
    again, t_again = timed(project.push, df, key="id", progress=False)
    print(f"re-push (0 created, {again.skipped} skipped):           {t_again:8.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=20000)
    parser.add_argument("--annotations", type=int, default=5)
    parser.add_argument("--push", type=int, default=10000)
    parser.add_argument("--push-runs", type=int, default=6)
    parser.add_argument("--push-only", action="store_true", help="skip the pull benchmarks")
    parser.add_argument(
        "--template", type=Path, help="an initialised data dir to copy instead of a fresh label-studio init"
    )
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="lsn-bench-"))
    if args.template:
        ignore = shutil.ignore_patterns("server.log", ".ls_notebook.lock")
        shutil.copytree(args.template, tmp / "data", ignore=ignore)
    server = lsn.start(data_dir=tmp / "data", timeout=600)
    try:
        if not args.push_only:
            print(f"Label Studio {server.version}, {args.tasks} tasks x {args.annotations} annotations")
            (project, _), t_import = timed(lambda: build_project(server, args.tasks, args.annotations))
            print(f"import (setup):                             {t_import:8.2f} s")
            measure_pull(project, tmp, args.tasks)
        measure_push(server, args.push, args.push_runs)
    finally:
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
