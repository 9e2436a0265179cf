"""Incidents: one crew card for many reports of one leak. An incident is named by its lead ticket; each
joined report (``incident_reports``) stays a ticket of its own. The card's edit throttle is kept here too."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.db import Conn, from_db, to_db


@dataclass(frozen=True)
class Incident:
    lead: int
    created_at: datetime
    card_edited_at: datetime | None
    card_stale: bool


class IncidentsRepo:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def get(self, lead: int) -> Incident | None:
        rows = await self.conn.execute_fetchall(
            "SELECT lead_ticket_id, created_at, card_edited_at, card_stale FROM incidents WHERE lead_ticket_id = ?",
            (lead,),
        )
        for row in rows:
            created = from_db(row[1])
            assert created is not None
            return Incident(int(row[0]), created, from_db(row[2]), bool(row[3]))
        return None

    async def lead_of(self, ticket_id: int) -> int | None:
        """The lead ticket of the incident ``ticket_id`` is a joined report of (None: it is not one)."""
        rows = await self.conn.execute_fetchall(
            "SELECT lead_ticket_id FROM incident_reports WHERE ticket_id = ?", (ticket_id,)
        )
        for row in rows:
            return int(row[0])
        return None

    async def join(self, ticket_id: int, lead: int, distance_m: float | None, now: datetime) -> None:
        """``ticket_id`` joins ``lead``'s incident (the incident is opened with its first report)."""
        await self.conn.execute(
            "INSERT INTO incidents (lead_ticket_id, created_at) VALUES (?, ?) ON CONFLICT (lead_ticket_id) DO NOTHING",
            (lead, to_db(now)),
        )
        await self.conn.execute(
            "INSERT INTO incident_reports (ticket_id, lead_ticket_id, distance_m, joined_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (ticket_id) DO UPDATE SET lead_ticket_id = excluded.lead_ticket_id,"
            " distance_m = excluded.distance_m, joined_at = excluded.joined_at",
            (ticket_id, lead, distance_m, to_db(now)),
        )

    async def leave(self, ticket_id: int) -> tuple[int, float | None] | None:
        """Take ``ticket_id`` out of its incident; returns (lead, metres from it), or None if it was in none."""
        rows = await self.conn.execute_fetchall(
            "SELECT lead_ticket_id, distance_m FROM incident_reports WHERE ticket_id = ?", (ticket_id,)
        )
        found = [(int(row[0]), row[1]) for row in rows]
        await self.conn.execute("DELETE FROM incident_reports WHERE ticket_id = ?", (ticket_id,))
        return found[0] if found else None

    async def reports(self, lead: int) -> list[tuple[int, float | None]]:
        """(ticket, metres from the lead) of the incident's joined reports, nearest first."""
        rows = await self.conn.execute_fetchall(
            "SELECT ticket_id, distance_m FROM incident_reports WHERE lead_ticket_id = ?"
            " ORDER BY distance_m, ticket_id",
            (lead,),
        )
        return [(int(row[0]), row[1]) for row in rows]

    async def size(self, lead: int) -> int:
        """How many reports have joined ``lead``'s incident (the lead not counted): ``len(reports(lead))``,
        counted on the index instead of read and sorted (a district's incident holds hundreds)."""
        rows = await self.conn.execute_fetchall(
            "SELECT COUNT(*) FROM incident_reports WHERE lead_ticket_id = ?", (lead,)
        )
        return next(int(row[0]) for row in rows)

    async def move(self, from_lead: int, to_lead: int) -> None:
        """Every report of ``from_lead``'s incident joins ``to_lead``'s (a merge); the emptied one is dropped."""
        await self.conn.execute(
            "UPDATE incident_reports SET lead_ticket_id = ? WHERE lead_ticket_id = ?", (to_lead, from_lead)
        )
        await self.conn.execute("DELETE FROM incidents WHERE lead_ticket_id = ?", (from_lead,))

    async def card_edited(self, lead: int, now: datetime) -> None:
        await self.conn.execute(
            "UPDATE incidents SET card_edited_at = ?, card_stale = 0 WHERE lead_ticket_id = ?", (to_db(now), lead)
        )

    async def card_stale(self, lead: int) -> None:
        await self.conn.execute("UPDATE incidents SET card_stale = 1 WHERE lead_ticket_id = ?", (lead,))

    async def joined_among(self, ticket_ids: list[int]) -> dict[int, int]:
        """Those of ``ticket_ids`` that are joined reports, with their lead (the board lists them under it)."""
        found: dict[int, int] = {}
        for start in range(0, len(ticket_ids), 500):
            part = ticket_ids[start : start + 500]
            rows = await self.conn.execute_fetchall(
                "SELECT ticket_id, lead_ticket_id FROM incident_reports"
                f" WHERE ticket_id IN ({', '.join('?' for _ in part)})",
                part,
            )
            found.update({int(row[0]): int(row[1]) for row in rows})
        return found
