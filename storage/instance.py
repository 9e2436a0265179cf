"""One bot process per database: an exclusive lock on a file beside it, held for the process's life.

Two bots on one database (and one token) would each dispatch every ticket: the crews get every card twice
or more. ``InstanceLock.acquire`` takes ``flock(LOCK_EX | LOCK_NB)`` on ``<database>.lock`` and writes its
process id there; a second process is refused at once with that id in the message. The kernel lets the
lock go when the process ends, however it ends (``kill -9`` included), so a stale lock file never blocks
a restart. The lock file stays beside the database after a clean stop: it tells the next start that a
database was there (``bot.ops.dbguard``).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

from common.errors import StorageError


class AlreadyRunning(StorageError):
    """Another process holds the database's instance lock."""


def lock_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".lock")


class InstanceLock:
    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd: int | None = fd

    @classmethod
    def acquire(cls, db_path: Path) -> InstanceLock:
        """The lock for ``db_path``, or ``AlreadyRunning`` naming the process that holds it."""
        path = lock_path(db_path)
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            raise StorageError(f"{path}: cannot create the instance lock file ({exc.strerror})") from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_pid(fd)
            os.close(fd)
            raise AlreadyRunning(
                f"another hotline process{f' (pid {holder})' if holder else ''} is running on {db_path}: "
                "stop it first (two bots on one database would dispatch every ticket twice)"
            ) from None
        except OSError as exc:
            os.close(fd)
            raise StorageError(f"{path}: cannot lock the instance lock file ({exc.strerror})") from exc
        with contextlib.suppress(OSError):  # the pid is only for the message; a full disk must not stop us
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        return cls(path, fd)

    @staticmethod
    def held(db_path: Path) -> bool:
        """Whether a process holds the lock of ``db_path`` now (without keeping it)."""
        try:
            lock = InstanceLock.acquire(db_path)
        except AlreadyRunning:
            return True
        except StorageError:
            return False
        lock.release()
        return False

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)  # closing the descriptor lets the flock go

    def __enter__(self) -> InstanceLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _read_pid(fd: int) -> int | None:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None
