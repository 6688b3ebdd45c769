"""A throwaway PostgreSQL server from Debian's ``postgresql`` package, for the tests.

``initdb`` and ``pg_ctl`` refuse to run as root, so when the tests run as root the cluster belongs to
the unprivileged ``postgres`` user (its folder is created in /tmp and handed over to it). The server
listens on 127.0.0.1 at a free port, with its socket in its own folder, and is stopped by
:meth:`PostgresServer.stop` (``pg_ctl stop -m immediate`` if a fast stop does not finish).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ls_notebook.server._net import free_port

INSTALL_HINT = "apt-get install -y postgresql  (or: make postgresql)"


def bin_dir() -> Path | None:
    """Folder of initdb/pg_ctl from Debian's package (newest version), or None when not installed."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[-3]))
    return Path(found[-1]).parent if found else None


def _as_owner(cmd: list[str], owner: str | None) -> list[str]:
    return ["runuser", "-u", owner, "--", *cmd] if owner else cmd


@dataclass
class PostgresServer:
    """A running PostgreSQL cluster: its folder, port, user and the tools that manage it."""

    folder: Path
    port: int
    user: str
    bindir: Path
    owner: str | None

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def url(self, dbname: str) -> str:
        """A ``postgresql://`` URL for ``dbname`` (trust authentication on 127.0.0.1)."""
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{dbname}"

    def run(self, tool: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        cmd = _as_owner([str(self.bindir / tool), *args], self.owner)
        return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=check, cwd="/")

    def createdb(self, name: str) -> str:
        """Create database ``name`` and return its URL."""
        self.run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", self.user, name)
        return self.url(name)

    def psql(self, dbname: str, sql: str) -> str:
        """Run ``sql`` in ``dbname`` and return psql's unaligned, tuples-only output."""
        out = self.run(
            "psql",
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            self.user,
            "-d",
            dbname,
            "-A",
            "-t",
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            sql,
        )
        return out.stdout.strip()

    def stop(self) -> None:
        """Stop the cluster and delete its folder."""
        if (self.data / "postmaster.pid").exists():
            done = self.run(
                "pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "60", "stop", check=False
            )
            if done.returncode != 0:
                self.run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.folder, ignore_errors=True)


def start_postgres(user: str = "ls") -> PostgresServer:
    """Initialise and start a cluster in a new temp folder on a free port; raise if it cannot."""
    bindir = bin_dir()
    if bindir is None:
        raise RuntimeError(f"PostgreSQL is not installed: {INSTALL_HINT}")
    owner = "postgres" if os.geteuid() == 0 else None
    folder = Path(tempfile.mkdtemp(prefix="lsn-pg-"))
    if owner:
        entry = pwd.getpwnam(owner)
        os.chown(folder, entry.pw_uid, entry.pw_gid)
    server = PostgresServer(folder, free_port(), user, bindir, owner)
    try:
        server.run("initdb", "-D", str(server.data), "-U", user, "--auth=trust", "-E", "UTF8", "--no-sync")
        options = f"-p {server.port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        server.run(
            "pg_ctl",
            "-D",
            str(server.data),
            "-o",
            options,
            "-l",
            str(folder / "postgres.log"),
            "-w",
            "-t",
            "120",
            "start",
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        log = (
            (folder / "postgres.log").read_text(errors="replace")
            if (folder / "postgres.log").exists()
            else ""
        )
        server.stop()
        detail = getattr(exc, "stderr", "") or ""
        raise RuntimeError(f"Could not start PostgreSQL: {exc}\n{detail}\n{log[-2000:]}") from None
    return server
