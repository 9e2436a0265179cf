"""Tests that each begin with one ticket in a fresh database (a harness at T0, then by default ``new_ticket``: a
routed P1; or another seed, such as a resident's whole leak report) can start from a copy of one database made
once with it: the same rows, without making the same ticket again in every test (a few ms of database round
trips each, a report's some 13 ms of CPU). Each test still has its own file, core and clock. On PostgreSQL
nothing is copied and ``the_ticket`` makes the ticket in the test, as before."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from pathlib import Path

from bot.clock import FakeClock
from bot.config.settings import Settings, StorageConfig
from storage.db import Database
from storage.engines import open_database
from tests.kit import template
from tests.kit.crew import harness, new_ticket
from tests.kit.harness import Harness
from tests.kit.settings import T0

Seed = Callable[[Harness], Awaitable[int]]  # makes the ticket, returns its id


async def open_copy(settings: Settings, migrated: Path, seed: Seed = new_ticket) -> Database:
    """The test's database, a copy of the one made for these settings (their storage aside) and this seed once per
    test process next to ``migrated``: the staff synced and the seed's ticket made at T0. On PostgreSQL a fresh
    one."""
    if settings.storage.url is None:
        made_by = f"{seed.__module__}.{seed.__qualname__}\n"
        key = hashlib.sha256((made_by + settings.model_dump_json(exclude={"storage"})).encode()).hexdigest()[:16]
        seeded = migrated.parent / f"one-ticket-{key}.sqlite3"
        if not seeded.exists():
            making = seeded.with_suffix(".making")
            making.unlink(missing_ok=True)  # what a seeding that failed left
            await _seed(settings.model_copy(update={"storage": StorageConfig(path=making)}), migrated, seed)
            making.rename(seeded)
        template.start_from(seeded, settings.storage)
    return await open_database(settings.storage)


async def _seed(settings: Settings, migrated: Path, seed: Seed) -> None:
    db = await template.fresh(migrated, settings.storage)
    try:
        await seed(await harness(settings, db, FakeClock(T0)))
    finally:
        await db.close()


async def the_ticket(h: Harness, seed: Seed = new_ticket) -> int:
    """The ticket of a database from ``open_copy``; made here by ``seed`` where nothing was copied (PostgreSQL)."""
    found = await h.db.scalar("SELECT MAX(id) FROM tickets")
    return int(found) if found is not None else await seed(h)
