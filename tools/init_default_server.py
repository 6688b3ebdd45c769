"""Create the default Label Studio server's database once, before a notebook needs it.

Run by ``make lab`` (before JupyterLab opens) and by Binder's ``postBuild``: ``label-studio init``
(30 s quiet, minutes under load) is paid here, so the quickstart's first ``lsn.start()`` only starts
the server (seconds). Idempotent: when the default data dir (``$LS_NOTEBOOK_HOME/default``, else the
per-user data directory) already has its credentials, nothing is done. The server started for the
set-up is stopped again; the notebooks start it.
"""

from __future__ import annotations

import sys

import ls_notebook as lsn
from ls_notebook.server import default_data_dir
from ls_notebook.server._files import CREDENTIALS_FILE


def main() -> int:
    folder = default_data_dir()
    if (folder / CREDENTIALS_FILE).exists():
        print(f"Label Studio's database already exists in {folder}")
        return 0
    print(f"Creating Label Studio's database and admin account in {folder} (once)", flush=True)
    server = lsn.start(timeout=600)
    print(
        f"Label Studio {server.version} initialised in {folder}: database (label_studio.sqlite3), "
        f"admin account {server.user} with a generated password and API key "
        f"(in {CREDENTIALS_FILE}, mode 0600)"
    )
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
