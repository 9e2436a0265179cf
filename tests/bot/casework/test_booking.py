"""Inspection booking: slots per district on working days, the resident's buttons, the day-before reminder
(what to prepare, how to recognise a genuine inspector), move and cancel, /today and "done"; two
residents taking the last place of a slot at once."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.casework.deadlines import DeadlineWatch
from bot.clock import FakeClock
from bot.config.settings import Settings
from bot.i18n import t
from bot.scheduler import Scheduler
from common.events import Text
from storage.db import Database
from tests.kit.crew import crew_settings, opened
from tests.kit.forms import report
from tests.kit.harness import Harness, button_data, texts
from tests.kit.people import CREW_A, RESIDENT

NEIGHBOUR = "5002"
PLAN: dict[str, Any] = {"plans": [{"district": "", "times": ["09:00", "14:00"], "capacity": 1}], "days_ahead": 2}
# T0 is Monday 1 March 2027, 10:00 in Shanghai: the slots are Tuesday and Wednesday, 09:00 and 14:00


def _settings(tmp_path: Path) -> Settings:
    return crew_settings(tmp_path, booking=PLAN)


async def _inspection(h: Harness, user: str) -> tuple[int, list[str]]:
    await report(h, user, "inspection")
    ticket = int(await h.db.scalar("SELECT MAX(id) FROM tickets WHERE category = 'inspection'"))
    offers = [r.message for r in await h.outbox("booking_offer") if r.ticket_id == ticket]
    return ticket, button_data(offers[-1:])


async def _events(db: Database, ticket: int) -> list[str]:
    rows = await db.fetchall(
        "SELECT kind FROM ticket_events WHERE ticket_id = ? AND (kind LIKE 'booking%' OR kind LIKE 'inspection%')",
        (ticket,),
    )
    return [str(row[0]) for row in rows]


async def test_book_remind_move_and_done(tmp_path: Path, clock: FakeClock, migrated: Path) -> None:
    settings = _settings(tmp_path)
    async with opened(settings, clock, migrated) as h:
        db = h.db
        watch = DeadlineWatch(settings, db, clock, Scheduler(), lambda: None)
        ticket, offered = await _inspection(h, RESIDENT)
        assert offered == [
            f"bk:s:{ticket}:{stamp}" for stamp in ("202703020900", "202703021400", "202703030900", "202703031400")
        ]
        offer = [r.message for r in await h.outbox("booking_offer")][-1]
        assert isinstance(offer, Text) and offer.buttons[0][0].text == "03-02 Tue 09:00"
        booked = await h.press(RESIDENT, f"bk:s:{ticket}:202703020900")
        booking = int(await db.scalar("SELECT MAX(id) FROM bookings"))
        assert f"bk:x:{booking}" in [b.data for r in booked if hasattr(r, "buttons") for row in r.buttons for b in row]  # type: ignore[attr-defined]
        forged = await h.press(RESIDENT, f"bk:s:{ticket}:202703021000")  # not a slot of the plan
        assert t("en", "booking.slot_gone") in [getattr(r, "text", "") for r in forged]

        clock.advance(timedelta(hours=7, minutes=59))  # 17:59, the day before
        assert await watch.run_due() == 0
        clock.advance(timedelta(minutes=2))
        assert await watch.run_due() == 1 and await watch.run_due() == 0
        reminder = [r.message for r in await h.outbox("booking_reminder")]
        assert len(reminder) == 1 and isinstance(reminder[0], Text)
        assert reminder[0].text == t("en", "booking.reminder", ticket=ticket, when="2027-03-02 09:00", hotline="96777")
        assert "never pay cash" in reminder[0].text

        moved = await h.press(RESIDENT, f"bk:m:{booking}")
        assert moved is not None
        again = [r.message for r in await h.outbox("booking_offer")][-1]
        assert f"bk:s:{ticket}:202703031400" in button_data([again])
        await h.press(RESIDENT, f"bk:s:{ticket}:202703031400")
        rows = await db.fetchall("SELECT status FROM bookings WHERE ticket_id = ? ORDER BY id", (ticket,))
        assert [r[0] for r in rows] == ["cancelled", "booked"]

        clock.set(clock.now() + timedelta(days=2))  # Wednesday 3 March, 18:01
        assert t("en", "booking.today_refused") in texts(await h.text(RESIDENT, "/today"))
        listed = await h.text(CREW_A[1], "/today")
        new = int(await db.scalar("SELECT MAX(id) FROM bookings"))
        assert any(f"#{ticket}" in text for text in texts(listed)) and f"bk:ok:{new}" in button_data(listed)
        await h.press(RESIDENT, f"bk:ok:{new}")  # the resident cannot mark their own visit done
        assert await db.scalar("SELECT status FROM bookings WHERE id = ?", (new,)) == "booked"
        done = await h.press(CREW_A[1], f"bk:ok:{new}")
        assert await db.scalar("SELECT status FROM bookings WHERE id = ?", (new,)) == "done"
        assert f"hz:k:{ticket}" in [b.data for r in done if hasattr(r, "buttons") for row in r.buttons for b in row]  # type: ignore[attr-defined]
        await h.press(CREW_A[0], f"hz:r:{ticket}:rubber_hose_aged:resident")  # not their visit, not their ticket
        assert await db.scalar("SELECT COUNT(*) FROM hazards") == 0
        await h.press(CREW_A[1], f"hz:r:{ticket}:rubber_hose_aged:resident")  # the inspector's finding
        assert await db.scalar("SELECT COUNT(*) FROM hazards WHERE ticket_id = ?", (ticket,)) == 1
        assert await db.scalar("SELECT status FROM tickets WHERE id = ?", (ticket,)) == "closed"
        assert await _events(db, ticket) == [
            "booking_offered",
            "inspection_booked",
            "booking_reminded",
            "booking_moved",
            "inspection_booked",
            "inspection_done",
        ]
        assert [r.chat for r in await h.outbox("hazard_notice")] == [RESIDENT]


async def test_cancel(tmp_path: Path, clock: FakeClock, migrated: Path) -> None:
    settings = _settings(tmp_path)
    async with opened(settings, clock, migrated) as h:
        db = h.db
        ticket, _ = await _inspection(h, RESIDENT)
        await h.press(RESIDENT, f"bk:s:{ticket}:202703020900")
        booking = int(await db.scalar("SELECT MAX(id) FROM bookings"))
        await h.press(NEIGHBOUR, f"bk:x:{booking}")  # someone else's booking
        assert await db.scalar("SELECT status FROM bookings WHERE id = ?", (booking,)) == "booked"
        await h.press(RESIDENT, f"bk:x:{booking}")
        assert await db.scalar("SELECT status FROM bookings WHERE id = ?", (booking,)) == "cancelled"
        clock.advance(timedelta(hours=9))
        assert await DeadlineWatch(settings, db, clock, Scheduler(), lambda: None).run_due() == 0, "no reminder"


async def test_two_residents_taking_the_last_place_at_once(tmp_path: Path, clock: FakeClock, migrated: Path) -> None:
    settings = _settings(tmp_path)
    async with opened(settings, clock, migrated) as h:
        db = h.db
        mine, _ = await _inspection(h, RESIDENT)
        theirs, _ = await _inspection(h, NEIGHBOUR)
        replies = await asyncio.gather(
            h.press(RESIDENT, f"bk:s:{mine}:202703020900"), h.press(NEIGHBOUR, f"bk:s:{theirs}:202703020900")
        )
        rows = await db.fetchall("SELECT ticket_id FROM bookings WHERE status = 'booked'")
        assert len(rows) == 1, "capacity 1: one booking"
        loser = NEIGHBOUR if int(rows[0][0]) == mine else RESIDENT
        lost = replies[1] if loser == NEIGHBOUR else replies[0]
        assert t("en", "booking.full_toast") in [getattr(r, "text", "") for r in lost]
        kind = [r.message for r in await h.outbox("booking_offer") if r.chat == loser][-1]
        assert isinstance(kind, Text) and kind.text.startswith(
            t("en", "booking.choose_other", ticket=theirs if loser == NEIGHBOUR else mine)
        )
        assert all(not data.endswith(":202703020900") for data in button_data([kind])), (
            "the full slot is not offered again"
        )


async def test_no_plan_leaves_inspection_reports_to_the_desk(
    settings: Settings, db: Database, clock: FakeClock
) -> None:
    h = await Harness(settings, db, clock).setup()
    await report(h, RESIDENT, "inspection")
    assert await h.outbox("booking_offer") == []
