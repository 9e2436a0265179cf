"""The report's figures of hazards, cases and inspection bookings: pure functions of their rows, judged at
the end of the period (``until``). Registered as sections and summary rows in ``bot.report.figures``.

- 隐患整改率 (hazard rectification rate): of the hazards whose deadline fell in the period, the share
  confirmed fixed by the deadline; also those found in the period, fixed late, and past their deadline
  unfixed at the period's end.
- Cases: of the complaints (inspection-queue reports) opened in the period, the share answered
  (acknowledged) within one working day; escalated; a complaint's mean rating.
- Inspections: visits whose slot is in the period, booked (not cancelled), done, cancelled.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.report.tables import Ratio
from storage.bookings import Booking
from storage.cases import Case
from storage.hazards import Hazard


@dataclass(frozen=True)
class HazardFigures:
    found: int
    rectified: Ratio  # 隐患整改率: fixed by the deadline, of those due in the period
    fixed_late: int
    overdue: int  # past the deadline and not fixed at the end of the period


@dataclass(frozen=True)
class CaseFigures:
    opened: int
    on_time: Ratio
    escalated: int
    mean_stars: float | None


@dataclass(frozen=True)
class BookingFigures:
    booked: int
    done: int
    cancelled: int


def hazard_figures(hazards: Sequence[Hazard], start: datetime, until: datetime) -> HazardFigures:
    due = [h for h in hazards if start <= h.due_at_utc < until]
    on_time = [h for h in due if h.fixed_at is not None and h.fixed_at <= h.due_at_utc]
    late = [h for h in due if h.fixed_at is not None and h.fixed_at > h.due_at_utc]
    overdue = [h for h in hazards if h.due_at_utc < until and (h.fixed_at is None or h.fixed_at >= until)]
    return HazardFigures(
        found=sum(1 for h in hazards if start <= h.found_at < until),
        rectified=Ratio(len(on_time), len(due)),
        fixed_late=len(late),
        overdue=len(overdue),
    )


def case_figures(cases: Sequence[Case], kind: str, start: datetime, until: datetime) -> CaseFigures:
    """``kind`` "complaint": on time means answered by the deadline; "inspection": acknowledged by it."""
    opened = [c for c in cases if c.kind == kind and start <= c.opened_at < until]

    def met_at(case: Case) -> datetime | None:
        return case.outcome_at if kind == "complaint" else case.acked_at

    on_time = [c for c in opened if (at := met_at(c)) is not None and at <= c.due_at_utc]
    stars = [c.stars for c in opened if c.stars is not None]
    return CaseFigures(
        opened=len(opened),
        on_time=Ratio(len(on_time), len(opened)),
        escalated=sum(1 for c in opened if c.escalated_at is not None),
        mean_stars=round(sum(stars) / len(stars), 2) if stars else None,
    )


def booking_figures(bookings: Sequence[Booking], start: datetime, until: datetime) -> BookingFigures:
    inside = [b for b in bookings if start <= b.slot_at_utc < until]
    return BookingFigures(
        booked=sum(1 for b in inside if b.status != "cancelled"),
        done=sum(1 for b in inside if b.status == "done"),
        cancelled=sum(1 for b in inside if b.status == "cancelled"),
    )
