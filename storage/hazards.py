"""Hazards to be rectified by a deadline: one write path per state change, the lists the desk and the
deadline sweep read. Every change is also a ticket event (the audit trail), written by the caller."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from storage.db import Conn, to_db
from storage.rows import insert_id, row_values


class Hazard(BaseModel):
    id: int
    ticket_id: int
    kind: str
    party: str
    rule: str
    recorded_by: int | None
    found_at: datetime
    due_at_utc: datetime
    remind_at_utc: datetime
    reminded_at: datetime | None
    overdue_at: datetime | None
    status: str
    reported_at: datetime | None
    photo: str | None
    fixed_at: datetime | None
    fixed_by: int | None


_COLUMNS = (
    "id, ticket_id, kind, party, rule, recorded_by, found_at, due_at_utc, remind_at_utc, reminded_at, overdue_at,"
    " status, reported_at, photo, fixed_at, fixed_by"
)
_UNFIXED = "('open', 'reported')"
_TIMES = ("found_at", "due_at_utc", "remind_at_utc", "reminded_at", "overdue_at", "reported_at", "fixed_at")


def _hazard(row: Any) -> Hazard:
    return Hazard(**row_values(_COLUMNS, row, _TIMES))


class HazardsRepo:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def add(
        self,
        *,
        ticket_id: int,
        kind: str,
        party: str,
        rule: str,
        recorded_by: int,
        now: datetime,
        due: datetime,
        remind: datetime,
    ) -> int | None:
        """A new hazard; None when this ticket has this kind recorded already (a double press)."""
        return await insert_id(
            self.conn,
            "INSERT INTO hazards (ticket_id, kind, party, rule, recorded_by, found_at, due_at_utc, remind_at_utc)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (ticket_id, kind) DO NOTHING",
            (ticket_id, kind, party, rule, recorded_by, to_db(now), to_db(due), to_db(remind)),
        )

    async def get(self, hazard_id: int) -> Hazard | None:
        rows = await self.conn.execute_fetchall(f"SELECT {_COLUMNS} FROM hazards WHERE id = ?", (hazard_id,))
        return next((_hazard(row) for row in rows), None)

    async def unfixed(self) -> list[Hazard]:
        """Every hazard not confirmed fixed, the earliest deadline first (the desk's list)."""
        rows = await self.conn.execute_fetchall(
            f"SELECT {_COLUMNS} FROM hazards WHERE status IN {_UNFIXED} ORDER BY due_at_utc, id"
        )
        return [_hazard(row) for row in rows]

    async def overdue_count(self, now: datetime) -> int:
        rows = await self.conn.execute_fetchall(
            f"SELECT COUNT(*) FROM hazards WHERE status IN {_UNFIXED} AND due_at_utc <= ?", (to_db(now),)
        )
        return int(next(iter(rows))[0])

    async def for_period(self, start: datetime, end: datetime) -> list[Hazard]:
        """Hazards a period's figures may count: found before its end, and not fixed before it began with
        a deadline before it began."""
        rows = await self.conn.execute_fetchall(
            f"SELECT {_COLUMNS} FROM hazards WHERE found_at < ?"
            " AND (due_at_utc >= ? OR fixed_at IS NULL OR fixed_at >= ?) ORDER BY id",
            (to_db(end), to_db(start), to_db(start)),
        )
        return [_hazard(row) for row in rows]

    async def to_remind(self, now: datetime) -> list[Hazard]:
        rows = await self.conn.execute_fetchall(
            f"SELECT {_COLUMNS} FROM hazards WHERE status = 'open' AND reminded_at IS NULL AND remind_at_utc <= ?"
            " AND due_at_utc > ? ORDER BY remind_at_utc, id",
            (to_db(now), to_db(now)),
        )
        return [_hazard(row) for row in rows]

    async def newly_overdue(self, now: datetime) -> list[Hazard]:
        rows = await self.conn.execute_fetchall(
            f"SELECT {_COLUMNS} FROM hazards WHERE status IN {_UNFIXED} AND overdue_at IS NULL AND due_at_utc <= ?"
            " ORDER BY due_at_utc, id",
            (to_db(now),),
        )
        return [_hazard(row) for row in rows]

    async def mark_reminded(self, hazard_id: int, now: datetime) -> bool:
        """Compare-and-set: True only for the one caller that marked it (a doubled job never sends twice)."""
        cur = await self.conn.execute(
            "UPDATE hazards SET reminded_at = ? WHERE id = ? AND reminded_at IS NULL", (to_db(now), hazard_id)
        )
        return cur.rowcount == 1

    async def mark_overdue(self, hazard_id: int, now: datetime) -> bool:
        cur = await self.conn.execute(
            "UPDATE hazards SET overdue_at = ? WHERE id = ? AND overdue_at IS NULL AND status != 'fixed'",
            (to_db(now), hazard_id),
        )
        return cur.rowcount == 1

    async def reported(self, hazard_id: int, now: datetime, photo: str | None) -> bool:
        cur = await self.conn.execute(
            "UPDATE hazards SET status = 'reported', reported_at = ?, photo = COALESCE(?, photo)"
            " WHERE id = ? AND status != 'fixed'",
            (to_db(now), photo, hazard_id),
        )
        return cur.rowcount == 1

    async def reopen(self, hazard_id: int) -> bool:
        cur = await self.conn.execute(
            "UPDATE hazards SET status = 'open' WHERE id = ? AND status = 'reported'", (hazard_id,)
        )
        return cur.rowcount == 1

    async def fixed(self, hazard_id: int, now: datetime, by: int) -> bool:
        cur = await self.conn.execute(
            "UPDATE hazards SET status = 'fixed', fixed_at = ?, fixed_by = ? WHERE id = ? AND status != 'fixed'",
            (to_db(now), by, hazard_id),
        )
        return cur.rowcount == 1
