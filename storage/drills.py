"""Drill tickets (``tickets.drill = 1``): what blocks a drill, the drills running, the drills of a period."""

from __future__ import annotations

from datetime import datetime

from storage.db import Conn, to_db
from storage.tickets import _COLUMNS, OPEN_STATUSES, Ticket, _ticket

WAITING = "waiting"  # a drill held back while a real P1 of its crew is open (not open, not offered)


class DrillsRepo:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def real_p1_open(self, crew_id: int) -> list[int]:
        """Open real P1 tickets the crew has or was offered (a drill is never sent while one is open)."""
        marks = ", ".join("?" for _ in OPEN_STATUSES)
        rows = await self.conn.execute_fetchall(
            f"SELECT id FROM tickets t WHERE drill = 0 AND severity = 'P1' AND status IN ({marks}) AND (crew_id = ?"
            " OR EXISTS (SELECT 1 FROM ticket_offers o WHERE o.ticket_id = t.id AND o.crew_id = ?)) ORDER BY id",
            (*OPEN_STATUSES, crew_id, crew_id),
        )
        return [int(row[0]) for row in rows]

    async def running(self) -> list[Ticket]:
        """Drills not ended yet (waiting or open), oldest first."""
        statuses = (*OPEN_STATUSES, WAITING)
        marks = ", ".join("?" for _ in statuses)
        rows = await self.conn.execute_fetchall(
            f"SELECT {_COLUMNS} FROM tickets WHERE drill = 1 AND status IN ({marks}) ORDER BY id", statuses
        )
        return [_ticket(row) for row in rows]

    async def between(self, start: datetime, end: datetime) -> list[Ticket]:
        """Drills started in ``[start, end)``."""
        rows = await self.conn.execute_fetchall(
            f"SELECT {_COLUMNS} FROM tickets WHERE drill = 1 AND created_at >= ? AND created_at < ? ORDER BY id",
            (to_db(start), to_db(end)),
        )
        return [_ticket(row) for row in rows]

    async def offered_to(self, crew_id: int) -> list[Ticket]:
        """Drills offered to the crew and not accepted yet."""
        rows = await self.conn.execute_fetchall(
            f"SELECT {_COLUMNS} FROM tickets t WHERE drill = 1 AND status = 'dispatched'"
            " AND EXISTS (SELECT 1 FROM ticket_offers o WHERE o.ticket_id = t.id AND o.crew_id = ?) ORDER BY id",
            (crew_id,),
        )
        return [_ticket(row) for row in rows]

    async def hold(self, ticket_id: int) -> bool:
        """An unaccepted drill back to waiting (a real P1 came first)."""
        cur = await self.conn.execute(
            "UPDATE tickets SET status = ? WHERE id = ? AND drill = 1 AND status = 'dispatched'", (WAITING, ticket_id)
        )
        return cur.rowcount == 1

    async def send_now(self, ticket_id: int, now: datetime) -> bool:
        """A waiting drill goes out now: its clocks start now (``created_at``), like a report made now."""
        cur = await self.conn.execute(
            "UPDATE tickets SET status = 'dispatched', created_at = ? WHERE id = ? AND drill = 1 AND status = ?",
            (to_db(now), ticket_id, WAITING),
        )
        return cur.rowcount == 1
