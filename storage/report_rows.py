"""The rows the monthly and yearly report is computed from (bot/report/figures.py): plain rows, read once.

Tickets reported in ``[start, end)`` (UTC), their audit trail events of the kinds the figures use, their
feedback, and the "probably the same incident" links that make a duplicate count once. Never a phone
number, an address, a chat or a message's text.

Drills: a ticket is a drill when ``tickets.drill`` says so (migration 0011); the figures keep them apart.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storage.db import Database, from_db, to_db

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
    return ReportRows(tickets=tickets, events=events, feedback=feedback, duplicates=duplicates)
