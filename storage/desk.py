"""Desk-side ticket changes the generic ticket repository has no verb for: (re)assignment, hand-over
and closing, each a compare-and-set with its ticket event."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from storage.db import Conn, to_db
from storage.drills import WAITING
from storage.tickets import OPEN_STATUSES, TicketsRepo

WORKING = ("accepted", "en_route", "on_site")


class DeskRepo:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def redispatch(
        self,
        ticket_id: int,
        *,
        from_statuses: tuple[str, ...],
        crew_id: int | None,
        now: datetime,
        actor_id: int | None,
        kind: str,
        **data: Any,
    ) -> bool:
        """Back to ``dispatched`` for ``crew_id``, nobody assigned, clocks of the old assignee cleared."""
        marks = ", ".join("?" for _ in from_statuses)
        cur = await self.conn.execute(
            "UPDATE tickets SET status = 'dispatched', crew_id = ?, assignee_id = NULL, accepted_at = NULL,"
            f" arrived_at = NULL WHERE id = ? AND status IN ({marks})",
            (crew_id, ticket_id, *from_statuses),
        )
        if cur.rowcount != 1:
            return False
        await TicketsRepo(self.conn).event(ticket_id, kind, now=now, actor_id=actor_id, **data)
        return True

    async def close(self, ticket_id: int, *, now: datetime, actor_id: int, reason: str) -> bool:
        """Close an open (or resolved) ticket, or a drill still waiting, with the dispatcher's reason."""
        statuses = (*OPEN_STATUSES, "resolved", WAITING)
        marks = ", ".join("?" for _ in statuses)
        cur = await self.conn.execute(
            f"UPDATE tickets SET status = 'closed', closed_at = ? WHERE id = ? AND status IN ({marks})",
            (to_db(now), ticket_id, *statuses),
        )
        if cur.rowcount != 1:
            return False
        await TicketsRepo(self.conn).event(ticket_id, "closed", now=now, actor_id=actor_id, reason=reason)
        return True

    async def held_by(self, person_id: int) -> list[int]:
        """Open tickets ``person_id`` accepted and is working on."""
        marks = ", ".join("?" for _ in WORKING)
        rows = await self.conn.execute_fetchall(
            f"SELECT id FROM tickets WHERE assignee_id = ? AND status IN ({marks}) ORDER BY id", (person_id, *WORKING)
        )
        return [int(row[0]) for row in rows]

    async def crew_ticket_ids(self, since: datetime) -> list[int]:
        """Real tickets reported since ``since`` that a crew had (for the crews' SLA figures; never a drill)."""
        rows = await self.conn.execute_fetchall(
            "SELECT id FROM tickets WHERE created_at >= ? AND crew_id IS NOT NULL AND drill = 0 ORDER BY id",
            (to_db(since),),
        )
        return [int(row[0]) for row in rows]
