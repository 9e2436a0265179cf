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

import aiosqlite

from bot.config import Settings
from bot.forms import FIELDS, Ask
from storage.db import Database, to_db
from storage.tickets import OPEN_STATUSES

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


async def _purge_ticket(tx: aiosqlite.Connection, row: aiosqlite.Row, now: datetime) -> int:
    ticket_id = int(row["id"])
    details = keep_answers(json.loads(row["details"] or "{}"))
    await tx.execute(
        "UPDATE tickets SET phone = NULL, address = NULL, chat = '', details = ?, latitude = ?, longitude = ?,"
        " purged_at = ? WHERE id = ?",
        (json.dumps(details), _round(row["latitude"]), _round(row["longitude"]), to_db(now), ticket_id),
    )
    for event in await tx.execute_fetchall("SELECT id, data FROM ticket_events WHERE ticket_id = ?", (ticket_id,)):
        data = json.loads(event["data"] or "{}")
        kept = {k: v for k, v in data.items() if k in EVENT_KEYS} if isinstance(data, dict) else {}
        if kept != data:
            await tx.execute("UPDATE ticket_events SET data = ? WHERE id = ?", (json.dumps(kept), event["id"]))
    rows = await tx.execute_fetchall("SELECT id, payload FROM outbox WHERE ticket_id = ?", (ticket_id,))
    for out in rows:
        # a notification about a ticket closed that long ago that still waits is moot: dropped, not sent
        await tx.execute(
            "UPDATE outbox SET payload = ?, status = CASE status WHEN 'pending' THEN 'dropped' ELSE status END"
            " WHERE id = ?",
            (scrub_payload(out["payload"]), out["id"]),
        )
    await tx.execute("UPDATE feedback SET comment = NULL WHERE ticket_id = ?", (ticket_id,))
    return len(list(rows))


async def purge(db: Database, *, older_than_days: int, now: datetime) -> PurgeResult:
    """Anonymise every resolved/closed ticket whose last stamp is more than ``older_than_days`` old."""
    if older_than_days < 0:
        raise ValueError("older_than_days must not be negative")
    cutoff = to_db(now - timedelta(days=older_than_days))
    closed = ", ".join("?" for _ in CLOSED_STATUSES)
    still_open = ", ".join("?" for _ in OPEN_STATUSES)
    async with db.transaction() as tx:
        rows = await tx.execute_fetchall(
            "SELECT id, resident_id, details, latitude, longitude FROM tickets"
            f" WHERE status IN ({closed}) AND purged_at IS NULL"
            " AND COALESCE(closed_at, resolved_at, created_at) < ?",
            (*CLOSED_STATUSES, cutoff),
        )
        outbox_rows = 0
        residents: set[int] = set()
        for row in rows:
            outbox_rows += await _purge_ticket(tx, row, now)
            residents.add(int(row["resident_id"]))
        people = 0
        for resident_id in sorted(residents):
            cur = await tx.execute(
                "UPDATE people SET phone = NULL WHERE id = ? AND role = 'resident' AND phone IS NOT NULL"
                f" AND NOT EXISTS (SELECT 1 FROM tickets WHERE resident_id = ? AND status IN ({still_open}))",
                (resident_id, resident_id, *OPEN_STATUSES),
            )
            people += max(cur.rowcount, 0)
    result = PurgeResult(tickets=len(list(rows)), outbox_rows=outbox_rows, people=people)
    logger.info("%s (older than %d days)", result, older_than_days)
    return result


async def purge_command(settings: Settings, older_than_days: int) -> PurgeResult:
    from bot.clock import SystemClock

    db = await Database.open(settings.storage.path)
    try:
        return await purge(db, older_than_days=older_than_days, now=SystemClock().now())
    finally:
        await db.close()
