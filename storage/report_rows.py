"""The rows the monthly and yearly report is computed from (bot/report/figures.py): plain rows, read once.

Tickets reported in ``[start, end)`` (UTC), their audit trail events of the kinds the figures use, their
feedback, the "probably the same incident" links that make a duplicate count once, and the period's
hazards, cases and inspection bookings (none of a drill ticket). Never a phone
number, an address, a chat or a message's text.

Drills: a ticket is a drill when ``tickets.drill`` says so (migration 0011); the figures keep them apart.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from storage.bookings import Booking, BookingsRepo
from storage.cases import Case, CasesRepo
from storage.db import Database, from_db, to_db
from storage.hazards import Hazard, HazardsRepo

# The audit trail's kinds the figures read (storage/tickets.py writes them): dispatch, the crew's steps,
# escalation, SLA breaches, staff's messages to the resident (a complaint answered)
EVENT_KINDS = (
    "dispatched",
    "accepted",
    "en_route",
    "on_site",
    "resolved",
    "escalated",
    "escalation_exhausted",
    "sla_breach",
    "relay_out",
    "case_outcome",
)


@dataclass(frozen=True)
class TicketRow:
    id: int
    channel: str
    category: str
    severity: str
    status: str
    cause: str | None
    latitude: float | None  # for the district (a configured box), never shown
    longitude: float | None
    created_at: datetime
    accepted_at: datetime | None
    arrived_at: datetime | None
    resolved_at: datetime | None
    drill: bool = False


@dataclass(frozen=True)
class EventRow:
    ticket_id: int
    at: datetime
    kind: str
    actor_id: int | None
    measure: str | None = None  # sla_breach: accept / arrive / resolve


@dataclass(frozen=True)
class FeedbackRow:
    ticket_id: int
    asked_at: datetime
    stars: int | None


@dataclass(frozen=True)
class ReportRows:
    tickets: list[TicketRow]
    events: list[EventRow]
    feedback: list[FeedbackRow]
    duplicates: dict[int, int]  # ticket -> the earlier ticket it is probably the same incident as
    hazards: list[Hazard] = field(default_factory=list)  # found before the end, not settled before the start
    cases: list[Case] = field(default_factory=list)  # opened in the period
    bookings: list[Booking] = field(default_factory=list)  # inspection visits whose slot is in the period


def _stamp(text: Any) -> datetime | None:
    return from_db(str(text)) if text is not None else None


async def report_rows(db: Database, start: datetime, end: datetime) -> ReportRows:
    """Everything about the tickets reported in ``[start, end)``."""
    rows = await db.fetchall(
        "SELECT id, channel, category, severity, status, cause, latitude, longitude, created_at, accepted_at,"
        " arrived_at, resolved_at, drill FROM tickets WHERE created_at >= ? AND created_at < ? ORDER BY id",
        (to_db(start), to_db(end)),
    )
    tickets = []
    for row in rows:
        created = _stamp(row[8])
        assert created is not None
        tickets.append(
            TicketRow(
                id=int(row[0]),
                channel=str(row[1]),
                category=str(row[2]),
                severity=str(row[3]),
                status=str(row[4]),
                cause=row[5],
                latitude=row[6],
                longitude=row[7],
                created_at=created,
                accepted_at=_stamp(row[9]),
                arrived_at=_stamp(row[10]),
                resolved_at=_stamp(row[11]),
                drill=bool(row[12]),
            )
        )
    window = (to_db(start), to_db(end))
    inside = "SELECT id FROM tickets WHERE created_at >= ? AND created_at < ?"
    kinds = ", ".join("?" for _ in EVENT_KINDS)
    events = []
    for ticket_id, at, kind, actor_id, data in await db.fetchall(
        f"SELECT ticket_id, at, kind, actor_id, data FROM ticket_events WHERE kind IN ({kinds})"
        f" AND ticket_id IN ({inside}) ORDER BY id",
        (*EVENT_KINDS, *window),
    ):
        measure = json.loads(data or "{}").get("measure") if kind == "sla_breach" else None
        stamp = _stamp(at)
        assert stamp is not None
        events.append(EventRow(int(ticket_id), stamp, str(kind), actor_id, measure))
    feedback = []
    for ticket_id, asked_at, stars in await db.fetchall(
        f"SELECT ticket_id, asked_at, stars FROM feedback WHERE ticket_id IN ({inside}) ORDER BY ticket_id", window
    ):
        asked = _stamp(asked_at)
        assert asked is not None
        feedback.append(FeedbackRow(int(ticket_id), asked, stars))
    duplicates: dict[int, int] = {}
    for ticket_id, related_id in await db.fetchall(
        "SELECT ticket_id, MIN(related_id) FROM ticket_links WHERE kind = 'probable_same' AND related_id < ticket_id"
        f" AND ticket_id IN ({inside}) GROUP BY ticket_id",
        window,
    ):
        duplicates[int(ticket_id)] = int(related_id)
    for ticket_id, lead in await db.fetchall(  # a report that joined an incident is counted under its lead
        f"SELECT ticket_id, lead_ticket_id FROM incident_reports WHERE ticket_id IN ({inside})", window
    ):
        duplicates[int(ticket_id)] = int(lead)
    hazards, cases, bookings = await _safety_rows(db, start, end)
    return ReportRows(
        tickets=tickets,
        events=events,
        feedback=feedback,
        duplicates=duplicates,
        hazards=hazards,
        cases=cases,
        bookings=bookings,
    )


async def _safety_rows(db: Database, start: datetime, end: datetime) -> tuple[list[Hazard], list[Case], list[Booking]]:
    """Hazards, cases and inspection bookings of the period, none of a drill ticket."""
    drills = {int(row[0]) for row in await db.fetchall("SELECT id FROM tickets WHERE drill = 1")}
    async with db.lock:
        hazards = await HazardsRepo(db.conn).for_period(start, end)
        cases = await CasesRepo(db.conn).opened_between(start, end)
        bookings = await BookingsRepo(db.conn).slots_between(start, end)
    return (
        [h for h in hazards if h.ticket_id not in drills],
        [c for c in cases if c.ticket_id not in drills],
        [b for b in bookings if b.ticket_id not in drills],
    )
