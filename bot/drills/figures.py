"""Drills for the monthly figures (``hotline figures``): how many were held, and how the crews did against
the targets. ``drill_figures`` is pure (summaries in, figures out); ``drills_section`` reads a period."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import median

from bot.config import Settings
from bot.drills.report import DrillSummary, clock_text, summarise
from bot.i18n import Lang, t
from storage.db import Database
from storage.drills import DrillsRepo
from storage.tickets import TicketsRepo


@dataclass
class DrillFigures:
    held: int = 0  # drills sent in the period (a drill still waiting is not held yet)
    completed: int = 0  # resolved by the crew
    accepted_in_time: int = 0
    arrived_in_time: int = 0
    escalated: int = 0  # drills in which the chain had to act
    accept_times: list[timedelta] = field(default_factory=list)
    arrive_times: list[timedelta] = field(default_factory=list)

    @property
    def accept_median(self) -> timedelta | None:
        return timedelta(seconds=median(d.total_seconds() for d in self.accept_times)) if self.accept_times else None

    @property
    def arrive_median(self) -> timedelta | None:
        return timedelta(seconds=median(d.total_seconds() for d in self.arrive_times)) if self.arrive_times else None


def drill_figures(summaries: list[DrillSummary], *, waiting: set[int] | None = None) -> DrillFigures:
    figures = DrillFigures()
    for summary in summaries:
        if waiting and summary.ticket_id in waiting:
            continue
        figures.held += 1
        figures.completed += summary.ended == "resolved"
        figures.accepted_in_time += summary.accepted_in_time
        figures.arrived_in_time += summary.arrived_in_time
        figures.escalated += bool(summary.escalations)
        if summary.accept is not None:
            figures.accept_times.append(summary.accept)
        if summary.arrive is not None:
            figures.arrive_times.append(summary.arrive)
    return figures


def drill_lines(lang: Lang, figures: DrillFigures) -> list[str]:
    return [
        t(lang, "drills.figures_title"),
        t(lang, "drills.figures_held", held=figures.held, completed=figures.completed, escalated=figures.escalated),
        t(
            lang,
            "drills.figures_accept",
            ok=figures.accepted_in_time,
            held=figures.held,
            median=clock_text(figures.accept_median),
        ),
        t(
            lang,
            "drills.figures_arrive",
            ok=figures.arrived_in_time,
            held=figures.held,
            median=clock_text(figures.arrive_median),
        ),
    ]


async def drills_section(
    db: Database, settings: Settings, start: datetime, end: datetime, now: datetime, lang: Lang
) -> list[str]:
    """The drills sent in ``[start, end)`` as lines for ``hotline figures`` (``now`` is not needed)."""
    async with db.lock:
        drills = await DrillsRepo(db.conn).between(start, end)
        events = {ticket.id: await TicketsRepo(db.conn).events(ticket.id) for ticket in drills}
    summaries = [summarise(ticket, events[ticket.id], settings) for ticket in drills]
    waiting = {ticket.id for ticket in drills if ticket.status == "waiting"}
    return drill_lines(lang, drill_figures(summaries, waiting=waiting))
