"""Helpers the test suites share, also imported by benchmarks and tools: no fixtures and no side
effects here (the run's folder and the fixtures are in ``tests/_fixtures.py``)."""

from __future__ import annotations

import os
import sqlite3
import time
import uuid
from collections.abc import Callable
from pathlib import Path

START_TIMEOUT = 300  # seconds a Label Studio start may take (the first one initialises its database)


# Debian's Chromium (apt-get install chromium), driven by Playwright, and how every test, benchmark
# and tool launches it.
CHROMIUM = os.environ.get("LSN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def launch_chromium(playwright: object) -> object:
    """Launch :data:`CHROMIUM` headless through a started Playwright (``sync_playwright()``)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)  # type: ignore[attr-defined]


def unique_title(prefix: str = "test") -> str:
    """A project title no other test uses."""
    return f"{prefix} {uuid.uuid4().hex[:8]}"


def wait_for(predicate: Callable[[], object], timeout: float = 600, every: float = 0.02) -> bool:
    """Poll ``predicate`` until it is true (True) or ``timeout`` seconds pass (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every)
    return bool(predicate())


def sqlite_count(data_dir: Path, sql: str, *args: object) -> int:
    """Run a counting query on a local server's SQLite file, read-only."""
    conn = sqlite3.connect(f"file:{data_dir / 'label_studio.sqlite3'}?mode=ro", uri=True, timeout=30)
    try:
        return int(conn.execute(sql, args).fetchone()[0])
    finally:
        conn.close()
