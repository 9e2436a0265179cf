"""Reports for another department (the inspection queue) and complaints: one working day by the China
calendar with its 调休 make-up days, escalation to the supervisors when missed, the outcome told to the
reporter, a complainant's rating."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.broadcast.holiday_dates import one_working_day, working_day
from bot.casework.deadlines import DeadlineWatch
from bot.clock import FakeClock
from bot.i18n import t
from bot.scheduler import Scheduler
from common.events import EventKind, Text
from storage.db import Database
from storage.engines import open_database
from tests.kit.crew import SUPERVISOR, crew_settings, opened
from tests.kit.harness import Harness, button_data
from tests.kit.people import CREW_A, DISPATCHER, RESIDENT

SHANGHAI = ZoneInfo("Asia/Shanghai")
GROUP = "-100777"


def _local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("filed", "due"),
    [
        ("2026-02-13 10:00", "2026-02-15 00:00"),  # Friday -> the end of Saturday 14 Feb, a 调休 make-up working day
        ("2026-02-14 10:00", "2026-02-25 00:00"),  # the make-up Saturday -> over the Spring Festival break
        ("2026-02-17 10:00", "2026-02-25 00:00"),  # filed inside the break
        ("2026-01-03 10:00", "2026-01-05 00:00"),  # New Year break -> Sunday 4 Jan, a make-up working day
        ("2026-03-06 23:59", "2026-03-10 00:00"),  # an ordinary Friday, late -> the end of Monday
    ],
)
def test_one_working_day_uses_holidays_and_make_up_days(filed: str, due: str) -> None:
    assert one_working_day(_local(filed), SHANGHAI) == _local(due)


def test_the_calendar_knows_the_2026_make_up_days() -> None:
    import datetime as dt

    assert working_day(dt.date(2026, 2, 14)) and working_day(dt.date(2026, 2, 28))  # Saturdays worked
    assert not working_day(dt.date(2026, 2, 16))  # Spring Festival break, a Monday


async def _complaint(h: Harness) -> int:
    await h.text(RESIDENT, "/report")
    await h.press(RESIDENT, "i:c:complaint")
    await h.text(RESIDENT, "The crew left the stairwell dirty")
    await h.press(RESIDENT, "i:f:phone_optional:-")
    await h.press(RESIDENT, "i:s:ok")
    return int(await h.db.scalar("SELECT MAX(id) FROM tickets"))


async def _events(db: Database, ticket: int) -> list[str]:
    rows = await db.fetchall("SELECT kind FROM ticket_events WHERE ticket_id = ? AND kind LIKE 'case%'", (ticket,))
    return [str(row[0]) for row in rows]


async def test_complaint_over_the_spring_festival_escalates_then_is_answered_and_rated(
    tmp_path: Path, migrated: Path
) -> None:
    clock = FakeClock(_local("2026-02-13 10:00").astimezone(UTC))  # Friday before the make-up Saturday
    settings = crew_settings(tmp_path)
    async with opened(settings, clock, migrated) as h:
        db = h.db
        watch = DeadlineWatch(settings, db, clock, Scheduler(), lambda: None)
        ticket = await _complaint(h)
        due = await db.scalar("SELECT due_at_utc FROM cases WHERE ticket_id = ?", (ticket,))
        assert datetime.fromisoformat(due) == _local("2026-02-15 00:00"), "the make-up Saturday is a working day"
        cards = await h.outbox("case")
        assert [r.chat for r in cards] == [DISPATCHER]
        assert f"cs:o:{ticket}:resolved" in button_data([r.message for r in cards])
        told = [r.message for r in await h.outbox("case_reporter")]
        assert len(told) == 1 and "2026-02-14" in told[0].text  # type: ignore[union-attr]

        clock.set(_local("2026-02-14 23:59").astimezone(UTC))
        assert await watch.run_due() == 0, "still inside the working day"
        await h.press(DISPATCHER, f"cs:a:{ticket}")  # acknowledged, not yet answered
        clock.set(_local("2026-02-15 00:01").astimezone(UTC))
        assert await watch.run_due() == 1, "a complaint not answered by the end of the working day"
        assert await watch.run_due() == 0, "escalated once"
        assert [r.chat for r in await h.outbox("case_escalated")] == [SUPERVISOR]

        crew = await h.press(CREW_A[1], f"cs:o:{ticket}:resolved")  # not the complaints team
        assert await db.scalar("SELECT outcome FROM cases WHERE ticket_id = ?", (ticket,)) is None
        assert any(getattr(r, "text", "") in (t("zh", "casework.refused"), t("en", "casework.refused")) for r in crew)
        await h.press(DISPATCHER, f"cs:o:{ticket}:resolved")
        assert await db.scalar("SELECT status FROM tickets WHERE id = ?", (ticket,)) == "closed"
        answer = [r.message for r in await h.outbox("case_reporter")][-1]
        assert isinstance(answer, Text) and t("en", "casework.told_resolved") in answer.text
        assert f"cs:r:{ticket}:4" in button_data([answer])
        await h.press(RESIDENT, f"cs:r:{ticket}:4")
        assert await db.scalar("SELECT stars FROM cases WHERE ticket_id = ?", (ticket,)) == 4
        await h.press(RESIDENT, f"cs:r:{ticket}:1")  # rated once
        assert await db.scalar("SELECT stars FROM cases WHERE ticket_id = ?", (ticket,)) == 4
        assert await _events(db, ticket) == [
            "case_opened",
            "case_acknowledged",
            "case_escalated",
            "case_outcome",
            "case_rated",
        ]


async def test_occupation_report_goes_to_the_inspection_queue_without_the_reporter(
    tmp_path: Path, clock: FakeClock, migrated: Path
) -> None:
    settings = crew_settings(tmp_path, casework={"inspection_chat": GROUP, "inspection_roles": ["supervisor"]})
    async with opened(settings, clock, migrated) as h:
        db = h.db
        watch = DeadlineWatch(settings, db, clock, Scheduler(), lambda: None)
        await h.text(RESIDENT, "/report", name="Zhang Wei")
        await h.press(RESIDENT, "i:c:occupation")
        await h.event(RESIDENT, EventKind.LOCATION, latitude=31.2304, longitude=121.4737)
        await h.press(RESIDENT, "i:f:address:-")
        await h.press(RESIDENT, "i:f:happening_now:no")
        await h.text(RESIDENT, "a shed was built over the pipe last year")
        await h.press(RESIDENT, "i:f:photos:-")
        await h.press(RESIDENT, "i:f:phone_optional:-")  # anonymous
        await h.press(RESIDENT, "i:s:ok")
        ticket = int(await db.scalar("SELECT MAX(id) FROM tickets"))
        cards = await h.outbox("case")
        assert {r.chat for r in cards} == {GROUP, SUPERVISOR}
        assert all("Zhang" not in r.message.text for r in cards)  # type: ignore[union-attr]
        assert await db.scalar("SELECT kind FROM cases WHERE ticket_id = ?", (ticket,)) == "inspection"

        refused = await h.press(DISPATCHER, f"cs:a:{ticket}")  # not an inspection role here
        assert await db.scalar("SELECT acked_at FROM cases WHERE ticket_id = ?", (ticket,)) is None
        assert refused
        await h.press(SUPERVISOR, f"cs:a:{ticket}")
        clock.advance(timedelta(days=5))
        assert await watch.run_due() == 0, "acknowledged in time: the deadline is met"
        await h.press(SUPERVISOR, f"cs:o:{ticket}:referred")
        told = [r.message.text for r in await h.outbox("case_reporter")]  # type: ignore[union-attr]
        assert len(told) == 3 and t("en", "casework.told_referred") in told[-1]
        assert "cs:r:" not in "".join(button_data([r.message for r in await h.outbox("case_reporter")]))
        assert await _events(db, ticket) == ["case_opened", "case_acknowledged", "case_outcome"]


async def test_an_unacknowledged_inspection_report_escalates_across_a_restart(
    tmp_path: Path, clock: FakeClock, migrated: Path
) -> None:
    settings = crew_settings(tmp_path)
    async with opened(settings, clock, migrated) as h:
        db = h.db
        await h.text(RESIDENT, "/report")
        await h.press(RESIDENT, "i:c:theft")
        await h.event(RESIDENT, EventKind.TEXT, text="No. 8 Lane 12, the shop on the ground floor")
        await h.text(RESIDENT, "They bypass the meter at night")
        await h.press(RESIDENT, "i:f:photos:-")
        await h.press(RESIDENT, "i:f:phone_optional:-")
        await h.press(RESIDENT, "i:s:ok")
        ticket = int(await db.scalar("SELECT MAX(id) FROM tickets"))
    clock.advance(timedelta(days=3))  # T0 is Monday 1 March 2027: Tuesday's end has passed
    db = await open_database(settings.storage)
    try:
        watch = DeadlineWatch(settings, db, clock, Scheduler(), lambda: None)
        await watch.start()
        await watch.stop()
        assert await _events(db, ticket) == ["case_opened", "case_escalated"]
        assert [r.chat for r in await Harness(settings, db, clock).outbox("case_escalated")] == [SUPERVISOR]
    finally:
        await db.close()


async def test_a_case_the_desk_closed_is_not_escalated(tmp_path: Path, clock: FakeClock, migrated: Path) -> None:
    settings = crew_settings(tmp_path)
    async with opened(settings, clock, migrated) as h:
        ticket = await _complaint(h)
        await h.text(DISPATCHER, f"/close {ticket} answered by phone")
        clock.advance(timedelta(days=5))
        assert await DeadlineWatch(settings, h.db, clock, Scheduler(), lambda: None).run_due() == 0
        assert await _events(h.db, ticket) == ["case_opened"]
