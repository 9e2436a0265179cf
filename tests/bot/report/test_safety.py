"""The report's hazard, case and inspection figures: 隐患整改率, complaints and the inspection queue within
one working day, inspections booked and done. Pure functions over rows, then a month made through the real
flows (a crew's hazard fixed in time, an overdue one, a complaint answered, an inspection booked and done)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.clock import FakeClock
from bot.report.collect import gather
from bot.report.figures import compute
from bot.report.period import month_period
from bot.report.safety import BookingFigures, booking_figures, case_figures, hazard_figures
from bot.report.tables import Label, Ratio
from storage.bookings import Booking
from storage.cases import Case
from storage.hazards import Hazard
from tests.kit.crew import crew_settings, opened
from tests.kit.forms import report
from tests.kit.hazards import record_hazard, resolved_ticket
from tests.kit.people import CREW_A, DISPATCHER, RESIDENT
from tests.kit.report import SHANGHAI

MARCH = (datetime(2027, 2, 28, 16, 0, tzinfo=UTC), datetime(2027, 3, 31, 16, 0, tzinfo=UTC))  # Shanghai
DAY = timedelta(days=1)


def _hazard(n: int, found: datetime, due: datetime, fixed: datetime | None) -> Hazard:
    return Hazard(
        id=n, ticket_id=n, kind="rubber_hose_aged", party="resident", rule="7d", recorded_by=None, found_at=found,
        due_at_utc=due, remind_at_utc=due - DAY, reminded_at=None, overdue_at=None,
        status="fixed" if fixed else "open", reported_at=None, photo=None, fixed_at=fixed, fixed_by=None,
    )  # fmt: skip


def _case(n: int, kind: str, opened_at: datetime, *, met: datetime | None, stars: int | None = None) -> Case:
    return Case(
        ticket_id=n, kind=kind, opened_at=opened_at, due_at_utc=opened_at + DAY, acked_at=met, acked_by=None,
        outcome=None if met is None else "resolved", outcome_at=met if kind == "complaint" else None,
        escalated_at=None if met is not None and met <= opened_at + DAY else opened_at + DAY, stars=stars,
    )  # fmt: skip


def test_hazard_rectification_rate() -> None:
    d = datetime(2027, 3, 1, 2, tzinfo=UTC)
    hazards = [
        _hazard(1, d, d + 7 * DAY, d + 3 * DAY),  # due in March, fixed in time
        _hazard(2, d, d + 7 * DAY, d + 9 * DAY),  # due in March, fixed late
        _hazard(3, d, d + 7 * DAY, None),  # due in March, still open: overdue
        _hazard(4, d + 20 * DAY, d + 50 * DAY, None),  # due in April: not judged in March
        _hazard(5, d - 40 * DAY, d - 20 * DAY, None),  # February's, still open: overdue at the end of March
    ]
    figures = hazard_figures(hazards, *MARCH)
    assert figures.found == 4
    assert figures.rectified == Ratio(1, 3)
    assert figures.fixed_late == 1 and figures.overdue == 2


def test_complaints_on_time_and_the_queue() -> None:
    d = datetime(2027, 3, 2, 2, tzinfo=UTC)
    cases = [
        _case(1, "complaint", d, met=d + timedelta(hours=5), stars=5),
        _case(2, "complaint", d, met=d + 2 * DAY, stars=2),
        _case(3, "complaint", d, met=None),
        _case(4, "inspection", d, met=d + timedelta(hours=1)),
        _case(5, "complaint", datetime(2027, 4, 1, 2, tzinfo=UTC), met=None),  # April's
    ]
    complaints = case_figures(cases, "complaint", *MARCH)
    assert (complaints.opened, complaints.on_time, complaints.escalated) == (3, Ratio(1, 3), 2)
    assert complaints.mean_stars == 3.5
    queue = case_figures(cases, "inspection", *MARCH)
    assert (queue.opened, queue.on_time) == (1, Ratio(1, 1))


def test_inspections_booked_and_done() -> None:
    d = datetime(2027, 3, 2, 1, tzinfo=UTC)

    def booking(n: int, status: str, slot: datetime) -> Booking:
        return Booking(
            id=n, ticket_id=n, resident_id=1, district="", slot_at_utc=slot, status=status, booked_at=d - DAY,
            remind_at_utc=slot - DAY, reminded_at=None, done_at=None, done_by=None,
        )  # fmt: skip

    rows = [
        booking(1, "done", d),
        booking(2, "booked", d),
        booking(3, "cancelled", d),
        booking(4, "done", d + 40 * DAY),
    ]
    assert booking_figures(rows, *MARCH) == BookingFigures(booked=2, done=1, cancelled=1)


async def test_the_monthly_report_counts_them(tmp_path: Path, clock: FakeClock, migrated: Path) -> None:
    plan = {"plans": [{"district": "", "times": ["09:00"], "capacity": 2}], "days_ahead": 2}
    settings = crew_settings(tmp_path, booking=plan)
    async with opened(settings, clock, migrated) as h:  # T0: Monday 1 March 2027, 10:00 in Shanghai
        ticket = await resolved_ticket(h)
        fixed = await record_hazard(h, ticket, "rubber_hose_aged")  # 7 days: fixed in time below
        await record_hazard(h, ticket, "restaurant_no_alarm", "business")  # 30 days: past its deadline unfixed
        await h.press(CREW_A[0], f"hz:ok:{fixed}")
        await h.text(RESIDENT, "/report")
        await h.press(RESIDENT, "i:c:complaint")
        await h.text(RESIDENT, "Nobody called me back")
        await h.press(RESIDENT, "i:f:phone_optional:-")
        await h.press(RESIDENT, "i:s:ok")
        complaint = int(await h.db.scalar("SELECT MAX(id) FROM tickets"))
        await h.press(DISPATCHER, f"cs:o:{complaint}:explained")
        clock.advance(timedelta(minutes=5))  # a calm resident: the flood limit counts a minute
        await report(h, RESIDENT, "inspection")
        visit = int(await h.db.scalar("SELECT MAX(id) FROM tickets"))
        await h.press(RESIDENT, f"bk:s:{visit}:202703020900")
        clock.advance(DAY)
        await h.press(CREW_A[1], f"bk:ok:{int(await h.db.scalar('SELECT MAX(id) FROM bookings'))}")
    result = compute(await gather(settings, month_period("2027-03", SHANGHAI)))
    assert {k: result.summary[k] for k in ("hazards_found", "hazard_rectification", "hazards_overdue")} == {
        "hazards_found": 2,
        "hazard_rectification": Ratio(1, 2),  # both due in March; the alarm was never fixed
        "hazards_overdue": 1,
    }
    assert result.summary["complaints_on_time"] == Ratio(1, 1), "the case's outcome is the answer"
    assert (result.summary["inspections_booked"], result.summary["inspections_done"]) == (1, 1)
    tables = {table.key: table.rows for table in result.tables}
    assert tables["hazards"][-1] == [Label("report.all"), 2, Ratio(1, 2), 0, 1]
    assert tables["casework"][0] == [Label("report.case_complaint"), 1, Ratio(1, 1), 0, None]
    assert tables["inspections"] == [[Label("report.district_all"), 1, 1, 0]]
