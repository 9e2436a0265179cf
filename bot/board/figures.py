"""Figures over tickets, as pure functions (time passed in): the board's "today" panel and its clocks.

Kept apart from any page or file format so that every view of the figures (the live board, a monthly
report) counts the same way. SLA targets and breaches come from ``bot.sla``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo

from bot.dispatch.sla import breached
from storage.tickets import Ticket

SEVERITIES = ("P1", "P2", "P3", "P4")


def local_day_start(now: datetime, zone: tzinfo) -> datetime:
    """Midnight of ``now``'s day in the utility's zone (aware)."""
    local = now.astimezone(zone)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def counts_by(tickets: Iterable[Ticket], key: Callable[[Ticket], str]) -> dict[str, int]:
    """How many tickets per value of ``key``, the most frequent first (ties by name)."""
    counted = Counter(key(ticket) for ticket in tickets)
    return dict(sorted(counted.items(), key=lambda item: (-item[1], item[0])))


@dataclass(frozen=True)
class DayCounts:
    total: int
    by_status: dict[str, int]
    by_category: dict[str, int]
    by_severity: dict[str, int]


def day_counts(tickets: list[Ticket]) -> DayCounts:
    """Counts of the tickets given (e.g. those reported since ``local_day_start``)."""
    severities = Counter(ticket.severity for ticket in tickets)
    return DayCounts(
        total=len(tickets),
        by_status=counts_by(tickets, lambda tk: tk.status),
        by_category=counts_by(tickets, lambda tk: tk.category),
        by_severity={severity: severities.get(severity, 0) for severity in SEVERITIES},
    )


@dataclass(frozen=True)
class Clocks:
    """Where one ticket stands against its targets at ``now``: due times of the steps not yet done."""

    age: timedelta
    accept_due: datetime | None  # None: accepted already
    arrive_due: datetime | None  # None: arrived already, or no arrival target (P3, P4)
    resolve_due: datetime | None
    breached: list[str] = field(default_factory=list)  # measures over target (bot.sla.MEASURES)


def clocks(ticket: Ticket, limits: dict[str, timedelta], now: datetime) -> Clocks:
    start = ticket.created_at
    urgent = ticket.severity in ("P1", "P2")
    return Clocks(
        age=now - start,
        accept_due=None if ticket.accepted_at else start + limits["accept"],
        arrive_due=start + limits["arrive"] if urgent and ticket.arrived_at is None else None,
        resolve_due=None if ticket.resolved_at else start + limits["resolve"],
        breached=breached(ticket, limits, now),
    )
