"""Reliability figures: the SIGKILL-mid-push test, concurrent annotators, the bad-input corpus.

Starts its own local server (``ls_notebook.start``) in a temporary folder and prints:

- kill test: tasks pushed, confirmed before the kill, on the server at the kill, then lost and
  duplicated after the restart and re-run (both must be 0);
- concurrency: annotations written by ``--annotators`` threads (their own users and keys), read by the
  final pull, pulls made while writing, inconsistent pulls, and what ``since=`` polling delivered
  (missed / delivered twice);
- bad input: corpus cases tried, those with a clear error (the right type, one line, naming the
  problem and the fix), and those that changed the server's state.

A script, not a test: ``python benchmarks/reliability.py [--tasks 10000] [--annotators 8 --each 200]
[--copy-data-dir DIR]``.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import threading
import time
import uuid
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import ls_notebook as lsn  # noqa: E402
from ls_notebook import configs  # noqa: E402
from tests._fixtures import TEST_ROOT  # noqa: E402  (LS_NOTEBOOK_HOME in a temp folder)
from tests._support import sqlite_count  # noqa: E402
from tests.reliability._faults import frame, kill_mid_push  # noqa: E402


def kill_figures(server: lsn.Server, n: int) -> None:
    project = server.project(f"kill {uuid.uuid4().hex[:6]}", configs.text_classification(["pos", "neg"]))
    df = frame(n)
    data_dir = server.data_dir
    assert data_dir is not None

    def count() -> int:
        return sqlite_count(data_dir, "SELECT count(*) FROM task WHERE project_id = ?", project.id)

    t0 = time.perf_counter()
    out = kill_mid_push(server, project, df, count, kill_at=n * 3 // 10, batch_size=500)
    took = time.perf_counter() - t0
    confirmed = getattr(out.error, "confirmed", None)
    stored = project.pull(include_unannotated=True, progress=False)
    keys = stored["key"]
    texts = dict(zip(stored["key"], stored["data.text"], strict=True))
    wrong = sum(texts.get(k) != t for k, t in zip(df["k"], df["text"], strict=True))
    print("== SIGKILL mid-push")
    print(f"tasks pushed                    {n:>8,}")
    print(f"confirmed before the kill       {confirmed if confirmed is not None else 'n/a':>8}")
    print(f"on the server at the kill       {out.on_server_at_kill:>8,}")
    print(f"created by the re-run           {out.after_rerun.created:>8,}")
    print(f"tasks after the re-run          {len(keys):>8,}")
    print(f"lost                            {len(set(df['k']) - set(keys)):>8,}")
    print(f"duplicated                      {len(keys) - keys.nunique():>8,}")
    print(f"data differing from the frame   {wrong:>8,}")
    print(f"error said                      {str(out.error)[:150]}...")
    print(f"(kill, restart, re-run took {took:.0f} s)")


def concurrency_figures(server: lsn.Server, annotators: int, each: int) -> None:
    from tests.reliability.test_concurrency import annotate_all, check_consistent

    project = server.project(
        f"concurrent {uuid.uuid4().hex[:6]}", configs.text_classification(["pos", "neg"])
    )
    pushed = project.push(pd.DataFrame({"text": [f"t{i}" for i in range(each)]}), progress=False)
    task_ids = [int(t) for t in pushed.task_ids]
    run = uuid.uuid4().hex[:6]
    users = [server.create_user(f"bench{i}-{run}@example.org") for i in range(annotators)]
    emails = {u.email for u in users}
    errors: list[BaseException] = []
    done: list[int] = []
    threads = [threading.Thread(target=annotate_all, args=(server, u, task_ids, errors, done)) for u in users]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    pulls = inconsistent = 0
    delivered: list[int] = []
    polled = project.pull(progress=False)
    delivered += polled["annotation_id"].dropna().tolist()
    while any(t.is_alive() for t in threads):
        polled = project.pull(since=polled, progress=False)
        delivered += polled["annotation_id"].dropna().tolist()
        try:
            check_consistent(project.pull(progress=False), emails, set(task_ids))
        except AssertionError:
            inconsistent += 1
        pulls += 1
    for t in threads:
        t.join()
    took = time.perf_counter() - t0
    polled = project.pull(since=polled, progress=False)
    delivered += polled["annotation_id"].dropna().tolist()
    final = project.pull(progress=False)
    ids = set(final["annotation_id"])
    print("== concurrent annotators")
    print(f"annotators × annotations        {annotators} × {each}")
    print(f"annotations written             {len(done):>8,}   (errors: {len(errors)})")
    print(f"annotations read (final pull)   {len(final):>8,}")
    print(f"pulls while writing             {pulls:>8,}   inconsistent: {inconsistent}")
    print(
        f"since= polls: delivered         {len(set(delivered)):>8,}   missed: {len(ids - set(delivered))}, "
        f"delivered twice: {len(delivered) - len(set(delivered))}"
    )
    print(f"(writing took {took:.0f} s, {len(done) / took:.0f} annotations/s)")


def bad_input_figures(server: lsn.Server) -> None:
    import pytest
    from IPython.core.interactiveshell import InteractiveShell

    from tests.reliability import test_bad_input as corpus

    ctx = corpus.make_ctx(server)
    tried = clear = changed = 0
    unclear = []
    for name, (call, kind, words) in corpus.CASES.items():
        before = corpus.state(server)
        tried += 1
        try:
            call(ctx)
            unclear.append(f"{name}: no error")
        except pytest.skip.Exception:
            tried -= 1
            continue
        except Exception as exc:
            message = str(exc)
            ok = isinstance(exc, kind) and "\n" not in message.strip() and all(w in message for w in words)
            clear += ok
            if not ok:
                unclear.append(f"{name}: {type(exc).__name__}: {message[:120]}")
        changed += corpus.state(server) != before
    InteractiveShell.clear_instance()
    print("== bad input")
    print(f"cases tried                     {tried:>8}")
    print(f"with a clear one-line error     {clear:>8}")
    print(f"that changed server state       {changed:>8}")
    for line in unclear:
        print(f"  unclear: {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--annotators", type=int, default=8)
    parser.add_argument("--each", type=int, default=200)
    parser.add_argument(
        "--copy-data-dir",
        type=Path,
        default=None,
        help="start from a copy of this initialised, stopped data dir (skips the slow first start)",
    )
    args = parser.parse_args()
    data_dir = TEST_ROOT / "bench-server"
    if args.copy_data_dir is not None:
        ignore = shutil.ignore_patterns("server.log", ".ls_notebook.lock", "ls_notebook_cache")
        shutil.copytree(args.copy_data_dir, data_dir, ignore=ignore)
    t0 = time.perf_counter()
    server = lsn.start(data_dir=data_dir, timeout=600)
    print(f"server {server.version} ready in {time.perf_counter() - t0:.0f} s")
    try:
        kill_figures(server, args.tasks)
        concurrency_figures(server, args.annotators, args.each)
        bad_input_figures(server)
    finally:
        server.stop()
        shutil.rmtree(TEST_ROOT, ignore_errors=True)


if __name__ == "__main__":
    main()
