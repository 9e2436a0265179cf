"""The database file an operator can trust: never a new empty one by mistake, never lost unnoticed.

At start (``hotline run``), a missing database file is created only on a first run:
- ``--init`` was given, or
- the database's directory does not exist yet (a fresh installation).

Otherwise it is refused with one line: when the lock file, ``-wal`` or ``-shm`` beside it are there, the
database was deleted; when they are not, ``storage.path`` is probably mistyped. Either way starting on a new,
empty database would lose every open ticket without a word.

While running, ``FileWatch`` checks every few seconds that the file at ``storage.path`` is still the one
opened (same device and inode): SQLite keeps writing to a deleted file without complaint, and everything
written after that would be gone at the next start. A file deleted or replaced stops the bot loudly.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable
from pathlib import Path

from common.errors import StorageError
from storage.instance import lock_path

logger = logging.getLogger(__name__)

CHECK_EVERY_S = 5.0


def companions(db_path: Path) -> list[Path]:
    """Files SQLite and the bot keep beside a database: proof that one was there."""
    return [lock_path(db_path), db_path.with_name(db_path.name + "-wal"), db_path.with_name(db_path.name + "-shm")]


def check_present(db_path: Path, *, init: bool) -> bool:
    """Whether the database at ``db_path`` is to be created now (True) or exists (False); a
    ``StorageError`` when it is missing and this is not obviously a first run."""
    if db_path.is_file():
        return False
    if db_path.exists():
        raise StorageError(f"{db_path}: storage.path is not a file")
    if init:
        return True
    left = [p.name for p in companions(db_path) if p.exists()]
    if left:
        raise StorageError(
            f"{db_path}: the database is missing, but {', '.join(left)} beside it say one was there (deleted?): "
            "restore it from a backup; start with --init only to begin again with an empty database"
        )
    if db_path.parent.is_dir():
        raise StorageError(
            f"{db_path}: no database there (storage.path mistyped?); on a first run start with --init to create it"
        )
    return True


def identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return st.st_dev, st.st_ino


class FileWatch:
    """Calls ``on_lost(reason)`` once when the file at ``path`` is deleted or replaced."""

    def __init__(self, path: Path, on_lost: Callable[[str], None], *, every_s: float | None = None) -> None:
        self.path = path
        self.on_lost = on_lost
        self.every_s = CHECK_EVERY_S if every_s is None else every_s
        self._identity = identity(path)
        self._task: asyncio.Task[None] | None = None

    def check(self) -> str | None:
        """Why the file is not the one opened any more (None: it is)."""
        now = identity(self.path)
        if now is None:
            return f"the database file {self.path} was deleted while the bot was running"
        if now != self._identity:
            return f"the database file {self.path} was replaced while the bot was running"
        return None

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.every_s)
            reason = self.check()
            if reason is not None:
                logger.critical(
                    "%s: stopping. What was written since is only in the deleted file; restore the database "
                    "from a backup, then start the bot again",
                    reason,
                )
                self.on_lost(reason)
                return

    async def start(self) -> None:
        if self._identity is None:
            raise StorageError(f"{self.path}: no database file to watch")
        self._task = asyncio.get_running_loop().create_task(self._run(), name="database-file-watch")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
