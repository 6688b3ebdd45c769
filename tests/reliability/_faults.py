"""Killing a local server (``sigkill``) and the SIGKILL-mid-push scenario, shared by the SQLite and
PostgreSQL tests and the benchmark."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import psutil

import ls_notebook as lsn
from ls_notebook.errors import PushInterruptedError
from tests._support import START_TIMEOUT, wait_for


def sigkill(server: lsn.Server) -> None:
    """SIGKILL the whole process group of a local server (no cleanup, like a crash or the OOM killer)."""
    pid = server.pid
    assert pid is not None
    members = [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)
    psutil.wait_procs(members, timeout=30)


def frame(n: int) -> pd.DataFrame:
    """``n`` rows with a text key and text that differs per row (unicode and HTML included)."""
    keys = [f"row-{i:06d}" for i in range(n)]
    texts = [f"review {i}: naïve café ☕ <b>{i % 97}</b> & {'x' * (i % 13)}" for i in range(n)]
    return pd.DataFrame({"k": keys, "text": texts, "stars": [i % 5 + 1 for i in range(n)]})


@dataclass
class KillOutcome:
    """What happened around the kill."""

    error: BaseException | None
    result: object
    on_server_at_kill: int
    after_rerun: object


def kill_mid_push(
    server: lsn.Server,
    project: lsn.Project,
    df: pd.DataFrame,
    count: Callable[[], int],
    kill_at: int,
    batch_size: int,
) -> KillOutcome:
    """Push ``df`` in a thread, SIGKILL the server once ``count()`` reaches ``kill_at``, restart it
    with ``ls_notebook.start()`` on the same data dir and re-run the same push on the same objects."""
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["result"] = project.push(df, key="k", batch_size=batch_size, progress=False)
        except BaseException as exc:  # recorded for the test to inspect
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert wait_for(lambda: count() >= kill_at or not thread.is_alive()), "the push never got going"
    sigkill(server)
    thread.join(600)
    assert not thread.is_alive(), "the push did not notice the dead server"
    assert server.data_dir is not None
    restarted = lsn.start(data_dir=server.data_dir, timeout=START_TIMEOUT)
    assert restarted.running
    on_server = count()
    rerun = project.push(df, key="k", batch_size=batch_size, progress=False)
    return KillOutcome(outcome.get("error"), outcome.get("result"), on_server, rerun)


def check_interrupted(error: BaseException | None, on_server: int, total: int) -> int:
    """The push raised PushInterruptedError saying what was confirmed and that a re-run is safe."""
    assert isinstance(error, PushInterruptedError), f"the push was not interrupted: {error!r}"
    message = str(error)
    assert "\n" not in message.strip()
    assert f"after {error.confirmed} of {total} new tasks were confirmed" in message
    assert "Re-running the same push is safe" in message
    assert 0 <= error.confirmed <= on_server <= total
    return error.confirmed
