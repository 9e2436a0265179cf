"""The figures an operator's monitoring reads from the database (``/metrics``, ``/readyz``): counts and
durations only, never a person's data. Read at each scrape, so they survive restarts and need no hook in
the code that writes the rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from storage.db import Database, from_db
from storage.sync import SyncConnection


@dataclass
class OpsFigures:
    tickets: dict[tuple[str, str], int] = field(default_factory=dict)  # (severity, status) -> count
    dispatch_to_accept_s: list[float] = field(default_factory=list)  # per accepted ticket
    escalations: int = 0  # escalation steps taken ("escalated" events)
    outbox: dict[tuple[str, str], int] = field(default_factory=dict)  # (status, reason) -> count, pending/failed
    oldest_pending_at: datetime | None = None  # the oldest notification not yet delivered
    broadcasts: dict[tuple[int, str], int] = field(default_factory=dict)  # (broadcast id, state) -> recipients


def reason_of(last_error: str | None) -> str:
    """An outbox row's reason, as a label: the error's class name ("Transient", "Blocked", ...), never its text."""
    if not last_error:
        return "none"
    head = last_error.split(":", 1)[0].strip()
    return head if head.isidentifier() and len(head) <= 40 else "other"


async def read_figures(db: Database) -> OpsFigures:
    figures = OpsFigures()
    for row in await db.fetchall(
        "SELECT severity, status, COUNT(*) FROM tickets WHERE drill = 0 GROUP BY severity, status"
    ):
        figures.tickets[(str(row[0]), str(row[1]))] = int(row[2])
    rows = await db.fetchall(
        "SELECT t.accepted_at, MIN(e.at) FROM tickets t JOIN ticket_events e ON e.ticket_id = t.id "
        "AND e.kind = 'dispatched' WHERE t.accepted_at IS NOT NULL AND t.drill = 0 GROUP BY t.id"
    )
    for accepted, dispatched in rows:
        a, d = from_db(accepted), from_db(dispatched)
        if a is not None and d is not None:
            figures.dispatch_to_accept_s.append(max(0.0, (a - d).total_seconds()))
    figures.escalations = int(
        await db.scalar(
            "SELECT COUNT(*) FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id"
            " WHERE e.kind = 'escalated' AND t.drill = 0"
        )
        or 0
    )
    for status, error, count in await db.fetchall(
        "SELECT status, last_error, COUNT(*) FROM outbox WHERE status IN ('pending', 'failed') "
        "GROUP BY status, last_error"
    ):
        key = (str(status), reason_of(error))
        figures.outbox[key] = figures.outbox.get(key, 0) + int(count)
    figures.oldest_pending_at = from_db(await db.scalar("SELECT MIN(created_at) FROM outbox WHERE status = 'pending'"))
    for bid, status, count in await db.fetchall(
        "SELECT d.broadcast_id, d.status, COUNT(*) FROM broadcast_deliveries d JOIN broadcasts b "
        "ON b.id = d.broadcast_id WHERE b.status IN ('queued', 'sending') GROUP BY d.broadcast_id, d.status"
    ):
        figures.broadcasts[(int(bid), str(status))] = int(count)
    return figures


async def oldest_pending_at(db: Database) -> datetime | None:
    return from_db(await db.scalar("SELECT MIN(created_at) FROM outbox WHERE status = 'pending'"))


async def writable(db: Database) -> None:
    """Raises unless the database's write lock can be taken (within its busy timeout); writes nothing."""

    async def nothing(tx: SyncConnection) -> None:
        return None

    await db.run(nothing)
