"""TimersRepo.has_pending: a ticket's pending timer of one kind, without reading its others."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from storage.db import Conn, Database
from storage.timers import TimersRepo
from tests.kit.rows import dispatched_tickets
from tests.kit.settings import T0


async def test_has_pending_sees_only_a_pending_timer_of_that_kind_and_ticket(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "timers.sqlite3")
    try:

        async def check(tx: Conn) -> list[bool]:
            ids = await dispatched_tickets(tx, 2)
            ticket, other = ids
            timers = TimersRepo(tx)
            seen = [await timers.has_pending(ticket, "incident_edit")]
            await timers.add("ack", ticket, 0, T0)
            await timers.add("incident_edit", other, 0, T0)  # another ticket's
            seen.append(await timers.has_pending(ticket, "incident_edit"))
            await timers.add("incident_edit", ticket, 0, T0 + timedelta(seconds=10))
            seen.append(await timers.has_pending(ticket, "incident_edit"))
            await timers.cancel(ticket, "incident_edit")
            seen.append(await timers.has_pending(ticket, "incident_edit"))
            first = await timers.add("incident_edit", ticket, 1, T0 + timedelta(seconds=20))
            assert first is not None
            seen.append(await timers.has_pending(ticket, "incident_edit"))
            await timers.take(first)
            seen.append(await timers.has_pending(ticket, "incident_edit"))
            return seen

        assert await db.run(check) == [False, False, True, False, True, False]
    finally:
        await db.close()
