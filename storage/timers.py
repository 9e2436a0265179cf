"""Timer rows: escalation steps, arrival reminders, SLA deadlines. A job is only a cache of a row.

``take`` is the compare-and-set a job does inside its transaction: it marks a pending row done and
tells whether this caller was the one that did, so a doubled or replayed job never acts twice.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import aiosqlite
from pydantic import BaseModel

from storage.db import Conn, from_db, to_db
from storage.rows import insert_id


class Timer(BaseModel):
    id: int
    kind: str
    ticket_id: int | None
    step: int
    due_at_utc: datetime
    status: str
    data: dict[str, Any]


_COLUMNS = "id, kind, ticket_id, step, due_at_utc, status, data"


def _timer(row: aiosqlite.Row) -> Timer:
    due = from_db(row[4])
    assert due is not None
    return Timer(
        id=row[0], kind=row[1], ticket_id=row[2], step=row[3], due_at_utc=due, status=row[5], data=json.loads(row[6])
    )


class TimersRepo:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def add(self, kind: str, ticket_id: int, step: int, due: datetime, **data: Any) -> int | None:
        """A pending timer; None if (kind, ticket, step) exists already (it is never added twice)."""
        return await insert_id(
            self.conn,
            "INSERT INTO timers (kind, ticket_id, step, due_at_utc, data) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (kind, ticket_id, step) DO NOTHING",
            (kind, ticket_id, step, to_db(due), json.dumps(data, ensure_ascii=False)),
        )

    async def get(self, timer_id: int) -> Timer | None:
        rows = await self.conn.execute_fetchall(f"SELECT {_COLUMNS} FROM timers WHERE id = ?", (timer_id,))
        for row in rows:
            return _timer(row)
        return None

    async def pending(self, *, due_before: datetime | None = None, kinds: tuple[str, ...] = ()) -> list[Timer]:
        sql = f"SELECT {_COLUMNS} FROM timers WHERE status = 'pending'"
        params: list[Any] = []
        if due_before is not None:
            sql += " AND due_at_utc <= ?"
            params.append(to_db(due_before))
        if kinds:
            sql += f" AND kind IN ({', '.join('?' for _ in kinds)})"
            params.extend(kinds)
        rows = await self.conn.execute_fetchall(sql + " ORDER BY due_at_utc, id", params)
        return [_timer(row) for row in rows]

    async def of_ticket(self, ticket_id: int) -> list[Timer]:
        rows = await self.conn.execute_fetchall(
            f"SELECT {_COLUMNS} FROM timers WHERE ticket_id = ? ORDER BY id", (ticket_id,)
        )
        return [_timer(row) for row in rows]

    async def has_pending(self, ticket_id: int, kind: str) -> bool:
        """Does the ticket have a pending timer of ``kind``? (One indexed look, no rows decoded.)"""
        rows = await self.conn.execute_fetchall(
            "SELECT 1 FROM timers WHERE ticket_id = ? AND kind = ? AND status = 'pending' LIMIT 1", (ticket_id, kind)
        )
        return bool(list(rows))

    async def take(self, timer_id: int) -> bool:
        """Mark a pending timer done; True only for the one caller that did it."""
        cur = await self.conn.execute(
            "UPDATE timers SET status = 'done' WHERE id = ? AND status = 'pending'", (timer_id,)
        )
        return cur.rowcount == 1

    async def cancel(self, ticket_id: int, *kinds: str) -> int:
        """Cancel a ticket's pending timers of ``kinds`` (all kinds if none given); returns how many."""
        sql = "UPDATE timers SET status = 'cancelled' WHERE ticket_id = ? AND status = 'pending'"
        params: list[Any] = [ticket_id]
        if kinds:
            sql += f" AND kind IN ({', '.join('?' for _ in kinds)})"
            params.extend(kinds)
        cur = await self.conn.execute(sql, params)
        return cur.rowcount

    async def next_step(self, kind: str, ticket_id: int) -> int:
        """The step number after the highest one this ticket ever had for ``kind`` (a new chain continues)."""
        rows = await self.conn.execute_fetchall(
            "SELECT COALESCE(MAX(step), -1) + 1 FROM timers WHERE kind = ? AND ticket_id = ?", (kind, ticket_id)
        )
        return int(next(iter(rows))[0])

    async def add_detached(self, kind: str, due: datetime, data: dict[str, Any]) -> None:
        """A pending step-0 timer that belongs to no ticket (e.g. an unfinished report's)."""
        await self.conn.execute(
            "INSERT INTO timers (kind, ticket_id, step, due_at_utc, data) VALUES (?, NULL, 0, ?, ?)",
            (kind, to_db(due), json.dumps(data)),
        )

    async def cancel_of_user(self, kind: str, *, channel: str, user: str) -> None:
        """Cancel the pending ``kind`` timers whose data names this ``channel`` and ``user``."""
        # One statement, the match done by the database: in a surge every report in progress has a pending
        # timer, and reading them all into Python on every start and finish made a surge quadratic.
        # json_extract: SQLite's; on PostgreSQL a function of the same name (0008_timer_owner.postgres.sql).
        await self.conn.execute(
            "UPDATE timers SET status = 'cancelled' WHERE kind = ? AND status = 'pending'"
            " AND json_extract(data, '$.channel') = ? AND json_extract(data, '$.user') = ?",
            (kind, channel, user),
        )

    async def mark_cancelled(self, timer_id: int) -> None:
        await self.conn.execute("UPDATE timers SET status = 'cancelled' WHERE id = ?", (timer_id,))

    async def mark_done(self, timer_id: int) -> None:
        await self.conn.execute("UPDATE timers SET status = 'done' WHERE id = ?", (timer_id,))

    async def reschedule(self, timer_id: int, due: datetime) -> None:
        await self.conn.execute("UPDATE timers SET due_at_utc = ? WHERE id = ?", (to_db(due), timer_id))

    async def hold(self, timer_id: int, due: datetime, data: dict[str, Any]) -> None:
        """Due later, with its data as given (a step that waits for something outside the database)."""
        await self.conn.execute(
            "UPDATE timers SET due_at_utc = ?, data = ? WHERE id = ?", (to_db(due), json.dumps(data), timer_id)
        )

    async def set_step(self, timer_id: int, step: int, due: datetime) -> None:
        await self.conn.execute("UPDATE timers SET step = ?, due_at_utc = ? WHERE id = ?", (step, to_db(due), timer_id))


class OffersRepo:
    """Crews a ticket was offered to since it was last (re)assigned: only their members may accept it."""

    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def add(self, ticket_id: int, crew_id: int, now: datetime) -> None:
        await self.conn.execute(
            "INSERT INTO ticket_offers (ticket_id, crew_id, offered_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            (ticket_id, crew_id, to_db(now)),
        )

    async def crews(self, ticket_id: int) -> set[int]:
        rows = await self.conn.execute_fetchall("SELECT crew_id FROM ticket_offers WHERE ticket_id = ?", (ticket_id,))
        return {int(row[0]) for row in rows}

    async def clear(self, ticket_id: int) -> None:
        await self.conn.execute("DELETE FROM ticket_offers WHERE ticket_id = ?", (ticket_id,))
