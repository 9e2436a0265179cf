"""``hotline purge --older-than DAYS``: anonymise resolved and closed tickets, keep their statistics.

Removed: the callback number, the address, free-text and photo answers, the chat the report came from,
the texts of the ticket's notifications (dispatch cards carry the address and number; one still
waiting is dropped), words in
its events and the resident's feedback comment; the map pin is rounded to 2 decimals (about 1 km, enough
for a district map). Kept: category, severity, status, cause, crew, every time stamp, choice answers
(inside/outside, strength, valve, ...), events with who and when. A resident's phone number is removed
from ``people`` when they have no open ticket left. Each ticket is purged once (``purged_at``).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.config import Settings
from bot.forms import FIELDS, Ask
from storage.db import Conn, Database
from storage.feedback import FeedbackRepo
from storage.outbox import OutboxRepo
from storage.people import PeopleRepo
from storage.tickets import PurgeCandidate, TicketsRepo

logger = logging.getLogger(__name__)

CLOSED_STATUSES = ("resolved", "closed", "cancelled")
PIN_DECIMALS = 2
PURGED_TEXT = "[purged]"
# event data worth keeping for the figures; anything else (notes, relayed words) goes
EVENT_KEYS = frozenset({"severity", "category", "cause", "recipients", "on_duty", "step", "crew", "status", "reason"})
MESSAGE_TEXT_KEYS = ("text", "caption", "address", "title")


@dataclass(frozen=True)
class PurgeResult:
    tickets: int
    outbox_rows: int
    people: int

    def __str__(self) -> str:
        return (
            f"purged {self.tickets} ticket(s), {self.outbox_rows} notification(s), "
            f"{self.people} resident phone number(s)"
        )


def keep_answers(details: dict[str, Any]) -> dict[str, Any]:
    """Only the choice answers (no free text, numbers or photos)."""
    kept: dict[str, Any] = {}
    for name, value in details.items():
        spec = FIELDS.get(name)
        if spec is not None and spec.ask is Ask.CHOICE and isinstance(value, str):
            kept[name] = value
    return kept


def _round(value: object) -> float | None:
    return round(value, PIN_DECIMALS) if isinstance(value, int | float) and not isinstance(value, bool) else None


def scrub_payload(payload: str) -> str:
    """An outbox payload with its words removed and its pin rounded (it still decodes)."""
    data = json.loads(payload)
    message = data.get("message") if isinstance(data, dict) else None
    if isinstance(message, dict):
        for key in MESSAGE_TEXT_KEYS:
            if isinstance(message.get(key), str) and message[key]:
                message[key] = PURGED_TEXT
        for key in ("latitude", "longitude"):
            if key in message:
                message[key] = _round(message[key])
        if "buttons" in message:
            message["buttons"] = []
    return json.dumps(data, ensure_ascii=False)


async def _purge_ticket(tx: Conn, ticket: PurgeCandidate, now: datetime) -> int:
    tickets, outbox = TicketsRepo(tx), OutboxRepo(tx)
    await tickets.anonymise(
        ticket.id,
        details=keep_answers(ticket.details),
        latitude=_round(ticket.latitude),
        longitude=_round(ticket.longitude),
        now=now,
    )
    for event_id, data in await tickets.event_data(ticket.id):
        kept = {k: v for k, v in data.items() if k in EVENT_KEYS} if isinstance(data, dict) else {}
        if kept != data:
            await tickets.replace_event_data(event_id, kept)
    rows = await outbox.payloads_of_ticket(ticket.id)
    for row_id, payload in rows:
        # a notification about a ticket closed that long ago that still waits is moot: dropped, not sent
        await outbox.replace_payload(row_id, scrub_payload(payload))
    await FeedbackRepo(tx).forget_comment(ticket.id)
    return len(rows)


async def purge(db: Database, *, older_than_days: int, now: datetime) -> PurgeResult:
    """Anonymise every resolved/closed ticket whose last stamp is more than ``older_than_days`` old."""
    if older_than_days < 0:
        raise ValueError("older_than_days must not be negative")
    cutoff = now - timedelta(days=older_than_days)
    async with db.transaction() as tx:
        rows = await TicketsRepo(tx).unpurged(CLOSED_STATUSES, last_stamp_before=cutoff)
        outbox_rows = 0
        residents: set[int] = set()
        for row in rows:
            outbox_rows += await _purge_ticket(tx, row, now)
            residents.add(row.resident_id)
        people = 0
        for resident_id in sorted(residents):
            if await PeopleRepo(tx).forget_phone(resident_id):
                people += 1
    result = PurgeResult(tickets=len(rows), outbox_rows=outbox_rows, people=people)
    logger.info("%s (older than %d days)", result, older_than_days)
    return result


async def purge_command(settings: Settings, older_than_days: int) -> PurgeResult:
    from bot.clock import SystemClock

    db = await Database.open(settings.storage.path)
    try:
        return await purge(db, older_than_days=older_than_days, now=SystemClock().now())
    finally:
        await db.close()
