"""Helpers for the crew, escalation and desk tests: a staff-complete configuration, tickets made fast."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache
from pathlib import Path
from typing import Any

from bot.clock import FakeClock
from bot.config.settings import Settings, StorageConfig, load_settings
from bot.context import Ctx
from bot.dispatch import duplicates
from bot.dispatch.escalation import EscalationService
from bot.dispatch.route import route_new
from bot.scheduler import Scheduler
from common.events import EventKind, Inbound, Text
from storage.db import Database
from storage.engines import open_database
from storage.people import PeopleRepo
from storage.tickets import Ticket, TicketsRepo
from tests.kit import template
from tests.kit.harness import Harness
from tests.kit.people import CREW_A, CREW_B, DISPATCHER, RESIDENT
from tests.kit.settings import settings_dict

SUPERVISOR, ADMIN, CREW_B2, STRANGER = "3001", "4001", "1004", "9999"
GROUP_A = "-100111"
ROLES = {
    "stranger": STRANGER,
    "resident": RESIDENT,
    "other_crew": CREW_B2,
    "crew": CREW_A[1],
    "lead": CREW_A[0],
    "dispatcher": DISPATCHER,
    "supervisor": SUPERVISOR,
    "admin": ADMIN,
}


def crew_settings(tmp_path: Path, **extra: Any) -> Settings:
    """The staff-complete configuration with its database in ``tmp_path``. Without ``extra`` (most calls, some
    200 a run) and with no ``HOTLINE_*`` setting in the environment, it is validated once per test process and
    each call gets a deep copy with its own storage: 0.2 ms instead of 1.4 ms, the same settings."""
    data = settings_dict(tmp_path / "hotline.sqlite3")
    if extra or any(key.upper().startswith("HOTLINE_") and key.upper() != "HOTLINE_TEST_DB" for key in os.environ):
        return validate_crew_settings(data, extra)
    storage = StorageConfig.model_validate(data["storage"])  # on PostgreSQL a new database of the test server
    return _validated_once().model_copy(update={"storage": storage}, deep=True)


@cache
def _validated_once() -> Settings:
    return validate_crew_settings(settings_dict(Path("unused.sqlite3")), {})


def validate_crew_settings(data: dict[str, Any], extra: dict[str, Any]) -> Settings:
    """The staff-complete configuration over ``data`` (``settings_dict``'s) and ``extra``, validated."""
    data["crews"][0]["group_chat_id"] = GROUP_A
    data["crews"][1]["members"].append({"user_id": CREW_B2, "name": "Sun Hao"})
    data["staff"] = [
        {"user_id": DISPATCHER, "name": "Desk", "role": "dispatcher", "lang": "en"},
        {"user_id": SUPERVISOR, "name": "Boss", "role": "supervisor", "lang": "en"},
        {"user_id": ADMIN, "name": "Root", "role": "admin", "lang": "en"},
    ]
    data.update(extra)
    return load_settings(None, data)


async def new_ticket(
    h: Harness,
    *,
    severity: str = "P1",
    user: str = RESIDENT,
    address: str = "Building 3",
    category: str = "leak",
    where: tuple[float, float] | None = (31.2304, 121.4737),
    mark_duplicates: bool = False,
) -> int:
    """A committed ticket routed exactly as the intake routes it (dispatch, deadlines), without the form;
    ``mark_duplicates``: linked to nearby open P1s first, as the intake does."""
    now = h.clock.now()
    async with h.db._transaction() as tx:
        person = await PeopleRepo(tx).ensure("telegram", user, name="Zhang Wei", lang="en", now=now)
        ticket_id = await TicketsRepo(tx).create(
            resident_id=person.id,
            channel="telegram",
            chat=user,
            lang="en",
            category=category,
            severity=severity,
            status="dispatched" if severity in ("P1", "P2") else "queued",
            address=address,
            latitude=where[0] if where else None,
            longitude=where[1] if where else None,
            phone="+8613812345678",
            details={},
            now=now,
        )
        ctx = Ctx(
            ev=Inbound(channel="telegram", kind=EventKind.TEXT, user=user, chat=user, at=now),
            now=now,
            person=person,
            tx=tx,
            settings=h.settings,
        )
        if mark_duplicates:
            await duplicates.mark_probable_same(ctx, ticket_id)
        await route_new(ctx, ticket_id)
    return ticket_id


async def ticket(db: Database, ticket_id: int) -> Ticket:
    async with db.lock:
        found = await TicketsRepo(db.conn).get(ticket_id)
    assert found is not None
    return found


async def kinds(db: Database, ticket_id: int) -> list[str]:
    async with db.lock:
        return [e.kind for e in await TicketsRepo(db.conn).events(ticket_id)]


async def audits(db: Database) -> int:
    return int(await db.scalar("SELECT COUNT(*) FROM audit"))


async def texts_to(h: Harness, chat: str, purpose: str | None = None) -> list[str]:
    return [r.message.text for r in await h.outbox(purpose) if r.chat == chat and isinstance(r.message, Text)]


def service(h: Harness) -> EscalationService:
    return EscalationService(h.settings, h.db, h.clock, Scheduler(), lambda: None)


async def harness(settings: Settings, db: Database, clock: FakeClock) -> Harness:
    return await Harness(settings, db, clock).setup()


__all__ = ["CREW_A", "CREW_B", "DISPATCHER", "RESIDENT"]


@asynccontextmanager
async def opened(settings: Settings, clock: FakeClock, migrated: Path | None = None) -> AsyncIterator[Harness]:
    """A harness (staff synced) on a fresh database of ``settings``, closed at the end; with ``migrated`` (the
    fixture) a new database starts as a copy of it instead of applying every migration."""
    if migrated is not None:
        template.start_from(migrated, settings.storage)
    db = await open_database(settings.storage)
    try:
        yield await Harness(settings, db, clock).setup()
    finally:
        await db.close()
