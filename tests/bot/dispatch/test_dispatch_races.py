"""Crew buttons under bad input and races: concurrent accepts, double taps, stale and forged buttons."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.config.settings import Settings
from bot.i18n import t
from common.events import Answer, Edit, Priority
from storage.db import Database
from tests.kit import one_ticket
from tests.kit.crew import (
    CREW_B2,
    STRANGER,
    audits,
    crew_settings,
    harness,
    kinds,
    service,
    texts_to,
    ticket,
)
from tests.kit.people import CREW_A, CREW_B, DISPATCHER, RESIDENT


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return crew_settings(tmp_path)


@pytest.fixture
async def db(settings: Settings, migrated: Path) -> AsyncIterator[Database]:
    """Every test here begins with one routed P1 ticket: a copy of a database with it (``tests.kit.one_ticket``)."""
    database = await one_ticket.open_copy(settings, migrated)
    yield database
    await database.close()


async def test_concurrent_accepts_exactly_one_wins(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await harness(settings, db, clock)
    ticket_id = await one_ticket.the_ticket(h)
    clock.advance(120)
    await service(h).run_due()  # crew B is offered too now
    pressers = [CREW_A[0], CREW_A[1], CREW_B[0], CREW_B2]
    results = await asyncio.gather(*(h.press(user, f"t:acc:{ticket_id}", message_id="5") for user in pressers))
    winners = [r for r in results if any(isinstance(x, Edit) and x.buttons for x in r)]
    assert len(winners) == 1
    assert (await kinds(db, ticket_id)).count("accepted") == 1
    assert len(await texts_to(h, RESIDENT, "resident")) == 2, "still dispatching, then accepted: once"
    assert await audits(db) == 0


async def test_double_taps_do_nothing_twice(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await harness(settings, db, clock)
    ticket_id = await one_ticket.the_ticket(h)
    await h.press(CREW_A[0], f"t:acc:{ticket_id}")
    again = await h.press(CREW_A[0], f"t:acc:{ticket_id}")
    assert any(isinstance(r, Answer) and r.text == t("zh", "crew.already_yours", ticket=ticket_id) for r in again)
    for action in ("enr", "enr", "site", "site", "cause", "cause"):
        await h.press(CREW_A[0], f"t:{action}:{ticket_id}" + (":repaired" if action == "cause" else ""))
    assert await kinds(db, ticket_id) == ["created", "dispatched", "accepted", "en_route", "on_site", "resolved"]
    assert len(await texts_to(h, RESIDENT, "resident")) == 4
    assert await audits(db) == 0


async def test_buttons_on_a_closed_ticket(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await harness(settings, db, clock)
    ticket_id = await one_ticket.the_ticket(h)
    await h.text(DISPATCHER, f"/close {ticket_id} duplicate of a phone call")
    replies = await h.press(CREW_A[1], f"t:acc:{ticket_id}")
    assert any(
        isinstance(r, Answer) and r.text == t("zh", "crew.stale", status=t("zh", "status.closed")) for r in replies
    )
    assert (await ticket(db, ticket_id)).status == "closed"
    assert len(await h.outbox("dispatch_edit")) == 3, "every card lost its buttons"
    assert await db.scalar("SELECT COUNT(*) FROM timers WHERE ticket_id = ? AND status = 'pending'", (ticket_id,)) == 0


async def test_buttons_on_a_reassigned_ticket(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await harness(settings, db, clock)
    ticket_id = await one_ticket.the_ticket(h)
    await h.press(CREW_A[1], f"t:acc:{ticket_id}")
    await h.text(DISPATCHER, f"/assign {ticket_id} B")
    before = await audits(db)
    await h.press(CREW_A[1], f"t:site:{ticket_id}")  # the old assignee
    await h.press(CREW_A[0], f"t:acc:{ticket_id}")  # an old card of crew A
    assert await audits(db) == before + 2
    assert (await ticket(db, ticket_id)).status == "dispatched"
    await h.press(CREW_B2, f"t:acc:{ticket_id}")
    tk = await ticket(db, ticket_id)
    assert tk.status == "accepted" and tk.assignee_id is not None
    assert await texts_to(h, CREW_A[1], "desk") == [t("zh", "desk.taken_off", ticket=ticket_id, crew="B")]


@pytest.mark.parametrize(
    "user,data,reason",
    [
        (RESIDENT, "t:acc:1", "not_staff"),
        (STRANGER, "t:cause:1:repaired", "not_staff"),
        (STRANGER, "t:acc:1'; DROP TABLE tickets;--", "not_staff"),  # the route refuses before reading
        (CREW_A[0], "t:acc:abc", "forged"),
        (CREW_A[0], "t:cause:1:fire_everything", "forged"),
        (CREW_A[0], "t:decr:1:because", "forged"),
        (CREW_A[0], "t:acc:999999", "forged"),
        (CREW_A[0], "t:zap:1", "forged"),
        (CREW_A[0], "t:acc:1:extra", "forged"),
        (CREW_A[0], "t:" + "9" * 40, "forged"),
        (RESIDENT, "r:999", "forged"),
    ],
)
async def test_crafted_callback_data_is_refused_and_audited(
    settings: Settings, db: Database, clock: FakeClock, user: str, data: str, reason: str
) -> None:
    h = await harness(settings, db, clock)
    await one_ticket.the_ticket(h)
    await h.press(user, data)
    detail = await db.scalar("SELECT detail FROM audit")
    assert detail is not None and detail.startswith(reason)
    assert (await ticket(db, 1)).status == "dispatched"


async def test_off_duty_member_of_an_offered_crew_may_accept(
    settings: Settings, db: Database, clock: FakeClock
) -> None:
    h = await harness(settings, db, clock)
    ticket_id = await one_ticket.the_ticket(h)
    clock.advance(12 * 3600)  # crew A's shift ended; its card is still out there
    await h.press(CREW_A[1], f"t:acc:{ticket_id}")
    on_duty = json.loads(await db.scalar("SELECT data FROM ticket_events WHERE kind = 'accepted'"))["on_duty"]
    assert on_duty is False and (await ticket(db, ticket_id)).status == "accepted"


async def test_decline_asks_a_reason_and_records_it(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await harness(settings, db, clock)
    ticket_id = await one_ticket.the_ticket(h)
    replies = await h.press(CREW_A[1], f"t:dec:{ticket_id}")
    edit = next(r for r in replies if isinstance(r, Edit))
    assert [b.data for row in edit.buttons for b in row][0] == f"t:decr:{ticket_id}:busy"
    await h.press(CREW_A[1], f"t:decr:{ticket_id}:far")
    reason = json.loads(await db.scalar("SELECT data FROM ticket_events WHERE kind = 'declined'"))["reason"]
    assert reason == "far"
    assert any("can't take it" in x for x in await texts_to(h, DISPATCHER, "desk"))
    assert (await ticket(db, ticket_id)).status == "dispatched"


async def test_need_backup_pages_the_backup_crew_and_desk(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await harness(settings, db, clock)
    ticket_id = await one_ticket.the_ticket(h)
    await h.press(CREW_A[0], f"t:acc:{ticket_id}")
    await h.press(CREW_A[0], f"t:bk:{ticket_id}")
    assert "backup_requested" in await kinds(db, ticket_id)
    assert {r.chat for r in await h.outbox("backup")} >= {CREW_B[0], CREW_B2}
    assert any("asks for backup" in x for x in await texts_to(h, DISPATCHER, "desk"))


async def test_hand_over_dispatches_again(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await harness(settings, db, clock)
    ticket_id = await one_ticket.the_ticket(h)
    await h.press(CREW_A[0], f"t:acc:{ticket_id}")
    await h.press(CREW_A[0], f"t:ho:{ticket_id}")
    tk = await ticket(db, ticket_id)
    assert tk.status == "dispatched" and tk.assignee_id is None
    assert "handed_over" in await kinds(db, ticket_id)
    pending = await db.fetchall("SELECT kind FROM timers WHERE ticket_id = ? AND status = 'pending'", (ticket_id,))
    assert sorted(r[0] for r in pending) == ["ack", "resolve"], "a fresh chain; the arrival reminder is gone"
    assert any("another crew member" in x for x in await texts_to(h, RESIDENT, "resident"))
    await h.press(CREW_A[1], f"t:acc:{ticket_id}")
    assert (await ticket(db, ticket_id)).status == "accepted"


async def test_resolved_then_notes_and_photo_kept(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await harness(settings, db, clock)
    ticket_id = await one_ticket.the_ticket(h)
    await h.press(CREW_A[0], f"t:acc:{ticket_id}")
    await h.press(CREW_A[0], f"t:cause:{ticket_id}:valve_hose")
    replies = await h.text(CREW_A[0], "Gas leak at the cooker hose: hose replaced, smell of gas gone")
    assert (await kinds(db, ticket_id))[-1] == "note"
    assert not any(r.priority is Priority.EMERGENCY for r in replies), "a crew's notes get no safety card"
    await h.text(CREW_A[0], "hello")  # the notes step is over: not recorded again
    assert (await kinds(db, ticket_id)).count("note") == 1
