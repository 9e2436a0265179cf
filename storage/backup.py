"""Online backup of the live SQLite database (``hotline db backup``), and the targets it refuses."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from common.errors import StorageError
from storage.private import make_private

COMPANIONS = ("-wal", "-shm", "-journal")


class BackupTargetError(StorageError):
    """``hotline db backup`` was given a target it must not write (the live database, one of its companions)."""


def _same_file(a: Path, b: Path) -> bool:
    if a.resolve() == b.resolve():
        return True
    try:
        return a.samefile(b)  # a hard link, or another path to the same file
    except OSError:
        return False


def backup_target(source: Path, target: Path, now: datetime) -> Path:
    """The file a backup of ``source`` goes to: ``target``, or a dated file inside it if it is a directory.

    Refuses the live database itself and its ``-wal``/``-shm``/``-journal`` files: copying onto them
    destroys the data the backup was meant to keep.
    """
    if target.is_dir():
        stamp = now.astimezone(UTC).strftime("%Y%m%d-%H%M%S")
        target = target / f"{source.stem}-{stamp}{source.suffix or '.sqlite3'}"
    for suffix in ("", *COMPANIONS):
        live = source.with_name(source.name + suffix)
        if _same_file(target, live):
            what = "the live database" if not suffix else f"the live database's {suffix[1:]} file"
            raise BackupTargetError(f"{target}: that is {what} ({source}); give a path beside it or a directory")
    return target


async def backup_file(source: Path, target: Path, now: datetime | None = None) -> Path:
    """Copy the live database at ``source`` to ``target`` (a file, or a directory for a dated file in it)
    with SQLite's online backup API; returns the file written.

    A separate connection reads one consistent snapshot (WAL lets the bot keep writing meanwhile). The copy
    is written to ``<target>.partial`` and renamed when complete; the partial file never outlives a failure.
    """
    moment = now or datetime.now(UTC)

    def _copy() -> Path:
        if not source.exists():
            raise StorageError(f"{source}: no database there")
        file = backup_target(source, target, moment)
        _copy_to(file)
        return file

    def _copy_to(target: Path) -> None:
        partial = target.with_name(target.name + ".partial")
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
            try:
                make_private(partial)  # the copy holds what the database holds
                dest = sqlite3.connect(partial)
                try:
                    src.backup(dest)
                finally:
                    dest.close()
            finally:
                src.close()
            partial.replace(target)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise

    try:
        return await asyncio.to_thread(_copy)
    except (sqlite3.Error, OSError) as exc:
        raise StorageError(f"backup of {source} to {target} failed: {exc}") from exc
