"""``hotline purge --older-than DAYS``: anonymise resolved and closed tickets, keep their statistics.

What is personal, and what each column or key becomes, is listed once, in storage/personal.py. In short:
removed are the callback number, the address, free-text and photo answers, the chat the report came from and
the resident behind it, the texts of the ticket's notifications (one still waiting is dropped), the words in
its events (notes, relayed messages, a /close reason) and the resident's feedback comment; the map pin is
rounded to 2 decimals. Kept: category, severity, status, cause, crew, every time stamp, choice answers,
events with which staff member did what and when. A resident with no open ticket left loses their stored
number and name. Unfinished reports, notifications about no ticket, finished timers, refused actions and
WeCom's handled callbacks (what a member wrote) last touched before the cutoff are cleared too. Each ticket is
purged once (``purged_at``).

It runs while the bot runs: in transactions of ``BATCH`` tickets (10-20 ms each in the database's
thread), with a pause between them in which the bot's own writes (a resident's report, a safety card's
ticket) go first. SQLite zeroes what is deleted or overwritten (``secure_delete``, set by ``Database.open``);
at the end the write-ahead log is truncated, and, when no bot holds the database, the file is rebuilt
(VACUUM), so nothing removed is left in the file's free pages either.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from bot.config.settings import Settings
from bot.intake.forms import FIELDS, Ask
from storage.db import Conn, Database
from storage.engines import open_database
from storage.instance import AlreadyRunning, InstanceLock
from storage.maintenance import truncate_wal, vacuum
from storage.personal import (
    EVENT_CODES_KEPT,
    EVENT_KEYS_KEPT,
    MESSAGE_TEXT_KEYS,
    PIN_DECIMALS,
    PURGED_TEXT,
)
from storage.privacy import ClosedTicket, PrivacyRepo

logger = logging.getLogger(__name__)

T = TypeVar("T")

CLOSED_STATUSES = ("resolved", "closed", "cancelled")
BATCH = 200
PAUSE_S = 0.1
"""Between two batches: longer than SQLite's longest busy-handler sleep (100 ms), so a bot waiting for the
write lock gets it before the next batch."""

__all__ = ["PURGED_TEXT", "PurgeResult", "keep_answers", "purge", "purge_command", "scrub_payload"]


@dataclass
class PurgeResult:
    """What a purge did (or, dry run, would do); ``bot.cli.purge_text`` says it in the operator's language."""

    tickets: int = 0
    outbox_rows: int = 0
    people: int = 0
    conversations: int = 0
    other_rows: int = 0
    batches: int = 0
    vacuumed: bool | None = None  # None: not tried
    dry_run: bool = False
    counts: dict[str, int] = field(default_factory=dict)


def keep_answers(details: dict[str, Any]) -> dict[str, Any]:
    """Only the choice answers (no free text, numbers or photos)."""
    kept: dict[str, Any] = {}
    for name, value in details.items():
        spec = FIELDS.get(name)
        if spec is not None and spec.ask is Ask.CHOICE and isinstance(value, str):
            kept[name] = value
    return kept


def keep_event_data(kind: str, data: object) -> dict[str, Any]:
    if not isinstance(data, dict):
        return {}
    allowed = EVENT_KEYS_KEPT | EVENT_CODES_KEPT.get(kind, frozenset())
    return {k: v for k, v in data.items() if k in allowed}


def _round(value: object) -> float | None:
    return round(value, PIN_DECIMALS) if isinstance(value, int | float) and not isinstance(value, bool) else None


def scrub_payload(payload: str, *, chat: bool = False) -> str:
    """An outbox payload with its words removed and its pin rounded (it still decodes); ``chat``: its chat too."""
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
        if chat and "chat" in message:
            message["chat"] = ""
    return json.dumps(data, ensure_ascii=False)


async def _purge_ticket(repo: PrivacyRepo, ticket: ClosedTicket, anonymous: int, now: datetime) -> int:
    await repo.anonymise_ticket(
        ticket.id,
        details=keep_answers(ticket.details),
        latitude=_round(ticket.latitude),
        longitude=_round(ticket.longitude),
        person_id=anonymous,
        now=now,
    )
    for event_id, kind, actor_id, data in await repo.events(ticket.id):
        kept = keep_event_data(kind, data)
        actor = anonymous if actor_id == ticket.resident_id else actor_id
        if kept != data or actor != actor_id:
            await repo.replace_event(event_id, kept, actor)
    rows = await repo.notifications(ticket.id)
    for row_id, chat, payload in rows:
        to_resident = bool(ticket.chat) and chat == ticket.chat
        await repo.replace_notification(row_id, scrub_payload(payload, chat=to_resident), "" if to_resident else chat)
    return len(rows)


async def _batches(db: Database, step: Callable[[Conn], Awaitable[int]], result: PurgeResult, pause_s: float) -> int:
    """``step`` (one transaction that does at most ``BATCH`` rows, answering how many) until it does fewer."""
    total = 0
    while True:
        done = await db.run(step)
        result.batches += 1
        total += done
        if done < BATCH:
            return total
        await asyncio.sleep(pause_s)


async def purge(
    db: Database, *, older_than_days: int, now: datetime, pause_s: float = PAUSE_S, dry_run: bool = False
) -> PurgeResult:
    """Anonymise every resolved/closed ticket whose last stamp is more than ``older_than_days`` old, and clear
    other personal rows last touched before then (see the module's docstring)."""
    if older_than_days < 0:
        raise ValueError("older_than_days must not be negative")
    cutoff = now - timedelta(days=older_than_days)
    result = PurgeResult(dry_run=dry_run)
    if dry_run:

        async def count(tx: Conn) -> tuple[int, dict[str, int]]:
            repo = PrivacyRepo(tx)
            return await repo.count_closed(CLOSED_STATUSES, cutoff), await repo.count_old(cutoff)

        result.tickets, result.counts = await db.run(count)
        return result

    anonymous = await db.run(lambda tx: PrivacyRepo(tx).anonymous_person(now))
    residents: set[int] = set()

    async def tickets(tx: Conn) -> int:
        repo = PrivacyRepo(tx)
        batch = await repo.closed_tickets(CLOSED_STATUSES, cutoff, BATCH)
        for ticket in batch:
            result.outbox_rows += await _purge_ticket(repo, ticket, anonymous, now)
            residents.add(ticket.resident_id)
        return len(batch)

    result.tickets = await _batches(db, tickets, result, pause_s)
    waiting = sorted(residents - {anonymous})
    while waiting:
        chunk, waiting = waiting[:BATCH], waiting[BATCH:]

        async def forget(tx: Conn, chunk: list[int] = chunk) -> int:
            repo = PrivacyRepo(tx)
            return sum([await repo.forget_resident(person) for person in chunk])

        result.people += await db.run(forget)
        result.batches += 1
        if waiting:
            await asyncio.sleep(pause_s)

    async def notifications(tx: Conn) -> int:
        repo = PrivacyRepo(tx)
        rows = await repo.old_ticketless_notifications(cutoff, BATCH)
        for row_id, _, payload in rows:
            await repo.replace_notification(row_id, scrub_payload(payload, chat=True), "")
        return len(rows)

    result.conversations = await _batches(
        db, lambda tx: PrivacyRepo(tx).delete_old_conversations(cutoff, BATCH), result, pause_s
    )
    result.other_rows += await _batches(db, notifications, result, pause_s)
    result.other_rows += await _batches(db, lambda tx: PrivacyRepo(tx).clear_old_timers(cutoff, BATCH), result, pause_s)
    result.other_rows += await _batches(db, lambda tx: PrivacyRepo(tx).clear_old_audit(cutoff, BATCH), result, pause_s)
    result.other_rows += await _batches(
        db, lambda tx: PrivacyRepo(tx).delete_old_wecom_callbacks(cutoff, BATCH), result, pause_s
    )
    await truncate_wal(db)
    logger.info("%s (older than %d days)", result, older_than_days)
    return result


async def purge_command(settings: Settings, older_than_days: int, *, dry_run: bool = False) -> PurgeResult:
    from bot.clock import SystemClock

    db = await open_database(settings.storage)
    try:
        result = await purge(db, older_than_days=older_than_days, now=SystemClock().now(), dry_run=dry_run)
        if not dry_run and result.tickets:
            result.vacuumed = await _vacuum_unless_running(db)
        return result
    finally:
        await db.close()


async def _vacuum_unless_running(db: Database) -> bool:
    """Rebuild the file (no free page keeps anything) when no bot holds the database; False when one does.
    PostgreSQL vacuums beside a running bot."""
    if db.engine != "sqlite":
        await vacuum(db)
        return True
    try:
        lock = InstanceLock.acquire(db.path)
    except AlreadyRunning:
        return False
    with lock:
        await vacuum(db)
    return True
