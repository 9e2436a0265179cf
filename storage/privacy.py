"""The purge's reads and writes (bot/cli/purge.py), in batches; what they clear is listed in storage/personal.py."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from storage.db import Conn, to_db
from storage.personal import (
    ANONYMOUS,
    AUDIT_CLEARED,
    FEEDBACK_CLEARED,
    HAZARD_CLEARED,
    PERSON_CLEARED,
    TICKET_CLEARED,
    TIMER_DATA_CLEARED,
    TIMERS_OF_UNFINISHED_REPORTS,
)
from storage.tickets import OPEN_STATUSES


class ClosedTicket(BaseModel):
    """What the purge needs of a ticket it anonymises."""

    id: int
    resident_id: int
    chat: str
    details: dict[str, Any]
    latitude: float | None
    longitude: float | None


def _assignments(cleared: dict[str, object]) -> tuple[str, tuple[object, ...]]:
    return ", ".join(f"{column} = ?" for column in cleared), tuple(cleared.values())


_CLOSED_WHERE = "status IN ({marks}) AND purged_at IS NULL AND COALESCE(closed_at, resolved_at, created_at) < ?"


class PrivacyRepo:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def anonymous_person(self, now: datetime) -> int:
        """The one person every purged ticket points at (created once; never a recipient of anything)."""
        channel, external_id = ANONYMOUS
        await self.conn.execute(
            "INSERT INTO people (channel, external_id, name, role, tips, created_at)"
            " VALUES (?, ?, '', 'resident', 0, ?) ON CONFLICT (channel, external_id) DO NOTHING",
            (channel, external_id, to_db(now)),
        )
        rows = await self.conn.execute_fetchall(
            "SELECT id FROM people WHERE channel = ? AND external_id = ?", (channel, external_id)
        )
        return int(next(iter(rows))[0])

    # -- closed tickets ---------------------------------------------------------------------------------

    async def closed_tickets(self, statuses: tuple[str, ...], before: datetime, limit: int) -> list[ClosedTicket]:
        marks = ", ".join("?" for _ in statuses)
        rows = await self.conn.execute_fetchall(
            "SELECT id, resident_id, chat, details, latitude, longitude FROM tickets"
            f" WHERE {_CLOSED_WHERE.format(marks=marks)} ORDER BY id LIMIT ?",
            (*statuses, to_db(before), limit),
        )
        return [
            ClosedTicket(
                id=row[0],
                resident_id=row[1],
                chat=row[2],
                details=json.loads(row[3] or "{}"),
                latitude=row[4],
                longitude=row[5],
            )
            for row in rows
        ]

    async def count_closed(self, statuses: tuple[str, ...], before: datetime) -> int:
        marks = ", ".join("?" for _ in statuses)
        rows = await self.conn.execute_fetchall(
            f"SELECT COUNT(*) FROM tickets WHERE {_CLOSED_WHERE.format(marks=marks)}", (*statuses, to_db(before))
        )
        return int(next(iter(rows))[0])

    async def anonymise_ticket(
        self,
        ticket_id: int,
        *,
        details: dict[str, Any],
        latitude: float | None,
        longitude: float | None,
        person_id: int,
        now: datetime,
    ) -> None:
        cleared, values = _assignments(TICKET_CLEARED)
        await self.conn.execute(
            f"UPDATE tickets SET {cleared}, details = ?, latitude = ?, longitude = ?, resident_id = ?, purged_at = ?"
            " WHERE id = ?",
            (*values, json.dumps(details), latitude, longitude, person_id, to_db(now), ticket_id),
        )
        cleared, values = _assignments(FEEDBACK_CLEARED)
        await self.conn.execute(f"UPDATE feedback SET {cleared} WHERE ticket_id = ?", (*values, ticket_id))
        cleared, values = _assignments(HAZARD_CLEARED)
        await self.conn.execute(f"UPDATE hazards SET {cleared} WHERE ticket_id = ?", (*values, ticket_id))
        await self.conn.execute("UPDATE bookings SET resident_id = ? WHERE ticket_id = ?", (person_id, ticket_id))

    async def events(self, ticket_id: int) -> list[tuple[int, str, int | None, Any]]:
        """(id, kind, actor id, decoded data) of every event of the ticket."""
        rows = await self.conn.execute_fetchall(
            "SELECT id, kind, actor_id, data FROM ticket_events WHERE ticket_id = ?", (ticket_id,)
        )
        return [(int(r[0]), str(r[1]), r[2], json.loads(r[3] or "{}")) for r in rows]

    async def replace_event(self, event_id: int, data: dict[str, Any], actor_id: int | None) -> None:
        await self.conn.execute(
            "UPDATE ticket_events SET data = ?, actor_id = ? WHERE id = ?", (json.dumps(data), actor_id, event_id)
        )

    async def notifications(self, ticket_id: int) -> list[tuple[int, str, str]]:
        """(row id, chat, payload) of every outbox row about the ticket, whatever its status."""
        rows = await self.conn.execute_fetchall(
            "SELECT id, chat, payload FROM outbox WHERE ticket_id = ?", (ticket_id,)
        )
        return [(int(r[0]), str(r[1]), str(r[2])) for r in rows]

    async def replace_notification(self, row_id: int, payload: str, chat: str) -> None:
        """Overwrite a row's payload and chat; one still pending is dropped, not sent."""
        await self.conn.execute(
            "UPDATE outbox SET payload = ?, chat = ?,"
            " status = CASE status WHEN 'pending' THEN 'dropped' ELSE status END WHERE id = ?",
            (payload, chat, row_id),
        )

    async def forget_resident(self, person_id: int) -> bool:
        """Clear a resident's number and name unless they still have an open ticket; True if anything went."""
        cleared, values = _assignments(PERSON_CLEARED)
        marks = ", ".join("?" for _ in OPEN_STATUSES)
        cur = await self.conn.execute(
            f"UPDATE people SET {cleared} WHERE id = ? AND role = 'resident' AND (phone IS NOT NULL OR name != '')"
            f" AND NOT EXISTS (SELECT 1 FROM tickets WHERE resident_id = ? AND status IN ({marks}))",
            (*values, person_id, person_id, *OPEN_STATUSES),
        )
        return cur.rowcount > 0

    # -- rows about no ticket -------------------------------------------------------------------------------

    async def delete_old_conversations(self, before: datetime, limit: int) -> int:
        cur = await self.conn.execute(
            "DELETE FROM conversations WHERE (channel, user_ref) IN"
            " (SELECT channel, user_ref FROM conversations WHERE updated_at < ? LIMIT ?)",
            (to_db(before), limit),
        )
        return cur.rowcount

    async def old_ticketless_notifications(self, before: datetime, limit: int) -> list[tuple[int, str, str]]:
        """(row id, chat, payload) of rows about no ticket, done (sent, failed, dropped) and created before."""
        rows = await self.conn.execute_fetchall(
            "SELECT id, chat, payload FROM outbox WHERE ticket_id IS NULL AND status != 'pending'"
            " AND created_at < ? AND chat != '' ORDER BY id LIMIT ?",
            (to_db(before), limit),
        )
        return [(int(r[0]), str(r[1]), str(r[2])) for r in rows]

    async def clear_old_timers(self, before: datetime, limit: int) -> int:
        kinds = ", ".join("?" for _ in TIMERS_OF_UNFINISHED_REPORTS)
        cur = await self.conn.execute(
            "UPDATE timers SET data = ?, status = CASE status WHEN 'pending' THEN 'cancelled' ELSE status END"
            " WHERE id IN (SELECT id FROM timers WHERE due_at_utc < ? AND data != ?"
            f" AND (status != 'pending' OR kind IN ({kinds})) LIMIT ?)",
            (TIMER_DATA_CLEARED, to_db(before), TIMER_DATA_CLEARED, *TIMERS_OF_UNFINISHED_REPORTS, limit),
        )
        return cur.rowcount

    async def delete_old_wecom_callbacks(self, before: datetime, limit: int) -> int:
        """WeCom's callbacks handled before ``before`` (they hold what a member wrote); pending ones stay."""
        cur = await self.conn.execute(
            "DELETE FROM wecom_inbox WHERE id IN (SELECT id FROM wecom_inbox WHERE handled_at IS NOT NULL"
            " AND received_at < ? LIMIT ?)",
            (to_db(before), limit),
        )
        return cur.rowcount

    async def clear_old_audit(self, before: datetime, limit: int) -> int:
        cleared, values = _assignments(AUDIT_CLEARED)
        not_yet = " OR ".join(f"{column} != ?" for column in AUDIT_CLEARED)
        cur = await self.conn.execute(
            f"UPDATE audit SET {cleared} WHERE id IN (SELECT id FROM audit WHERE at < ? AND ({not_yet}) LIMIT ?)",
            (*values, to_db(before), *values, limit),
        )
        return cur.rowcount

    async def count_old(self, before: datetime) -> dict[str, int]:
        """What the sweeps of rows about no ticket would touch (for ``--dry-run``)."""
        at = to_db(before)
        counts = {}
        for name, sql in (
            ("unfinished reports", "SELECT COUNT(*) FROM conversations WHERE updated_at < ?"),
            (
                "other notifications",
                "SELECT COUNT(*) FROM outbox WHERE ticket_id IS NULL AND status != 'pending' AND created_at < ?"
                " AND chat != ''",
            ),
            ("refused actions", "SELECT COUNT(*) FROM audit WHERE at < ? AND (actor != '' OR detail != '')"),
            ("wecom callbacks", "SELECT COUNT(*) FROM wecom_inbox WHERE handled_at IS NOT NULL AND received_at < ?"),
        ):
            rows = await self.conn.execute_fetchall(sql, (at,))
            counts[name] = int(next(iter(rows))[0])
        return counts
