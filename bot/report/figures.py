"""The report's figures: pure functions of the rows ``storage.report_rows`` reads (no I/O, no clock).

``facts`` sorts the rows once: drills apart (never in a real figure), a duplicate ("probably the same
incident" as an earlier ticket) counted once. Each section of the workbook and the PDF is a function
``Facts -> Table`` registered with ``@section``, in the order shown; a new figure (隐患整改率, once
hazards are recorded) is one more registered function. Definitions: README.md, "The monthly report".
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bot.intake.forms import CATEGORIES
from bot.report.period import Period
from bot.report.tables import Cell, Label, Minutes, Ratio, Table
from storage.report_rows import EventRow, FeedbackRow, ReportRows, TicketRow

URGENT = ("P1", "P2")  # the severities with an arrival target
SEVERITIES = ("P1", "P2", "P3", "P4")
LEAK_CATEGORIES = ("leak", "excavation")  # where a crew finds (or not) a leak
NO_LEAK = "no_leak"
COMPLAINT = "complaint"
ANSWER_KINDS = ("relay_out", "accepted", "resolved")  # a staff member's first answer to a complaint
MEASURES = ("accept", "arrive", "resolve")


@dataclass(frozen=True)
class Targets:
    accept_s: dict[str, int]  # severity -> seconds from dispatch to acceptance
    arrive_min: dict[str, int]  # severity -> minutes from the report to arrival


@dataclass(frozen=True)
class Inputs:
    period: Period
    rows: ReportRows
    targets: Targets
    district_of: Callable[[float | None, float | None], str | None]
    working_day: Callable[[date], bool]


@dataclass
class Facts:
    inputs: Inputs
    counted: list[TicketRow]  # real tickets, each incident once
    drills: list[TicketRow]
    duplicates: int  # real tickets left out as probably the same incident as an earlier one
    events: dict[int, list[EventRow]]  # ticket -> its events, in order
    feedback: list[FeedbackRow]  # of counted tickets

    def local(self, when: datetime | None) -> str | None:
        return None if when is None else when.astimezone(self.inputs.period.tz).strftime("%Y-%m-%d %H:%M")


@dataclass
class ChartData:
    by_category: list[tuple[str, int]]  # category -> reports, most first
    on_time_by_bucket: list[tuple[str, Ratio]]  # week or month -> on-time arrivals
    arrival_min: dict[str, list[float]]  # P1 / P2 -> minutes from report to arrival
    arrival_target_min: dict[str, int]
    stars: dict[int, int]  # 1..5 -> ratings


@dataclass
class Report:
    period: Period
    tables: list[Table]
    charts: ChartData
    summary: dict[str, Cell] = field(default_factory=dict)  # figure key -> value (the summary table's rows)


def facts(inputs: Inputs) -> Facts:
    real = [t for t in inputs.rows.tickets if not t.drill]
    counted = [t for t in real if t.id not in inputs.rows.duplicates]
    ids = {t.id for t in counted}
    events: dict[int, list[EventRow]] = {}
    for event in inputs.rows.events:
        if event.ticket_id in ids:
            events.setdefault(event.ticket_id, []).append(event)
    return Facts(
        inputs=inputs,
        counted=counted,
        drills=[t for t in inputs.rows.tickets if t.drill],
        duplicates=len(real) - len(counted),
        events=events,
        feedback=[f for f in inputs.rows.feedback if f.ticket_id in ids],
    )


def percentile(values: list[float], p: int) -> float | None:
    """The nearest-rank percentile: the smallest value with at least ``p`` % of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1]


def _minutes(delta: timedelta) -> float:
    return max(0.0, delta.total_seconds()) / 60


def accept_delays(f: Facts) -> list[tuple[TicketRow, float]]:
    """(ticket, minutes from its first dispatch to acceptance) of every accepted, dispatched ticket."""
    out = []
    for ticket in f.counted:
        dispatched = [e.at for e in f.events.get(ticket.id, []) if e.kind == "dispatched"]
        if ticket.accepted_at is not None and dispatched:
            out.append((ticket, _minutes(ticket.accepted_at - min(dispatched))))
    return out


def _accept_on_time(f: Facts, delays: list[tuple[TicketRow, float]]) -> Ratio:
    on_time = sum(1 for t, took in delays if took * 60 <= f.inputs.targets.accept_s[t.severity])
    return Ratio(on_time, len(delays))


def arrivals(f: Facts) -> list[tuple[TicketRow, float, bool]]:
    """(ticket, minutes from the report to arrival, within the target) of every P1/P2 ticket with an arrival."""
    out = []
    for ticket in f.counted:
        if ticket.severity in URGENT and ticket.arrived_at is not None:
            took = _minutes(ticket.arrived_at - ticket.created_at)
            out.append((ticket, took, took <= f.inputs.targets.arrive_min[ticket.severity]))
    return out


def _on_time(rows: list[tuple[TicketRow, float, bool]]) -> Ratio:
    return Ratio(sum(1 for _, _, ok in rows if ok), len(rows))


def complaint_deadline(f: Facts, reported: datetime) -> datetime:
    """The end (local midnight) of the first working day after the day of the report."""
    period = f.inputs.period
    day = period.local_day(reported) + timedelta(days=1)
    for _ in range(40):  # the longest break is under two weeks
        if f.inputs.working_day(day):
            break
        day += timedelta(days=1)
    after = day + timedelta(days=1)
    return datetime(after.year, after.month, after.day, tzinfo=period.tz)


def complaints(f: Facts) -> list[tuple[TicketRow, datetime | None, datetime, bool]]:
    """(complaint, first staff answer, deadline, answered by the deadline)."""
    out = []
    for ticket in f.counted:
        if ticket.category != COMPLAINT:
            continue
        answers = [e.at for e in f.events.get(ticket.id, []) if e.kind in ANSWER_KINDS and e.actor_id is not None]
        answered = min(answers) if answers else None
        deadline = complaint_deadline(f, ticket.created_at)
        out.append((ticket, answered, deadline, answered is not None and answered <= deadline))
    return out


def _ratings(f: Facts) -> tuple[Ratio, Ratio, Counter[int]]:
    """(满意率: 4-5 stars of the rated, response rate: rated of the asked, stars -> count)."""
    stars = Counter(row.stars for row in f.feedback if row.stars is not None)
    rated = sum(stars.values())
    return Ratio(stars[4] + stars[5], rated), Ratio(rated, len(f.feedback)), stars


def _leaks(f: Facts) -> Counter[str]:
    return Counter(t.cause or "unknown" for t in f.counted if t.category in LEAK_CATEGORIES and t.resolved_at)


def _breaches(f: Facts) -> list[tuple[TicketRow, EventRow]]:
    by_id = {t.id: t for t in f.counted}
    return [(by_id[tid], e) for tid, events in f.events.items() for e in events if e.kind == "sla_breach"]


SECTIONS: list[Callable[[Facts], Table]] = []


def section(fn: Callable[[Facts], Table]) -> Callable[[Facts], Table]:
    """Register a section of the report (after those registered before it)."""
    SECTIONS.append(fn)
    return fn


def summary_figures(f: Facts) -> dict[str, Cell]:
    delays = accept_delays(f)
    took = [minutes for _, minutes in delays]
    arrived = arrivals(f)
    urgent = [t for t in f.counted if t.severity in URGENT]
    to_resolve = [_minutes(t.resolved_at - t.arrived_at) for t in f.counted if t.resolved_at and t.arrived_at]
    report_to_resolve = [_minutes(t.resolved_at - t.created_at) for t in f.counted if t.resolved_at]
    leaks = _leaks(f)
    escalated = [e for events in f.events.values() for e in events if e.kind == "escalated"]
    satisfied, responded, _ = _ratings(f)
    answered = complaints(f)
    return {
        "reports": len(f.counted),
        "duplicates": f.duplicates,
        "drills": len(f.drills),
        "accept_p50": Minutes(percentile(took, 50)),
        "accept_p90": Minutes(percentile(took, 90)),
        "accept_on_time": _accept_on_time(f, delays),
        "arrival_on_time": _on_time(arrived),
        "urgent_no_arrival": len(urgent) - len(arrived),
        "handling_p50": Minutes(percentile(to_resolve, 50)),
        "handling_p90": Minutes(percentile(to_resolve, 90)),
        "resolve_p50": Minutes(percentile(report_to_resolve, 50)),
        "resolve_p90": Minutes(percentile(report_to_resolve, 90)),
        "leaks_fixed": sum(n for cause, n in leaks.items() if cause not in (NO_LEAK, "unknown")),
        "escalations": len(escalated),
        "tickets_escalated": len({e.ticket_id for e in escalated}),
        "sla_breaches": len(_breaches(f)),
        "complaints_on_time": Ratio(sum(1 for *_, ok in answered if ok), len(answered)),
        "satisfaction": satisfied,
        "response_rate": responded,
    }


@section
def summary(f: Facts) -> Table:
    rows: list[list[Cell]] = [[Label(f"report.fig_{key}"), value] for key, value in summary_figures(f).items()]
    return Table("summary", ["report.col_figure", "report.col_value"], rows)


@section
def by_category(f: Facts) -> Table:
    counts = Counter(t.category for t in f.counted)
    rows: list[list[Cell]] = []
    for category in CATEGORIES:
        if counts[category]:
            severities = Counter(t.severity for t in f.counted if t.category == category)
            rows.append([Label(f"category.{category}"), counts[category], *(severities[s] for s in SEVERITIES)])
    return Table("by_category", ["report.col_category", "report.col_reports", *SEVERITIES], rows, _none(rows))


@section
def by_channel(f: Facts) -> Table:
    rows: list[list[Cell]] = [[channel, n] for channel, n in sorted(Counter(t.channel for t in f.counted).items())]
    return Table("by_channel", ["report.col_channel", "report.col_reports"], rows, _none(rows))


@section
def by_priority(f: Facts) -> Table:
    delays, arrived = accept_delays(f), arrivals(f)
    rows: list[list[Cell]] = []
    for severity in SEVERITIES:
        accepted = [d for d in delays if d[0].severity == severity]
        mine = [a for a in arrived if a[0].severity == severity]
        count = sum(1 for t in f.counted if t.severity == severity)
        rows.append([severity, count, _accept_on_time(f, accepted), _on_time(mine) if severity in URGENT else None])
    columns = ["report.col_priority", "report.col_reports", "report.fig_accept_on_time", "report.fig_arrival_on_time"]
    return Table("by_priority", columns, rows)


@section
def by_district(f: Facts) -> Table:
    district_of = f.inputs.district_of
    names = Counter(district_of(t.latitude, t.longitude) or "" for t in f.counted)
    arrived = arrivals(f)
    rows: list[list[Cell]] = []
    for name, count in sorted(names.items(), key=lambda item: (item[0] == "", item[0])):
        mine = [a for a in arrived if (district_of(a[0].latitude, a[0].longitude) or "") == name]
        rows.append([name or Label("report.district_none"), count, _on_time(mine)])
    columns = ["report.col_district", "report.col_reports", "report.fig_arrival_on_time"]
    return Table("by_district", columns, rows, _none(rows))


@section
def leaks(f: Facts) -> Table:
    counts = _leaks(f)
    order = [c for c in ("repaired", "valve_hose", "appliance", "third_party", "meter", "other", NO_LEAK) if counts[c]]
    rows: list[list[Cell]] = [[Label(f"crew.cause_{c}"), counts[c]] for c in order]
    if counts["unknown"]:
        rows.append([Label("report.cause_unknown"), counts["unknown"]])
    return Table("leaks", ["report.col_cause", "report.col_tickets"], rows, _none(rows))


@section
def sla_breaches(f: Facts) -> Table:
    rows: list[list[Cell]] = [
        [f"#{t.id}", t.severity, Label(f"category.{t.category}"), Label(f"report.measure_{e.measure}"), f.local(e.at)]
        for t, e in sorted(_breaches(f), key=lambda pair: pair[1].at)
        if e.measure in MEASURES
    ]
    columns = ["report.col_ticket", "report.col_priority", "report.col_category", "report.col_measure", "report.col_at"]
    return Table("sla_breaches", columns, rows, _none(rows))


@section
def complaints_table(f: Facts) -> Table:
    rows: list[list[Cell]] = [
        [f"#{t.id}", f.local(t.created_at), f.local(answered), f.local(deadline), Label(f"report.yes_no_{ok}")]
        for t, answered, deadline, ok in complaints(f)
    ]
    columns = ["report.col_ticket", "report.col_reported", "report.col_answered", "report.col_deadline"]
    return Table("complaints", [*columns, "report.col_on_time"], rows, _none(rows))


@section
def ratings(f: Facts) -> Table:
    satisfied, responded, stars = _ratings(f)
    rows: list[list[Cell]] = [[Label(f"report.stars_{n}"), stars[n]] for n in (5, 4, 3, 2, 1)]
    rows += [[Label("report.fig_satisfaction"), satisfied], [Label("report.fig_response_rate"), responded]]
    return Table("ratings", ["report.col_rating", "report.col_tickets"], rows)


@section
def drills(f: Facts) -> Table:
    """Drill tickets, apart: none exist until drills are recorded (storage/report_rows.py, ``drill``)."""
    rows: list[list[Cell]] = []
    for t in f.drills:
        accept = Minutes(_minutes(t.accepted_at - t.created_at)) if t.accepted_at else None
        arrive = Minutes(_minutes(t.arrived_at - t.created_at)) if t.arrived_at else None
        rows.append([f"#{t.id}", Label(f"category.{t.category}"), t.severity, f.local(t.created_at), accept, arrive])
    columns = ["report.col_ticket", "report.col_category", "report.col_priority", "report.col_reported"]
    return Table("drills", [*columns, "report.col_accept_min", "report.col_arrive_min"], rows, _none(rows, "drills"))


def _none(rows: list[list[Cell]], what: str = "rows") -> str | None:
    return None if rows else f"report.none_{what}"


def chart_data(f: Facts) -> ChartData:
    period = f.inputs.period
    arrived = arrivals(f)
    on_time = []
    for bucket in period.buckets():
        mine = [a for a in arrived if bucket[0] <= period.local_day(a[0].created_at) < bucket[1]]
        on_time.append((period.bucket_label(bucket), _on_time(mine)))
    return ChartData(
        by_category=Counter(t.category for t in f.counted).most_common(),
        on_time_by_bucket=on_time,
        arrival_min={s: [took for t, took, _ in arrived if t.severity == s] for s in URGENT},
        arrival_target_min={s: f.inputs.targets.arrive_min[s] for s in URGENT},
        stars=dict(_ratings(f)[2]),
    )


def compute(inputs: Inputs) -> Report:
    f = facts(inputs)
    return Report(inputs.period, [fn(f) for fn in SECTIONS], chart_data(f), summary_figures(f))
