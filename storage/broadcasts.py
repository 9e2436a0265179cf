"""Broadcasts and their per-recipient delivery rows.

The repository works on the connection it is given; the caller owns the transaction
(``Database.transaction`` for writes). Statuses are described in migration 0004.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Literal

import aiosqlite
from pydantic import BaseModel, ConfigDict

from storage.db import Conn, from_db, to_db
from storage.rows import insert_id

BroadcastKind = Literal["tip", "broadcast", "notice"]
BroadcastStatus = Literal["draft", "queued", "sending", "done", "cancelled"]
DeliveryStatus = Literal["pending", "sending", "sent", "blocked", "failed", "uncertain"]

_COLUMNS = (
    "id, kind, campaign_id, audience, texts, photo, priority, urgent, channel, status, created_by, created_at,"
    " confirmed_at, started_at, finished_at, prepared_upto, audience_size, sent, blocked, failed, uncertain"
)
_ERROR_CHARS = 300

Outcome = tuple[int, int, DeliveryStatus, str | None, str | None, datetime]
"""(broadcast id, person id, new status, message id or error, next attempt (pending only, db text), now)"""


class Broadcast(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    kind: BroadcastKind
    campaign_id: str | None
    audience: str
    texts: dict[str, str]
    photo: str | None
    priority: int
    urgent: bool
    channel: str
    status: BroadcastStatus
    created_by: int | None
    created_at: datetime
    confirmed_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    prepared_upto: int
    audience_size: int
    sent: int
    blocked: int
    failed: int
    uncertain: int

    def text(self, lang: str) -> str:
        return self.texts.get(lang) or self.texts.get("zh") or next(iter(self.texts.values()))


def _broadcast(row: aiosqlite.Row) -> Broadcast:
    created_at = from_db(row["created_at"])
    assert created_at is not None
    return Broadcast(
        id=row["id"],
        kind=row["kind"],
        campaign_id=row["campaign_id"],
        audience=row["audience"],
        texts=json.loads(row["texts"]),
        photo=row["photo"],
        priority=row["priority"],
        urgent=bool(row["urgent"]),
        channel=row["channel"],
        status=row["status"],
        created_by=row["created_by"],
        created_at=created_at,
        confirmed_at=from_db(row["confirmed_at"]),
        started_at=from_db(row["started_at"]),
        finished_at=from_db(row["finished_at"]),
        prepared_upto=row["prepared_upto"],
        audience_size=row["audience_size"],
        sent=row["sent"],
        blocked=row["blocked"],
        failed=row["failed"],
        uncertain=row["uncertain"],
    )


class Delivery(BaseModel):
    model_config = ConfigDict(frozen=True)

    broadcast_id: int
    person_id: int
    channel: str  # the recipient's, as the people table knows them (an account's channel never changes)
    chat: str
    lang: str
    attempts: int


class Candidate(BaseModel):
    """A possible recipient while a broadcast's audience is listed."""

    id: int
    channel: str
    chat: str
    lang: str
    district: str | None = None  # chosen explicitly
    latitude: float | None = None  # of the latest report with a location
    longitude: float | None = None


class BroadcastsRepo:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def create(
        self,
        *,
        kind: BroadcastKind,
        audience: str,
        texts: dict[str, str],
        priority: int,
        urgent: bool,
        now: datetime,
        status: BroadcastStatus = "queued",
        channel: str,
        photo: str | None = None,
        created_by: int | None = None,
        campaign_id: str | None = None,
    ) -> int:
        row_id = await insert_id(
            self.conn,
            "INSERT INTO broadcasts (kind, campaign_id, audience, texts, photo, priority, urgent, channel, status,"
            " created_by, created_at, confirmed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                kind,
                campaign_id,
                audience,
                json.dumps(texts, ensure_ascii=False),
                photo,
                priority,
                int(urgent),
                channel,
                status,
                created_by,
                to_db(now),
                to_db(now) if status == "queued" else None,
            ),
        )
        assert row_id is not None
        return row_id

    async def get(self, broadcast_id: int) -> Broadcast | None:
        rows = await self.conn.execute_fetchall(f"SELECT {_COLUMNS} FROM broadcasts WHERE id = ?", (broadcast_id,))
        return _broadcast(next(iter(rows))) if rows else None

    async def active(self) -> list[Broadcast]:
        """Queued and sending broadcasts, most urgent first."""
        rows = await self.conn.execute_fetchall(
            f"SELECT {_COLUMNS} FROM broadcasts WHERE status IN ('queued', 'sending') ORDER BY priority, id"
        )
        return [_broadcast(row) for row in rows]

    async def recent(self, limit: int = 10) -> list[Broadcast]:
        rows = await self.conn.execute_fetchall(
            f"SELECT {_COLUMNS} FROM broadcasts WHERE status != 'draft' ORDER BY id DESC LIMIT ?", (limit,)
        )
        return [_broadcast(row) for row in rows]

    async def confirm(self, broadcast_id: int, now: datetime) -> bool:
        """draft -> queued; False if it is no longer a draft."""
        cursor = await self.conn.execute(
            "UPDATE broadcasts SET status = 'queued', confirmed_at = ? WHERE id = ? AND status = 'draft'",
            (to_db(now), broadcast_id),
        )
        return cursor.rowcount == 1

    async def cancel(self, broadcast_id: int, now: datetime) -> bool:
        """Stop a draft, queued or sending broadcast; its unsent rows stay pending (never sent)."""
        cursor = await self.conn.execute(
            "UPDATE broadcasts SET status = 'cancelled', finished_at = ? WHERE id = ?"
            " AND status IN ('draft', 'queued', 'sending')",
            (to_db(now), broadcast_id),
        )
        return cursor.rowcount == 1

    async def candidates(self, audience: str, after_id: int, limit: int) -> list[Candidate]:
        """The next ``limit`` possible recipients with a person id above ``after_id``, by id, on every channel."""
        # subscribers: residents who want tips (staff hear about work through their own channels)
        where = "p.role IN ('crew', 'lead')" if audience == "crews" else "p.tips = 1 AND p.role = 'resident'"
        if audience.startswith("district:"):
            sql = (
                "SELECT p.id, p.channel, p.external_id, p.lang, pd.district,"
                " (SELECT t.latitude FROM tickets t WHERE t.resident_id = p.id AND t.latitude IS NOT NULL"
                "  ORDER BY t.created_at DESC, t.id DESC LIMIT 1) AS lat,"
                " (SELECT t.longitude FROM tickets t WHERE t.resident_id = p.id AND t.latitude IS NOT NULL"
                "  ORDER BY t.created_at DESC, t.id DESC LIMIT 1) AS lon"
                " FROM people p LEFT JOIN person_districts pd ON pd.person_id = p.id"
                f" WHERE {where} AND p.id > ? ORDER BY p.id LIMIT ?"
            )
        else:
            sql = (
                "SELECT p.id, p.channel, p.external_id, p.lang, NULL, NULL, NULL FROM people p"
                f" WHERE {where} AND p.id > ? ORDER BY p.id LIMIT ?"
            )
        rows = await self.conn.execute_fetchall(sql, (after_id, limit))
        return [
            Candidate(id=r[0], channel=r[1], chat=r[2], lang=r[3], district=r[4], latitude=r[5], longitude=r[6])
            for r in rows
        ]

    async def add_deliveries(
        self, broadcast_id: int, recipients: Sequence[Candidate], prepared_upto: int, *, complete: bool, now: datetime
    ) -> None:
        """Add recipients (idempotent) and move the listing cursor; ``complete`` starts the sending."""
        await self.conn.executemany(
            "INSERT INTO broadcast_deliveries (broadcast_id, person_id, chat, lang) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (broadcast_id, person_id) DO NOTHING",
            [(broadcast_id, c.id, c.chat, c.lang) for c in recipients],
        )
        await self.conn.execute(
            "UPDATE broadcasts SET prepared_upto = ?, audience_size = audience_size + ? WHERE id = ?",
            (prepared_upto, len(recipients), broadcast_id),
        )
        if complete:
            await self.conn.execute(
                "UPDATE broadcasts SET status = 'sending', started_at = ? WHERE id = ? AND status = 'queued'",
                (to_db(now), broadcast_id),
            )

    async def claim(self, broadcast_id: int, now: datetime, limit: int, channels: Collection[str]) -> list[Delivery]:
        """Up to ``limit`` due pending rows on ``channels`` (those this process sends on), marked ``sending``
        (handed to the channel by this process); rows on other channels stay pending."""
        marks = ", ".join("?" for _ in channels) or "NULL"
        rows = await self.conn.execute_fetchall(
            "SELECT d.person_id, COALESCE(p.channel, b.channel) AS channel, d.chat, d.lang, d.attempts"
            " FROM broadcast_deliveries d JOIN broadcasts b ON b.id = d.broadcast_id"
            " LEFT JOIN people p ON p.id = d.person_id"
            " WHERE d.broadcast_id = ? AND d.status = 'pending' AND (d.next_at IS NULL OR d.next_at <= ?)"
            f" AND COALESCE(p.channel, b.channel) IN ({marks}) ORDER BY d.person_id LIMIT ?",
            (broadcast_id, to_db(now), *sorted(channels), limit),
        )
        found = [
            Delivery(broadcast_id=broadcast_id, person_id=r[0], channel=r[1], chat=r[2], lang=r[3], attempts=r[4])
            for r in rows
        ]
        await self.conn.executemany(
            "UPDATE broadcast_deliveries SET status = 'sending', attempts = attempts + 1"
            " WHERE broadcast_id = ? AND person_id = ?",
            [(broadcast_id, d.person_id) for d in found],
        )
        return found

    async def settle(
        self, outcomes: Iterable[tuple[int, int, DeliveryStatus, str | None, str | None, datetime]]
    ) -> None:
        """Record outcomes: (broadcast, person, status, message id or error, next attempt for pending, now)."""
        outcomes = list(outcomes)
        sent, others, again = [], [], []
        for broadcast_id, person_id, status, detail, next_at, now in outcomes:
            if status == "sent":
                sent.append((detail, to_db(now), broadcast_id, person_id))
            elif status == "pending":
                again.append((next_at, (detail or "")[:_ERROR_CHARS] or None, broadcast_id, person_id))
            else:
                others.append((status, (detail or "")[:_ERROR_CHARS], to_db(now), broadcast_id, person_id))
        await self.conn.executemany(
            "UPDATE broadcast_deliveries SET status = 'sent', message_id = ?, done_at = ?"
            " WHERE broadcast_id = ? AND person_id = ?",
            sent,
        )
        await self.conn.executemany(
            "UPDATE broadcast_deliveries SET status = ?, error = ?, done_at = ?"
            " WHERE broadcast_id = ? AND person_id = ?",
            others,
        )
        await self.conn.executemany(
            "UPDATE broadcast_deliveries SET status = 'pending', next_at = ?, error = ?"
            " WHERE broadcast_id = ? AND person_id = ?",
            again,
        )
        done: Counter[tuple[int, str]] = Counter((o[0], o[2]) for o in outcomes if o[2] != "pending")
        await self._count(done)

    async def _count(self, done: Mapping[tuple[int, str], int]) -> None:
        """Add finished deliveries to their broadcast's running counts ((broadcast, status) -> how many): what
        ``hotline broadcast status`` reads, never counting a million rows."""
        by_broadcast: dict[int, Counter[str]] = {}
        for (broadcast_id, status), n in done.items():
            by_broadcast.setdefault(broadcast_id, Counter())[status] += n
        await self.conn.executemany(
            "UPDATE broadcasts SET sent = sent + ?, blocked = blocked + ?, failed = failed + ?,"
            " uncertain = uncertain + ? WHERE id = ?",
            [(c["sent"], c["blocked"], c["failed"], c["uncertain"], b) for b, c in by_broadcast.items()],
        )

    async def unclaim(self, keys: Iterable[tuple[int, int]]) -> None:
        """Rows withdrawn before any send started: pending again, the attempt not counted."""
        await self.conn.executemany(
            "UPDATE broadcast_deliveries SET status = 'pending', attempts = attempts - 1"
            " WHERE broadcast_id = ? AND person_id = ? AND status = 'sending'",
            list(keys),
        )

    async def mark_interrupted(self) -> int:
        """Rows left ``sending`` by a process that died: ``uncertain``, never sent again."""
        cut = await self.conn.execute_fetchall(
            "SELECT broadcast_id, COUNT(*) FROM broadcast_deliveries WHERE status = 'sending' GROUP BY broadcast_id"
        )
        await self._count({(int(row[0]), "uncertain"): int(row[1]) for row in cut})
        cursor = await self.conn.execute(
            "UPDATE broadcast_deliveries SET status = 'uncertain', error = 'interrupted while sending'"
            " WHERE status = 'sending'"
        )
        return cursor.rowcount

    async def outstanding(self, broadcast_id: int) -> bool:
        """Whether any delivery of the broadcast is pending or being sent (an index lookup, no count)."""
        rows = await self.conn.execute_fetchall(
            "SELECT 1 FROM broadcast_deliveries WHERE broadcast_id = ? AND status IN ('pending', 'sending') LIMIT 1",
            (broadcast_id,),
        )
        return bool(list(rows))

    async def counts(self, broadcast_id: int) -> dict[str, int]:
        rows = await self.conn.execute_fetchall(
            "SELECT status, COUNT(*) FROM broadcast_deliveries WHERE broadcast_id = ? GROUP BY status",
            (broadcast_id,),
        )
        return {str(r[0]): int(r[1]) for r in rows}

    async def finish(self, broadcast_id: int, counts: dict[str, int], now: datetime) -> None:
        await self.conn.execute(
            "UPDATE broadcasts SET status = 'done', finished_at = ?, sent = ?, blocked = ?, failed = ?, uncertain = ?"
            " WHERE id = ? AND status = 'sending'",
            (
                to_db(now),
                counts.get("sent", 0),
                counts.get("blocked", 0),
                counts.get("failed", 0),
                counts.get("uncertain", 0),
                broadcast_id,
            ),
        )

    async def unsubscribe_blocked(self, person_ids: Sequence[int], now: datetime) -> None:
        """A person who blocked the bot gets no more tips (and is marked unreachable)."""
        await self.conn.executemany(
            "UPDATE people SET tips = 0, unreachable_at = ? WHERE id = ?", [(to_db(now), p) for p in person_ids]
        )
        await self.conn.executemany(
            "INSERT INTO subscription_events (person_id, at, action, source) VALUES (?, ?, 'blocked', 'broadcast')",
            [(p, to_db(now)) for p in person_ids],
        )
