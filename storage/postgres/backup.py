"""``hotline db backup`` on PostgreSQL: ``pg_dump`` (Debian's postgresql-client) in its custom format, a
consistent snapshot while the bot writes; restore with ``pg_restore``."""

from __future__ import annotations

import asyncio
import glob
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

from common.errors import StorageError
from storage.postgres.sql import masked
from storage.private import make_private


def pg_dump() -> str:
    """The ``pg_dump`` on PATH, or the newest of Debian's ``/usr/lib/postgresql/*/bin``."""
    found = shutil.which("pg_dump") or next(iter(sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_dump"))[::-1]), None)
    if found is None:
        raise StorageError("pg_dump is not installed (Debian: apt-get install postgresql-client)")
    return found


def dump_target(target: Path, now: datetime) -> Path:
    if target.is_dir():
        return target / f"hotline-{now.astimezone(UTC).strftime('%Y%m%d-%H%M%S')}.pgdump"
    return target


async def dump(url: str, target: Path, now: datetime | None = None) -> Path:
    """Dump the database at ``url`` to ``target`` (a file, or a directory for a dated file in it): written to
    ``<target>.partial`` and renamed when complete."""
    file = dump_target(target, now or datetime.now(UTC))
    partial = file.with_name(file.name + ".partial")
    file.parent.mkdir(parents=True, exist_ok=True)
    make_private(partial)
    process = await asyncio.create_subprocess_exec(
        pg_dump(),
        "--format=custom",
        f"--file={partial}",
        f"--dbname={url}",
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "PGCONNECT_TIMEOUT": "10"},
    )
    _, err = await process.communicate()
    if process.returncode != 0:
        partial.unlink(missing_ok=True)
        text = err.decode("utf-8", "replace").strip().replace(url, masked(url))
        raise StorageError(f"pg_dump of {masked(url)} failed: {text}")
    partial.replace(file)
    return file
