"""Tickets and their audit trail (ticket_events)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import aiosqlite
from pydantic import BaseModel

from common import jsonfast
from storage.db import Conn, from_db, to_db
from storage.rows import insert_id

OPEN_STATUSES = ("dispatched", "accepted", "en_route", "on_site", "queued", "followup")


class Ticket(BaseModel):
    id: int
    resident_id: int
    channel: str
    chat: str
    lang: str
    category: str
    severity: str
    status: str
    address: str | None
    latitude: float | None
    longitude: float | None
    phone: str | None
    details: dict[str, Any]
    crew_id: int | None
    assignee_id: int | None
    cause: str | None
    created_at: datetime
    accepted_at: datetime | None
    arrived_at: datetime | None
    resolved_at: datetime | None
    drill: bool = False  # a drill (演练): never counted in real figures, never sent to a resident

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class PurgeCandidate(BaseModel):
    """What the purge needs of a ticket it anonymises."""

    id: int
    resident_id: int
    details: dict[str, Any]
    latitude: float | None
    longitude: float | None


class TicketEvent(BaseModel):
    at: datetime
    actor_id: int | None
    kind: str
    data: dict[str, Any]


_COLUMNS = (
    "id, resident_id, channel, chat, lang, category, severity, status, address, latitude, longitude, phone,"
    " details, crew_id, assignee_id, cause, created_at, accepted_at, arrived_at, resolved_at, drill"
)


def _ticket(row: aiosqlite.Row) -> Ticket:
    data = dict(row)
    data["details"] = jsonfast.loads(data["details"])
    for key in ("created_at", "accepted_at", "arrived_at", "resolved_at"):
        data[key] = from_db(data[key])
    data["drill"] = bool(data["drill"])
    return Ticket(**data)


class TicketsRepo:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def create(
        self,
        *,
        resident_id: int,
        channel: str,
        chat: str,
        lang: str,
        category: str,
        severity: str,
        status: str,
        address: str | None,
        latitude: float | None,
        longitude: float | None,
        phone: str | None,
        details: dict[str, Any],
        now: datetime,
        drill: bool = False,
    ) -> int:
        ticket_id = await insert_id(
            self.conn,
            "INSERT INTO tickets (resident_id, channel, chat, lang, category, severity, status, address,"
            " latitude, longitude, phone, details, created_at, drill)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                resident_id,
                channel,
                chat,
                lang,
                category,
                severity,
                status,
                address,
                latitude,
                longitude,
                phone,
                json.dumps(details, ensure_ascii=False),
                to_db(now),
                int(drill),
            ),
        )
        assert ticket_id is not None
        await self.event(ticket_id, "created", now=now, actor_id=resident_id, severity=severity, category=category)
        return ticket_id

    async def get(self, ticket_id: int) -> Ticket | None:
        rows = await self.conn.execute_fetchall(f"SELECT {_COLUMNS} FROM tickets WHERE id = ?", (ticket_id,))
        for row in rows:
            return _ticket(row)
        return None

    async def event(self, ticket_id: int, kind: str, *, now: datetime, actor_id: int | None, **data: Any) -> None:
        await self.conn.execute(
            "INSERT INTO ticket_events (ticket_id, at, actor_id, kind, data) VALUES (?, ?, ?, ?, ?)",
            (ticket_id, to_db(now), actor_id, kind, json.dumps(data, ensure_ascii=False)),
        )

    async def events(self, ticket_id: int) -> list[TicketEvent]:
        rows = await self.conn.execute_fetchall(
            "SELECT at, actor_id, kind, data FROM ticket_events WHERE ticket_id = ? ORDER BY id", (ticket_id,)
        )
        out = []
        for row in rows:
            at = from_db(row[0])
            assert at is not None
            out.append(TicketEvent(at=at, actor_id=row[1], kind=row[2], data=jsonfast.loads(row[3])))
        return out

    async def transition(
        self,
        ticket_id: int,
        *,
        from_statuses: tuple[str, ...],
        to_status: str,
        now: datetime,
        actor_id: int | None,
        assignee_id: int | None = None,
        stamp: str | None = None,
        cause: str | None = None,
        **data: Any,
    ) -> bool:
        """Move the ticket to ``to_status`` only if it is in one of ``from_statuses`` (atomic compare-and-set).

        Returns False when someone else moved it first; the caller tells the person so.
        """
        sets = ["status = ?"]
        params: list[Any] = [to_status]
        if assignee_id is not None:
            sets.append("assignee_id = ?")
            params.append(assignee_id)
        if stamp is not None:
            sets.append(f"{stamp} = ?")
            params.append(to_db(now))
        if cause is not None:
            sets.append("cause = ?")
            params.append(cause)
        marks = ", ".join("?" for _ in from_statuses)
        cur = await self.conn.execute(
            f"UPDATE tickets SET {', '.join(sets)} WHERE id = ? AND status IN ({marks})",
            (*params, ticket_id, *from_statuses),
        )
        if cur.rowcount != 1:
            return False
        await self.event(
            ticket_id, to_status, now=now, actor_id=actor_id, **({"cause": cause} if cause else {}), **data
        )
        return True

    async def update_report(
        self,
        ticket_id: int,
        *,
        category: str,
        severity: str,
        address: str | None,
        latitude: float | None,
        longitude: float | None,
        phone: str | None,
        details: dict[str, Any],
    ) -> None:
        """What the resident reported, as known now (a ticket committed early is updated answer by answer)."""
        await self.conn.execute(
            "UPDATE tickets SET category = ?, severity = ?, address = ?, latitude = ?, longitude = ?, phone = ?,"
            " details = ? WHERE id = ?",
            (
                category,
                severity,
                address,
                latitude,
                longitude,
                phone,
                json.dumps(details, ensure_ascii=False),
                ticket_id,
            ),
        )

    async def set_details(self, ticket_id: int, details: dict[str, Any]) -> None:
        await self.conn.execute(
            "UPDATE tickets SET details = ? WHERE id = ?", (json.dumps(details, ensure_ascii=False), ticket_id)
        )

    async def set_crew(self, ticket_id: int, crew_id: int | None) -> None:
        await self.conn.execute("UPDATE tickets SET crew_id = ? WHERE id = ?", (crew_id, ticket_id))

    async def clear_resolved_at(self, ticket_id: int) -> None:
        """A reopened ticket is not resolved any more."""
        await self.conn.execute("UPDATE tickets SET resolved_at = NULL WHERE id = ?", (ticket_id,))

    async def of_resident(self, resident_id: int, limit: int = 10) -> list[Ticket]:
        rows = await self.conn.execute_fetchall(
            f"SELECT {_COLUMNS} FROM tickets WHERE resident_id = ? ORDER BY id DESC LIMIT ?",
            (resident_id, limit),
        )
        return [_ticket(row) for row in rows]

    async def unpurged(self, statuses: tuple[str, ...], *, last_stamp_before: datetime) -> list[PurgeCandidate]:
        """Tickets in ``statuses`` not purged yet whose last stamp (closed, else resolved, else created) is
        before ``last_stamp_before``."""
        marks = ", ".join("?" for _ in statuses)
        rows = await self.conn.execute_fetchall(
            "SELECT id, resident_id, details, latitude, longitude FROM tickets"
            f" WHERE status IN ({marks}) AND purged_at IS NULL"
            " AND COALESCE(closed_at, resolved_at, created_at) < ?",
            (*statuses, to_db(last_stamp_before)),
        )
        return [
            PurgeCandidate(
                id=row["id"],
                resident_id=row["resident_id"],
                details=jsonfast.loads(row["details"] or "{}"),
                latitude=row["latitude"],
                longitude=row["longitude"],
            )
            for row in rows
        ]

    async def anonymise(
        self,
        ticket_id: int,
        *,
        details: dict[str, Any],
        latitude: float | None,
        longitude: float | None,
        now: datetime,
    ) -> None:
        """Remove the callback number, address and chat; keep ``details`` and the (rounded) pin; mark it purged."""
        await self.conn.execute(
            "UPDATE tickets SET phone = NULL, address = NULL, chat = '', details = ?, latitude = ?, longitude = ?,"
            " purged_at = ? WHERE id = ?",
            (json.dumps(details), latitude, longitude, to_db(now), ticket_id),
        )

    async def event_data(self, ticket_id: int) -> list[tuple[int, Any]]:
        """(event id, decoded data) of every event of the ticket."""
        rows = await self.conn.execute_fetchall("SELECT id, data FROM ticket_events WHERE ticket_id = ?", (ticket_id,))
        return [(int(row["id"]), jsonfast.loads(row["data"] or "{}")) for row in rows]

    async def replace_event_data(self, event_id: int, data: dict[str, Any]) -> None:
        await self.conn.execute("UPDATE ticket_events SET data = ? WHERE id = ?", (json.dumps(data), event_id))

    async def open_in_box(
        self,
        *,
        since: datetime,
        not_ticket: int,
        not_resident: int,
        latitude: tuple[float, float],
        longitude: tuple[float, float],
        limit: int,
        severities: tuple[str, ...] = ("P1",),
    ) -> list[tuple[int, float, float]]:
        """(id, latitude, longitude) of open tickets of ``severities`` (P1 unless told) created at or after
        ``since`` whose pin lies in the box ``latitude`` x ``longitude`` (each (low, high), a square on the
        ground), other than ``not_ticket`` and ``not_resident``'s: the ``limit`` nearest the box's centre,
        nearest first.

        Near is measured flat (degrees of longitude scaled to the box's square), which across a box of a few
        hundred metres orders pins as the great-circle distance does; a district reporting at once puts
        hundreds of tickets in one box, and SQLite picks the few nearest of them."""
        marks = ", ".join("?" for _ in OPEN_STATUSES)
        levels = ", ".join("?" for _ in severities)
        centre_lat, centre_lon = sum(latitude) / 2, sum(longitude) / 2
        span = longitude[1] - longitude[0]
        scale = (latitude[1] - latitude[0]) / span if span else 1.0
        rows = await self.conn.execute_fetchall(
            f"SELECT id, latitude, longitude FROM tickets WHERE severity IN ({levels}) AND drill = 0"
            f" AND status IN ({marks})"
            " AND created_at >= ? AND id != ? AND resident_id != ?"
            " AND latitude BETWEEN ? AND ? AND longitude BETWEEN ? AND ?"
            " ORDER BY (latitude - ?) * (latitude - ?) + (longitude - ?) * (longitude - ?) * ? LIMIT ?",
            (
                *severities, *OPEN_STATUSES, to_db(since), not_ticket, not_resident, *latitude, *longitude,
                centre_lat, centre_lat, centre_lon, centre_lon, scale * scale, limit,
            ),
        )  # fmt: skip
        return [(int(row[0]), row[1], row[2]) for row in rows]

    async def created_since(self, since: datetime) -> list[Ticket]:
        rows = await self.conn.execute_fetchall(
            f"SELECT {_COLUMNS} FROM tickets WHERE created_at >= ? ORDER BY id", (to_db(since),)
        )
        return [_ticket(row) for row in rows]

    async def open_tickets(self) -> list[Ticket]:
        """Every open real ticket (drills are listed by /drill)."""
        marks = ", ".join("?" for _ in OPEN_STATUSES)
        rows = await self.conn.execute_fetchall(
            f"SELECT {_COLUMNS} FROM tickets WHERE status IN ({marks}) AND drill = 0 ORDER BY severity, created_at",
            OPEN_STATUSES,
        )
        return [_ticket(row) for row in rows]
