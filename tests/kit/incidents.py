"""Incidents made fast: leaks reported at their location, so many metres north of the first one, and what
the crews got for them."""

from __future__ import annotations

from common.events import EventKind
from storage.db import Conn, Database
from storage.outbox import OutboxRepo
from tests.kit.harness import Harness

LAT, LON, METRE = 31.2304, 121.4737, 1 / 111_320
LEAD = "5001"


def resident(n: int) -> str:
    return str(6000 + n)


async def leak(h: Harness, user: str, north_m: float = 0.0, *, unwell: str | None = None) -> int:
    """A leak reported at its location (committed there), ``north_m`` north of the first one."""
    await h.text(user, "I smell gas")
    await h.event(user, EventKind.LOCATION, latitude=LAT + north_m * METRE, longitude=LON)
    if unwell is not None:
        await h.event(user, EventKind.TEXT, text=f"Building {user}")
        for step in ("where:home", "strength:strong", "valve:closed", f"unwell:{unwell}"):
            await h.press(user, f"i:f:{step}")
    return int((await h.db.fetchall("SELECT id FROM tickets WHERE chat = ? ORDER BY id DESC", (user,)))[0][0])


async def cards(h: Harness, ticket_id: int) -> list[str]:
    return [r.chat for r in await h.outbox("dispatch") if r.ticket_id == ticket_id]


async def delivered(h: Harness, ticket_id: int) -> None:
    """The ticket's cards and pins reached the crews' chats (the harness sends nothing by itself)."""
    rows = [r for r in await h.outbox() if r.ticket_id == ticket_id and r.status == "pending"]

    async def mark(tx: Conn) -> None:
        for row in rows:
            await OutboxRepo(tx).mark_sent(row.id, str(row.id), h.clock.now())

    await h.db.run(mark)


async def in_incident(db: Database, lead: int) -> int:
    return int(await db.scalar("SELECT COUNT(*) FROM incident_reports WHERE lead_ticket_id = ?", (lead,)))
