"""A data dir remembers its database, so a restart without ``database=`` finds the same one."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from ls_notebook.errors import ServerStartError
from ls_notebook.server import _database

PG = "postgresql://ls:pw@127.0.0.1:5433/labels"


def test_restart_without_database_uses_the_recorded_one(tmp_path: Path) -> None:
    _database.remember(tmp_path, PG)
    assert stat.S_IMODE((tmp_path / "ls_notebook.database.json").stat().st_mode) == 0o600
    assert _database.resolve(tmp_path, None) == PG
    assert _database.resolve(tmp_path, PG) == PG
    with pytest.raises(
        ServerStartError, match=r"was created with the database postgresql://127\.0\.0\.1:5433"
    ):
        _database.resolve(tmp_path, "sqlite")
    with pytest.raises(ServerStartError) as other:
        _database.resolve(tmp_path, "postgresql://ls:secret@127.0.0.1:5433/other")
    assert "secret" not in str(other.value) and ":pw@" not in str(other.value)


def test_sqlite_data_dir_refuses_postgresql(tmp_path: Path) -> None:
    _database.remember(tmp_path, None)
    assert _database.resolve(tmp_path, None) is None
    assert _database.resolve(tmp_path, "sqlite") is None
    with pytest.raises(ServerStartError, match="Omit database="):
        _database.resolve(tmp_path, PG)


def test_unrecorded_data_dir_takes_what_is_given(tmp_path: Path) -> None:
    assert _database.resolve(tmp_path, PG) == PG
    assert _database.resolve(tmp_path, None) is None
