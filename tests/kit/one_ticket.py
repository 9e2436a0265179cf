"""Tests that each begin with one routed P1 ticket in a fresh database (``harness`` then ``new_ticket`` at T0)
can start from a copy of one database made once with it: the same rows, without routing the same ticket again
in every test (a few ms of database round trips each). Each test still has its own file, core and clock. On
PostgreSQL nothing is copied and ``the_ticket`` routes the ticket in the test, as before."""

from __future__ import annotations

import hashlib
from pathlib import Path

from bot.clock import FakeClock
from bot.config.settings import Settings, StorageConfig
from storage.db import Database
from storage.engines import open_database
from tests.kit import template
from tests.kit.crew import harness, new_ticket
from tests.kit.harness import Harness
from tests.kit.settings import T0


async def open_copy(settings: Settings, migrated: Path) -> Database:
    """The test's database, a copy of the one made for these settings (their storage aside) once per test
    process next to ``migrated``: the staff synced and one P1 ticket routed at T0. On PostgreSQL a fresh one."""
    if settings.storage.url is None:
        key = hashlib.sha256(settings.model_dump_json(exclude={"storage"}).encode()).hexdigest()[:16]
        seeded = migrated.parent / f"one-ticket-{key}.sqlite3"
        if not seeded.exists():
            making = seeded.with_suffix(".making")
            making.unlink(missing_ok=True)  # what a seeding that failed left
            await _seed(settings.model_copy(update={"storage": StorageConfig(path=making)}), migrated)
            making.rename(seeded)
        template.start_from(seeded, settings.storage)
    return await open_database(settings.storage)


async def _seed(settings: Settings, migrated: Path) -> None:
    db = await template.fresh(migrated, settings.storage)
    try:
        await new_ticket(await harness(settings, db, FakeClock(T0)))
    finally:
        await db.close()


async def the_ticket(h: Harness) -> int:
    """The P1 ticket of a database from ``open_copy``; routed here where nothing was copied (PostgreSQL)."""
    found = await h.db.scalar("SELECT MAX(id) FROM tickets")
    return int(found) if found is not None else await new_ticket(h)
