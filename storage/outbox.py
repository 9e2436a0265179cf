"""The durable outbox: every notification is a row until the channel confirmed it.

A row is ``pending`` until it is ``sent`` (with the channel's message id), ``failed`` (the channel
refused it for good, or ``max_attempts`` ran out) or ``dropped`` (no longer meaningful, e.g. an edit of a
message that never went out). ``attempts`` counts sends tried. For a settled row that was not sent,
``next_attempt_at`` keeps the time it was settled (the table has no other column for it).

The repository works on the connection it is given; the caller owns the transaction (``Database.run``, as the
outbox worker does, or ``Database.transaction``; ``Database.lock`` around reads on the shared connection).
Rows are claimed in memory by the one worker that owns the database (see ``bot.outbound.outbox``), not in the table.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from datetime import datetime
from typing import Literal, NamedTuple

import aiosqlite
from pydantic import BaseModel, ConfigDict, ValidationError

from common.events import Envelope, Outbound, Priority
from storage.db import Conn, from_db, to_db
from storage.rows import insert_id

logger = logging.getLogger(__name__)

Status = Literal["pending", "sent", "failed", "dropped"]

_COLUMNS = (
    "id, channel, chat, priority, payload, ticket_id, purpose, recipient_id, status, attempts, "
    "next_attempt_at, last_error, message_id, created_at, sent_at"
)
_ERROR_CHARS = 500


class OutboxRow(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    channel: str
    chat: str
    priority: Priority
    message: Outbound
    ticket_id: int | None
    purpose: str
    recipient_id: int | None
    status: Status
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    message_id: str | None
    created_at: datetime
    sent_at: datetime | None


class CardRef(NamedTuple):
    """Where one outbox row went, without its payload (what editing a crew's card in place needs)."""

    id: int
    chat: str
    channel: str
    recipient_id: int | None


def _row(row: aiosqlite.Row) -> OutboxRow:
    created_at = from_db(row["created_at"])
    next_attempt_at = from_db(row["next_attempt_at"])
    assert created_at is not None and next_attempt_at is not None
    return OutboxRow(
        id=row["id"],
        channel=row["channel"],
        chat=row["chat"],
        priority=Priority(row["priority"]),
        message=Envelope.model_validate_json(row["payload"]).message,
        ticket_id=row["ticket_id"],
        purpose=row["purpose"],
        recipient_id=row["recipient_id"],
        status=row["status"],
        attempts=row["attempts"],
        next_attempt_at=next_attempt_at,
        last_error=row["last_error"],
        message_id=row["message_id"],
        created_at=created_at,
        sent_at=from_db(row["sent_at"]),
    )


def _error(text: str) -> str:
    return text[:_ERROR_CHARS]


class OutboxRepo:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn
        self.undecodable: list[int] = []
        """Ids of rows ``due`` skipped because their payload no longer decodes (the caller drops them)."""
        self.held: set[str] = set()
        """Chats ``due`` left due rows of because they had ``per_chat`` rows in flight or taken."""

    async def add(
        self,
        message: Outbound,
        *,
        now: datetime,
        ticket_id: int | None = None,
        purpose: str = "",
        recipient_id: int | None = None,
        channel: str | None = None,
    ) -> int:
        """Queue ``message`` (due at once); returns the row id. Call inside the transaction that made it.

        A row for a person (``recipient_id``) goes to the account the people table knows them by, its channel
        and its address, whatever ``channel`` and the message's chat say (a WeChat report's crew cards go to
        the crews' Telegram; a message addressed to a chat that is not the person's goes to the person); a
        row for no person (a group chat) goes on ``channel``, which it must name."""
        if recipient_id is not None:
            known = list(
                await self.conn.execute_fetchall(
                    "SELECT channel, external_id FROM people WHERE id = ?", (recipient_id,)
                )
            )
            if known:
                channel, address = str(known[0][0]), str(known[0][1])
                if message.chat != address:
                    logger.warning(
                        "outbox row %r for person %s named another chat: queued to their own account",
                        purpose,
                        recipient_id,
                    )
                    message = message.model_copy(update={"chat": address})
        if channel is None:
            raise ValueError(f"outbox row {purpose!r} names neither a known person nor a channel")
        row_id = await insert_id(
            self.conn,
            "INSERT INTO outbox (channel, chat, priority, payload, ticket_id, purpose, recipient_id, "
            "next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                channel,
                message.chat,
                int(message.priority),
                Envelope(message=message).model_dump_json(),
                ticket_id,
                purpose,
                recipient_id,
                to_db(now),
                to_db(now),
            ),
        )
        assert row_id is not None
        return row_id

    async def get(self, row_id: int) -> OutboxRow | None:
        rows = list(await self.conn.execute_fetchall(f"SELECT {_COLUMNS} FROM outbox WHERE id = ?", (row_id,)))
        return _row(rows[0]) if rows else None

    async def due(
        self,
        now: datetime,
        limit: int,
        *,
        exclude: Collection[int] = (),
        per_chat: int | None = None,
        in_flight: Mapping[str, int] | None = None,
    ) -> list[OutboxRow]:
        """Pending rows whose time has come, most urgent first, then oldest first; ``exclude``: rows the
        caller already has in flight. With ``per_chat``, at most that many rows of one chat, counting the
        ``in_flight`` ones the caller already has: chats left with due rows for that reason are added to
        ``held``. Of the ``limit`` rows looked at, only the ones taken have their payloads read."""
        busy = in_flight or {}
        full = {chat for chat, n in busy.items() if per_chat is not None and n >= per_chat}
        taken: Counter[str] = Counter()
        ids: list[int] = []
        while True:  # a chat found full is left out of the next round, so busy chats cannot fill ``limit``
            looked = len(ids)
            candidates = await self._candidates(now, limit - looked, [*exclude, *ids], full)
            newly_full = set()
            for row_id, chat in candidates:
                if per_chat is not None and busy.get(chat, 0) + taken[chat] >= per_chat:
                    self.held.add(chat)
                    newly_full.add(chat)
                    continue
                taken[chat] += 1
                ids.append(row_id)
            if not newly_full or len(candidates) < limit - looked or len(ids) >= limit:
                break
            full |= newly_full
        if not ids:
            return []
        rows = await self.conn.execute_fetchall(
            f"SELECT {_COLUMNS} FROM outbox WHERE id IN ({', '.join('?' * len(ids))}) ORDER BY priority, id", ids
        )
        found = []
        for row in rows:
            try:
                found.append(_row(row))
            except ValidationError:
                logger.warning("outbox row %s has a payload this version cannot read", row["id"])
                self.undecodable.append(row["id"])
        return found

    async def _candidates(
        self, now: datetime, limit: int, exclude: Collection[int], full: Collection[str]
    ) -> list[tuple[int, str]]:
        """(id, chat) of up to ``limit`` due rows, most urgent then oldest first, not in ``exclude`` nor
        of a chat in ``full``; no payloads read."""
        skip = f"AND id NOT IN ({', '.join('?' * len(exclude))}) " if exclude else ""
        if full:
            skip += f"AND chat NOT IN ({', '.join('?' * len(full))}) "
        rows = await self.conn.execute_fetchall(
            f"SELECT id, chat FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? {skip}"
            "ORDER BY priority, id LIMIT ?",
            (to_db(now), *exclude, *full, limit),
        )
        return [(row_id, chat) for row_id, chat in rows]

    async def states(self, row_ids: Iterable[int]) -> dict[int, tuple[Status, str | None, datetime]]:
        """(status, message_id, next_attempt_at) of each given row that exists; cheap (no payloads)."""
        ids = sorted(set(row_ids))
        if not ids:
            return {}
        marks = ", ".join("?" * len(ids))
        rows = await self.conn.execute_fetchall(
            f"SELECT id, status, message_id, next_attempt_at FROM outbox WHERE id IN ({marks})", ids
        )
        found: dict[int, tuple[Status, str | None, datetime]] = {}
        for row in rows:
            when = from_db(row["next_attempt_at"])
            assert when is not None
            found[row["id"]] = (row["status"], row["message_id"], when)
        return found

    async def mark_sent(self, row_id: int, message_id: str | None, now: datetime) -> bool:
        """Returns False if the row was not pending (nothing changed)."""
        return await self._update(
            "status = 'sent', attempts = attempts + 1, message_id = ?, sent_at = ?, last_error = NULL",
            (message_id, to_db(now)),
            row_id,
        )

    async def mark_retry(self, row_id: int, error: str, next_attempt_at: datetime) -> bool:
        """A failed attempt to be tried again at ``next_attempt_at``."""
        return await self._update(
            "attempts = attempts + 1, last_error = ?, next_attempt_at = ?",
            (_error(error), to_db(next_attempt_at)),
            row_id,
        )

    async def postpone(self, row_id: int, reason: str, next_attempt_at: datetime) -> bool:
        """Not tried yet (e.g. an edit waiting for its original): later, without counting an attempt."""
        return await self._update(
            "last_error = ?, next_attempt_at = ?", (_error(reason), to_db(next_attempt_at)), row_id
        )

    async def mark_failed(self, row_id: int, error: str, now: datetime) -> bool:
        """The last attempt failed for good."""
        return await self._update(
            "status = 'failed', attempts = attempts + 1, last_error = ?, next_attempt_at = ?",
            (_error(error), to_db(now)),
            row_id,
        )

    async def mark_dropped(self, row_id: int, reason: str, now: datetime) -> bool:
        """Given up without (another) attempt."""
        return await self._update(
            "status = 'dropped', last_error = ?, next_attempt_at = ?", (_error(reason), to_db(now)), row_id
        )

    async def message_id_of(self, row_id: int) -> str | None:
        """The channel's id of the message row ``row_id`` sent (None until it is sent)."""
        rows = list(
            await self.conn.execute_fetchall(
                "SELECT message_id FROM outbox WHERE id = ? AND status = 'sent'", (row_id,)
            )
        )
        return rows[0]["message_id"] if rows else None

    async def rows_for_ticket(self, ticket_id: int, purpose: str) -> list[OutboxRow]:
        rows = await self.conn.execute_fetchall(
            f"SELECT {_COLUMNS} FROM outbox WHERE ticket_id = ? AND purpose = ? ORDER BY id",
            (ticket_id, purpose),
        )
        return [_row(row) for row in rows]

    async def cards_of_ticket(self, ticket_id: int, purposes: Collection[str]) -> list[CardRef]:
        """Where the ticket's rows of ``purposes`` went (id, chat, channel, recipient), by id; no payloads read."""
        marks = ", ".join("?" * len(purposes))
        rows = await self.conn.execute_fetchall(
            f"SELECT id, chat, channel, recipient_id FROM outbox WHERE ticket_id = ? AND purpose IN ({marks})"
            " ORDER BY id",
            (ticket_id, *purposes),
        )
        return [CardRef(row[0], row[1], row[2], row[3]) for row in rows]

    async def payloads_of_ticket(self, ticket_id: int) -> list[tuple[int, str]]:
        """(row id, payload) of every row about the ticket, whatever its status."""
        rows = await self.conn.execute_fetchall("SELECT id, payload FROM outbox WHERE ticket_id = ?", (ticket_id,))
        return [(int(row["id"]), str(row["payload"])) for row in rows]

    async def replace_payload(self, row_id: int, payload: str) -> None:
        """Overwrite a row's payload (the purge); one still pending is dropped, not sent."""
        await self.conn.execute(
            "UPDATE outbox SET payload = ?, status = CASE status WHEN 'pending' THEN 'dropped' ELSE status END"
            " WHERE id = ?",
            (payload, row_id),
        )

    async def drop_pending(self, ticket_id: int, purpose: str, *, reason: str, chats: list[str] | None = None) -> int:
        """Drop the ticket's rows of ``purpose`` still waiting to be sent (superseded), in ``chats`` only if
        given; returns how many.

        A row already being sent may still arrive; it is then simply not recorded as sent."""
        only = f" AND chat IN ({', '.join('?' * len(chats))})" if chats is not None else ""
        if chats is not None and not chats:
            return 0
        cursor = await self.conn.execute(
            "UPDATE outbox SET status = 'dropped', last_error = ? WHERE status = 'pending' AND ticket_id = ?"
            " AND purpose = ?" + only,
            (_error(reason), ticket_id, purpose, *(chats or ())),
        )
        return cursor.rowcount

    async def drop_for_former_staff(self, person_id: int, now: datetime) -> int:
        """Drop what is still pending for ``person_id`` as staff (cards, pins, photos, desk alerts, residents'
        replies): everything but what concerns their own reports. Returns how many rows were dropped."""
        cursor = await self.conn.execute(
            "UPDATE outbox SET status = 'dropped', last_error = 'recipient is no longer staff', next_attempt_at = ?"
            " WHERE status = 'pending' AND recipient_id = ? AND purpose NOT IN ('abandoned_nudge', 'abandoned_reask')"
            " AND (ticket_id IS NULL"
            " OR NOT EXISTS (SELECT 1 FROM tickets t WHERE t.id = outbox.ticket_id AND t.resident_id = ?))",
            (to_db(now), person_id, person_id),
        )
        return cursor.rowcount

    async def _update(self, assignments: str, params: tuple[object, ...], row_id: int) -> bool:
        cursor = await self.conn.execute(
            f"UPDATE outbox SET {assignments} WHERE id = ? AND status = 'pending'", (*params, row_id)
        )
        changed = cursor.rowcount > 0
        await cursor.close()
        return changed
