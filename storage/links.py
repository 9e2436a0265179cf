"""Links between tickets: "probably the same incident" and "follows" (never a silent merge)."""

from __future__ import annotations

from datetime import datetime

from storage.db import Conn, to_db


class LinksRepo:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def add(self, ticket_id: int, related_id: int, kind: str, distance_m: float | None, now: datetime) -> None:
        """Link ``ticket_id`` to ``related_id``; a link already there is kept as it is."""
        await self.conn.execute(
            "INSERT INTO ticket_links (ticket_id, related_id, kind, distance_m, at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (ticket_id, related_id, kind) DO NOTHING",
            (ticket_id, related_id, kind, distance_m, to_db(now)),
        )

    async def probable_same(self, ticket_id: int, limit: int = 5) -> list[tuple[int, float | None]]:
        """(other ticket, metres) this ticket is probably the same incident as, nearest first."""
        rows = await self.conn.execute_fetchall(
            "SELECT related_id, distance_m FROM ticket_links WHERE ticket_id = ? AND kind = 'probable_same'"
            " ORDER BY distance_m LIMIT ?",
            (ticket_id, limit),
        )
        return [(int(row[0]), row[1]) for row in rows]
