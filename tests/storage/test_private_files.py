"""The database, its -wal/-shm files and its backups are readable by the bot's user only (0600): they hold
residents' phone numbers and addresses. Made so at creation whatever the umask, tightened at the next open."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from storage.backup import backup_file
from storage.db import Database


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """A umask that would make new files world-readable (022 is the common default)."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


async def test_a_new_database_and_its_wal_and_backup_are_0600(tmp_path: Path, open_umask: None) -> None:
    path = tmp_path / "hotline.sqlite3"
    db = await Database.open(path)
    try:
        async with db._transaction() as tx:
            await tx.execute("INSERT INTO audit (at, channel, actor, action) VALUES ('t', 'c', 'a', 'x')")
        for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            assert file.exists(), file
            assert mode(file) == 0o600, f"{file.name}: {oct(mode(file))}"
        copy = await backup_file(path, tmp_path / "backups")
        assert mode(copy) == 0o600
    finally:
        await db.close()


async def test_a_readable_database_left_by_an_older_version_is_tightened(tmp_path: Path, open_umask: None) -> None:
    path = tmp_path / "old.sqlite3"
    db = await Database.open(path)
    await db.close()
    path.chmod(0o644)
    db = await Database.open(path)
    try:
        assert mode(path) == 0o600
    finally:
        await db.close()
