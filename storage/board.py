"""The dispatch board's reads (a read-only connection of its own) and its sign-in links (migration 0010).

The bot issues a link (``BoardLinksRepo.issue`` inside the /board command's transaction); the board
consumes it once (``consume``, through ``Database.run`` in the board's process). Everything else here only
reads, so the board works on a ``mode=ro`` connection.
"""

from __future__ import annotations

import json
from datetime import datetime

from pydantic import BaseModel

from storage.db import Conn, from_db, to_db


class BoardLinksRepo:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def issue(self, link_id: str, person_id: int, *, now: datetime, expires_at: datetime) -> None:
        await self.conn.execute(
            "INSERT INTO board_links (id, person_id, issued_at, expires_at) VALUES (?, ?, ?, ?)",
            (link_id, person_id, to_db(now), to_db(expires_at)),
        )

    async def consume(self, link_id: str, person_id: int, *, now: datetime) -> bool:
        """Mark the link used; False when it is unknown, someone else's, used already or expired."""
        cur = await self.conn.execute(
            "UPDATE board_links SET used_at = ? WHERE id = ? AND person_id = ? AND used_at IS NULL AND expires_at > ?",
            (to_db(now), link_id, person_id, to_db(now)),
        )
        return cur.rowcount == 1


class TimelineEntry(BaseModel):
    id: int
    at: datetime
    actor: str | None  # the staff member's name; None: the system or the resident (never named on the board)
    by_resident: bool
    kind: str
    data: dict[str, object]


class BoardReader:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def last_change(self) -> int:
        """The newest audit-trail row: every ticket change adds one (the board polls this)."""
        rows = await self.conn.execute_fetchall("SELECT COALESCE(MAX(id), 0) FROM ticket_events")
        return int(next(iter(rows))[0])

    async def event_kinds(self, ticket_ids: list[int]) -> dict[int, set[str]]:
        """Which kinds of event each ticket had (e.g. ``escalated``), for the queue."""
        if not ticket_ids:
            return {}
        marks = ", ".join("?" for _ in ticket_ids)
        rows = await self.conn.execute_fetchall(
            f"SELECT DISTINCT ticket_id, kind FROM ticket_events WHERE ticket_id IN ({marks})", ticket_ids
        )
        out: dict[int, set[str]] = {}
        for row in rows:
            out.setdefault(int(row[0]), set()).add(str(row[1]))
        return out

    async def timeline(self, ticket_id: int) -> list[TimelineEntry]:
        rows = await self.conn.execute_fetchall(
            "SELECT e.id, e.at, e.kind, e.data, p.name, p.role FROM ticket_events e"
            " LEFT JOIN people p ON p.id = e.actor_id WHERE e.ticket_id = ? ORDER BY e.id",
            (ticket_id,),
        )
        out = []
        for row in rows:
            at = from_db(row[1])
            assert at is not None
            staff = row[5] is not None and row[5] != "resident"
            out.append(
                TimelineEntry(
                    id=row[0],
                    at=at,
                    actor=row[4] if staff else None,
                    by_resident=row[5] == "resident",
                    kind=row[2],
                    data=json.loads(row[3]),
                )
            )
        return out

    async def crew_names(self) -> dict[int, str]:
        rows = await self.conn.execute_fetchall("SELECT id, name FROM crews")
        return {int(row[0]): str(row[1]) for row in rows}
