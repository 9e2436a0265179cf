"""Leaving nothing behind in the database's files: the write-ahead log emptied, the file rebuilt (the purge)."""

from __future__ import annotations

import asyncio
import logging

from storage.db import Database

logger = logging.getLogger(__name__)


async def truncate_wal(db: Database, attempts: int = 20) -> bool:
    """Copy the write-ahead log into the database and empty it (old page images stay in it otherwise);
    another process reading meanwhile makes it retry. True once it is empty. (SQLite's: a server has none.)"""
    if db.engine != "sqlite":
        return True
    for _ in range(attempts):
        row = await db.fetchone("PRAGMA wal_checkpoint(TRUNCATE)")
        if row is not None and row[0] == 0:
            return True
        await asyncio.sleep(0.05)
    logger.warning("the write-ahead log of %s could not be emptied (busy)", db.path)
    return False


async def vacuum(db: Database) -> None:
    """Rebuild the file (only with no other process on the database: it holds the write lock throughout); on
    PostgreSQL, its VACUUM (which the running bot does not notice)."""
    async with db.lock:
        await db.conn.execute("VACUUM")
    await truncate_wal(db)
