"""Inspection bookings: capacity is enforced by the database (one conditional INSERT), so two residents
taking the last place of a slot at once cannot both get it. Every change is also a ticket event."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from storage.db import Conn, to_db
from storage.rows import insert_id, row_values

TAKEN = ("booked", "done")


class Booking(BaseModel):
    id: int
    ticket_id: int
    resident_id: int
    district: str
    slot_at_utc: datetime
    status: str
    booked_at: datetime
    remind_at_utc: datetime
    reminded_at: datetime | None
    done_at: datetime | None
    done_by: int | None


_COLUMNS = (
    "id, ticket_id, resident_id, district, slot_at_utc, status, booked_at, remind_at_utc, reminded_at, done_at, done_by"
)
_TIMES = ("slot_at_utc", "booked_at", "remind_at_utc", "reminded_at", "done_at")


def _booking(row: Any) -> Booking:
    return Booking(**row_values(_COLUMNS, row, _TIMES))


class BookingsRepo:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def take(
        self,
        *,
        ticket_id: int,
        resident_id: int,
        district: str,
        slot: datetime,
        capacity: int,
        now: datetime,
        remind: datetime,
    ) -> int | None:
        """Book the slot if it has room; None when it is full."""
        return await insert_id(
            self.conn,
            "INSERT INTO bookings (ticket_id, resident_id, district, slot_at_utc, booked_at, remind_at_utc)"
            " SELECT ?, ?, ?, ?, ?, ? WHERE (SELECT COUNT(*) FROM bookings WHERE district = ? AND slot_at_utc = ?"
            " AND status IN ('booked', 'done')) < ?",
            (ticket_id, resident_id, district, to_db(slot), to_db(now), to_db(remind), district, to_db(slot), capacity),
        )

    async def taken(self, district: str, slots: list[datetime]) -> dict[datetime, int]:
        """How many places of each slot are taken."""
        out: dict[datetime, int] = {}
        for slot in slots:
            rows = await self.conn.execute_fetchall(
                "SELECT COUNT(*) FROM bookings WHERE district = ? AND slot_at_utc = ? AND status IN ('booked', 'done')",
                (district, to_db(slot)),
            )
            out[slot] = int(next(iter(rows))[0])
        return out

    async def get(self, booking_id: int) -> Booking | None:
        rows = await self.conn.execute_fetchall(f"SELECT {_COLUMNS} FROM bookings WHERE id = ?", (booking_id,))
        return next((_booking(row) for row in rows), None)

    async def active_of_ticket(self, ticket_id: int) -> Booking | None:
        rows = await self.conn.execute_fetchall(
            f"SELECT {_COLUMNS} FROM bookings WHERE ticket_id = ? AND status = 'booked' ORDER BY id DESC LIMIT 1",
            (ticket_id,),
        )
        return next((_booking(row) for row in rows), None)

    async def inspected_by(self, ticket_id: int, person_id: int) -> bool:
        """Whether ``person_id`` marked an inspection visit of the ticket done."""
        rows = await self.conn.execute_fetchall(
            "SELECT 1 FROM bookings WHERE ticket_id = ? AND status = 'done' AND done_by = ? LIMIT 1",
            (ticket_id, person_id),
        )
        return bool(list(rows))

    async def between(self, start: datetime, end: datetime) -> list[Booking]:
        """Bookings (not cancelled) whose slot starts in [start, end), by time and district."""
        rows = await self.conn.execute_fetchall(
            f"SELECT {_COLUMNS} FROM bookings WHERE status != 'cancelled' AND slot_at_utc >= ? AND slot_at_utc < ?"
            " ORDER BY slot_at_utc, district, id",
            (to_db(start), to_db(end)),
        )
        return [_booking(row) for row in rows]

    async def slots_between(self, start: datetime, end: datetime) -> list[Booking]:
        """Every booking (cancelled too) whose slot starts in [start, end): the report's."""
        rows = await self.conn.execute_fetchall(
            f"SELECT {_COLUMNS} FROM bookings WHERE slot_at_utc >= ? AND slot_at_utc < ? ORDER BY slot_at_utc, id",
            (to_db(start), to_db(end)),
        )
        return [_booking(row) for row in rows]

    async def to_remind(self, now: datetime) -> list[Booking]:
        rows = await self.conn.execute_fetchall(
            f"SELECT {_COLUMNS} FROM bookings WHERE status = 'booked' AND reminded_at IS NULL AND remind_at_utc <= ?"
            " AND slot_at_utc > ? ORDER BY remind_at_utc, id",
            (to_db(now), to_db(now)),
        )
        return [_booking(row) for row in rows]

    async def mark_reminded(self, booking_id: int, now: datetime) -> bool:
        cur = await self.conn.execute(
            "UPDATE bookings SET reminded_at = ? WHERE id = ? AND reminded_at IS NULL", (to_db(now), booking_id)
        )
        return cur.rowcount == 1

    async def cancel(self, booking_id: int) -> bool:
        cur = await self.conn.execute(
            "UPDATE bookings SET status = 'cancelled' WHERE id = ? AND status = 'booked'", (booking_id,)
        )
        return cur.rowcount == 1

    async def done(self, booking_id: int, now: datetime, by: int) -> bool:
        cur = await self.conn.execute(
            "UPDATE bookings SET status = 'done', done_at = ?, done_by = ? WHERE id = ? AND status = 'booked'",
            (to_db(now), by, booking_id),
        )
        return cur.rowcount == 1
