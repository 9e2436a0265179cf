"""Cases: reports for the inspection queue and complaints, each with a one-working-day deadline.
Every change is also a ticket event (the audit trail), written by the caller."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from storage.db import Conn, to_db
from storage.rows import row_values


class Case(BaseModel):
    ticket_id: int
    kind: str
    opened_at: datetime
    due_at_utc: datetime
    acked_at: datetime | None
    acked_by: int | None
    outcome: str | None
    outcome_at: datetime | None
    escalated_at: datetime | None
    stars: int | None


_COLUMNS = "ticket_id, kind, opened_at, due_at_utc, acked_at, acked_by, outcome, outcome_at, escalated_at, stars"
_TIMES = ("opened_at", "due_at_utc", "acked_at", "outcome_at", "escalated_at")


def _case(row: Any) -> Case:
    return Case(**row_values(_COLUMNS, row, _TIMES))


class CasesRepo:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def open(self, ticket_id: int, kind: str, now: datetime, due: datetime) -> bool:
        cur = await self.conn.execute(
            "INSERT INTO cases (ticket_id, kind, opened_at, due_at_utc) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (ticket_id) DO NOTHING",
            (ticket_id, kind, to_db(now), to_db(due)),
        )
        return cur.rowcount == 1

    async def get(self, ticket_id: int) -> Case | None:
        rows = await self.conn.execute_fetchall(f"SELECT {_COLUMNS} FROM cases WHERE ticket_id = ?", (ticket_id,))
        return next((_case(row) for row in rows), None)

    async def opened_between(self, start: datetime, end: datetime) -> list[Case]:
        rows = await self.conn.execute_fetchall(
            f"SELECT {_COLUMNS} FROM cases WHERE opened_at >= ? AND opened_at < ? ORDER BY ticket_id",
            (to_db(start), to_db(end)),
        )
        return [_case(row) for row in rows]

    async def missed(self, now: datetime) -> list[Case]:
        """Cases past their deadline, not yet escalated, still owing what the deadline is for
        (the acknowledgement of an inspection report; the answer to a complaint), of tickets the desk
        has not closed."""
        rows = await self.conn.execute_fetchall(
            f"SELECT {_COLUMNS} FROM cases WHERE escalated_at IS NULL AND due_at_utc <= ? AND outcome IS NULL"
            " AND (kind = 'complaint' OR acked_at IS NULL)"
            " AND EXISTS (SELECT 1 FROM tickets t WHERE t.id = cases.ticket_id AND t.status != 'closed')"
            " ORDER BY due_at_utc, ticket_id",
            (to_db(now),),
        )
        return [_case(row) for row in rows]

    async def ack(self, ticket_id: int, now: datetime, by: int) -> bool:
        cur = await self.conn.execute(
            "UPDATE cases SET acked_at = ?, acked_by = ? WHERE ticket_id = ? AND acked_at IS NULL",
            (to_db(now), by, ticket_id),
        )
        return cur.rowcount == 1

    async def close(self, ticket_id: int, outcome: str, now: datetime, by: int) -> bool:
        cur = await self.conn.execute(
            "UPDATE cases SET outcome = ?, outcome_at = ?, acked_at = COALESCE(acked_at, ?),"
            " acked_by = COALESCE(acked_by, ?) WHERE ticket_id = ? AND outcome IS NULL",
            (outcome, to_db(now), to_db(now), by, ticket_id),
        )
        return cur.rowcount == 1

    async def escalated(self, ticket_id: int, now: datetime) -> bool:
        cur = await self.conn.execute(
            "UPDATE cases SET escalated_at = ? WHERE ticket_id = ? AND escalated_at IS NULL", (to_db(now), ticket_id)
        )
        return cur.rowcount == 1

    async def rate(self, ticket_id: int, stars: int) -> bool:
        cur = await self.conn.execute(
            "UPDATE cases SET stars = ? WHERE ticket_id = ? AND kind = 'complaint' AND outcome IS NOT NULL"
            " AND stars IS NULL",
            (stars, ticket_id),
        )
        return cur.rowcount == 1
