"""The report's figures from tickets made through the real flows (tests/kit/report.py), against
numbers counted by hand; the month in Shanghai time, its first and last hours included."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.broadcast.holiday_dates import working_day
from bot.clock import FakeClock
from bot.config.settings import Settings
from bot.report.collect import gather
from bot.report.figures import Inputs, Report, Targets, complaint_deadline, compute, facts, percentile
from bot.report.period import month_period, year_period
from bot.report.tables import Label, Minutes, Ratio
from storage.db import Database
from storage.report_rows import ReportRows
from tests.kit.harness import Harness
from tests.kit.report import SHANGHAI, local, november, report_settings

# November 2026, counted by hand from the scenario's docstring
EXPECTED = {
    "reports": 7,  # T1 T2 T3 T4 T6 C1 C2: T5 is December's (local), T7 is T6 again
    "duplicates": 1,
    "drills": 0,
    "accept_p50": Minutes(1.0),  # 1, 1, 2, 3 minutes: the 2nd of 4
    "accept_p90": Minutes(3.0),  # the 4th of 4
    "accept_on_time": Ratio(3, 4),  # T2 took 3 min (P1: 2 min); T3 2 min (P2: 10 min)
    "arrival_on_time": Ratio(3, 4),  # T2 40 min > 30; T3 45 <= 60 (P2)
    "urgent_no_arrival": 1,  # T6
    "handling_p50": Minutes(30.0),  # on site -> resolved: 30, 30, 35, 60
    "handling_p90": Minutes(60.0),
    "resolve_p50": Minutes(60.0),  # report -> resolved: 50, 60, 75, 100
    "resolve_p90": Minutes(100.0),
    "leaks_fixed": 2,  # T1 repaired, T4 third party (T2: no leak; T3 is CO)
    "escalations": 2,
    "tickets_escalated": 1,
    "sla_breaches": 1,
    "complaints_on_time": Ratio(1, 2),
    "satisfaction": Ratio(2, 3),  # 5 and 4 of 5, 3, 4
    "response_rate": Ratio(3, 4),  # T3 was asked, did not rate
    # no hazards, cases or inspection bookings in this scenario (tests/bot/report/test_safety.py has them)
    "hazards_found": 0,
    "hazard_rectification": Ratio(0, 0),
    "hazards_overdue": 0,
    "queue_on_time": Ratio(0, 0),
    "inspections_booked": 0,
    "inspections_done": 0,
}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return report_settings(tmp_path)


async def _report(settings: Settings, db: Database, clock: FakeClock, text: str = "2026-11") -> Report:
    await november(await Harness(settings, db, clock).setup())
    period = month_period(text, SHANGHAI) if "-" in text else year_period(text, SHANGHAI)
    return compute(await gather(settings, period))


def _table(report: Report, key: str) -> list[list[object]]:
    return next(table.rows for table in report.tables if table.key == key)


async def test_november_in_shanghai_by_hand(settings: Settings, db: Database, clock: FakeClock) -> None:
    report = await _report(settings, db, clock)
    assert report.summary == EXPECTED


async def test_november_sections(settings: Settings, db: Database, clock: FakeClock) -> None:
    report = await _report(settings, db, clock)
    assert _table(report, "by_category") == [
        [Label("category.leak"), 3, 3, 0, 0, 0],
        [Label("category.co"), 1, 0, 1, 0, 0],
        [Label("category.excavation"), 1, 1, 0, 0, 0],
        [Label("category.complaint"), 2, 0, 0, 0, 2],
    ]
    assert _table(report, "by_channel") == [["telegram", 7]]
    assert _table(report, "by_priority") == [
        ["P1", 4, Ratio(2, 3), Ratio(2, 3)],  # T1 T2 T4 T6: T2 accepted and arrived late, T6 never
        ["P2", 1, Ratio(1, 1), Ratio(1, 1)],
        ["P3", 0, Ratio(0, 0), None],
        ["P4", 2, Ratio(0, 0), None],
    ]
    assert _table(report, "by_district") == [
        ["Huangpu", 4, Ratio(2, 3)],  # T1 T2 T4 T6; arrivals T1 T2 T4
        [Label("report.district_none"), 3, Ratio(1, 1)],  # T3 (elsewhere), C1, C2 (no pin)
    ]
    assert _table(report, "leaks") == [
        [Label("crew.cause_repaired"), 1],
        [Label("crew.cause_third_party"), 1],
        [Label("crew.cause_no_leak"), 1],
    ]
    complaints = _table(report, "complaints")
    assert [row[4] for row in complaints] == [Label("report.yes_no_True"), Label("report.yes_no_False")]
    assert complaints[0][1:4] == ["2026-11-06 17:00", "2026-11-09 16:00", "2026-11-10 00:00"]
    assert complaints[1][1:4] == ["2026-11-11 09:00", "2026-11-13 09:00", "2026-11-13 00:00"]
    breaches = _table(report, "sla_breaches")
    assert [row[1:4] for row in breaches] == [["P1", Label("category.leak"), Label("report.measure_arrive")]]
    assert _table(report, "ratings")[:5] == [[Label(f"report.stars_{n}"), int(n in (5, 4, 3))] for n in (5, 4, 3, 2, 1)]
    weeks = report.charts.on_time_by_bucket
    assert [label for label, _ in weeks] == [
        "11-01–11-01", "11-02–11-08", "11-09–11-15", "11-16–11-22", "11-23–11-29", "11-30–11-30"
    ]  # fmt: skip
    assert [ratio for _, ratio in weeks] == [
        Ratio(0, 0),
        Ratio(1, 1),
        Ratio(0, 1),
        Ratio(1, 1),
        Ratio(0, 0),
        Ratio(1, 1),
    ]
    assert report.charts.arrival_min == {"P1": [20.0, 40.0, 25.0], "P2": [45.0]}
    assert report.charts.arrival_target_min == {"P1": 30, "P2": 60}
    drills = next(table for table in report.tables if table.key == "drills")
    assert drills.rows == [] and drills.note == "report.none_drills"


async def test_the_month_after_and_the_year(settings: Settings, db: Database, clock: FakeClock) -> None:
    december = await _report(settings, db, clock, "2026-12")
    assert december.summary["reports"] == 1  # T5 at 00:10 on 1 December in Shanghai (16:10 on 30 November UTC)
    assert december.summary["arrival_on_time"] == Ratio(0, 0)
    year = compute(await gather(settings, year_period("2026", SHANGHAI)))
    assert year.summary["reports"] == 8 and year.summary["duplicates"] == 1
    assert [label for label, _ in year.charts.on_time_by_bucket] == [f"{m:02d}" for m in range(1, 13)]
    assert year.charts.on_time_by_bucket[10][1] == Ratio(3, 4)


async def test_drills_stay_out_of_the_real_figures(settings: Settings, db: Database, clock: FakeClock) -> None:
    """A drill ticket (``tickets.drill``) is listed apart and counted in no real figure."""
    ids = await november(await Harness(settings, db, clock).setup())
    async with db._transaction() as tx:
        await tx.execute("UPDATE tickets SET drill = 1 WHERE id = ?", (ids["T1"],))
    report = compute(await gather(settings, month_period("2026-11", SHANGHAI)))
    assert report.summary["reports"] == 6 and report.summary["drills"] == 1
    assert report.summary["arrival_on_time"] == Ratio(2, 3)
    assert report.summary["satisfaction"] == Ratio(1, 2)
    drills = next(table for table in report.tables if table.key == "drills")
    assert drills.rows == [
        [f"#{ids['T1']}", Label("category.leak"), "P1", "2026-11-03 10:00", Minutes(1.0), Minutes(20.0)]
    ]
    assert drills.note is None


def test_percentile_is_nearest_rank() -> None:
    assert percentile([], 50) is None
    assert percentile([7.0], 90) == 7.0
    assert percentile([4.0, 1.0, 3.0, 2.0], 50) == 2.0
    assert percentile([float(n) for n in range(1, 11)], 90) == 9.0
    assert percentile([float(n) for n in range(1, 11)], 91) == 10.0


@pytest.mark.parametrize(
    ("reported", "deadline"),
    [
        ("2026-11-06T17:00", "2026-11-10T00:00"),  # Friday: Monday is the next working day
        ("2026-11-09T00:05", "2026-11-11T00:00"),
        ("2026-09-24T15:00", "2026-09-29T00:00"),  # Mid-Autumn on Friday 25 September, then the weekend
        ("2026-09-30T10:00", "2026-10-09T00:00"),  # the National Day break: 1-7 October
        ("2026-10-09T10:00", "2026-10-11T00:00"),  # Saturday 10 October is a working day (调休)
    ],
)
def test_complaint_deadline_is_the_end_of_the_next_working_day(reported: str, deadline: str) -> None:
    rows = ReportRows(tickets=[], events=[], feedback=[], duplicates={})
    inputs = Inputs(
        period=month_period("2026-10", SHANGHAI),
        rows=rows,
        targets=Targets(accept_s={}, arrive_min={}),
        district_of=lambda lat, lon: None,
        working_day=working_day,
    )
    assert complaint_deadline(facts(inputs), local(reported)) == local(deadline)
