"""``hotline purge --older-than DAYS``: closed tickets are anonymised, their statistics kept."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from bot.cli import main
from bot.clock import FakeClock
from bot.config import Settings
from bot.purge import PURGED_TEXT, purge, scrub_payload
from storage.db import Database
from tests.conftest import CREW_A, RESIDENT
from tests.core.harness import Harness
from tests.core.test_leak_report import report_leak

OTHER = "5003"
STATS = (
    "SELECT category, severity, status, cause, created_at, accepted_at, arrived_at, resolved_at, crew_id, assignee_id"
)
PRIVATE = ("Flat 501", "Building 3", "1234 5678", "12345678", "+86138")


async def _resolved_ticket(h: Harness, user: str) -> int:
    ticket = await report_leak(h, user)
    await h.press(CREW_A[1], f"t:acc:{ticket}")
    await h.press(CREW_A[1], f"t:cause:{ticket}:repaired")
    assert await h.db.scalar("SELECT status FROM tickets WHERE id = ?", (ticket,)) == "resolved"
    return ticket


async def _ticket_text(db: Database, ticket: int) -> str:
    """Everything stored about one ticket, as text."""
    parts = [repr(tuple(await db.fetchone("SELECT * FROM tickets WHERE id = ?", (ticket,)) or ()))]
    parts += [repr(tuple(r)) for r in await db.fetchall("SELECT * FROM outbox WHERE ticket_id = ?", (ticket,))]
    parts += [repr(tuple(r)) for r in await db.fetchall("SELECT * FROM ticket_events WHERE ticket_id = ?", (ticket,))]
    return "\n".join(parts)


async def test_purge_anonymises_closed_tickets_and_keeps_statistics(
    settings: Settings, db: Database, clock: FakeClock
) -> None:
    h = await Harness(settings, db, clock).setup()
    old = await _resolved_ticket(h, RESIDENT)
    clock.advance(timedelta(days=25))
    recent = await _resolved_ticket(h, OTHER)
    still_open = await report_leak(h, OTHER)
    async with db.transaction() as tx:
        await tx.execute("UPDATE people SET phone = '+8613812345678' WHERE external_id IN (?, ?)", (RESIDENT, OTHER))
    before = await _ticket_text(db, old)
    assert any(p in before for p in PRIVATE)
    stats_before = {
        t: tuple(await db.fetchone(f"{STATS} FROM tickets WHERE id = ?", (t,)) or ()) for t in (old, recent)
    }
    details_before = json.loads(await db.scalar("SELECT details FROM tickets WHERE id = ?", (old,)))

    result = await purge(db, older_than_days=30, now=clock.now() + timedelta(days=10))

    assert (result.tickets, result.people) == (1, 1)
    stored = await _ticket_text(db, old)
    assert not [p for p in PRIVATE if p in stored], stored
    row = await db.fetchone(
        "SELECT phone, address, chat, latitude, longitude, details, purged_at FROM tickets WHERE id = ?", (old,)
    )
    assert row is not None
    assert (row[0], row[1], row[2]) == (None, None, "")
    assert (row[3], row[4]) == (31.23, 121.47)  # the pin, rounded to about a kilometre
    kept = json.loads(row[5])
    assert kept and set(kept) <= {"where", "strength", "valve", "unwell", "symptoms", "vulnerable", "since"}
    assert all(details_before[k] == v for k, v in kept.items())
    assert "access" not in kept and "photos" not in kept
    assert row[6] is not None
    # statistics unchanged, the recent and the open ticket untouched
    for t in (old, recent):
        assert tuple(await db.fetchone(f"{STATS} FROM tickets WHERE id = ?", (t,)) or ()) == stats_before[t]
    for t in (recent, still_open):
        assert await db.scalar("SELECT purged_at FROM tickets WHERE id = ?", (t,)) is None
        assert await db.scalar("SELECT phone FROM tickets WHERE id = ?", (t,)) is not None
    # the resident with no open ticket loses the stored number; the one with an open ticket keeps it
    assert await db.scalar("SELECT phone FROM people WHERE external_id = ?", (RESIDENT,)) is None
    assert await db.scalar("SELECT phone FROM people WHERE external_id = ?", (OTHER,)) is not None
    # purged notifications still decode (the worker and /status read them)
    assert len(await h.outbox()) == await db.scalar("SELECT COUNT(*) FROM outbox")
    # once only
    again = await purge(db, older_than_days=30, now=clock.now() + timedelta(days=10))
    assert again.tickets == 0
    assert await db.integrity_check() == "ok"


def test_scrub_payload_keeps_a_decodable_message() -> None:
    payload = json.dumps(
        {
            "message": {
                "type": "location",
                "chat": "1",
                "latitude": 31.230416,
                "longitude": 121.473701,
                "address": "Flat 501",
            }
        }
    )
    scrubbed = json.loads(scrub_payload(payload))["message"]
    assert scrubbed["address"] == PURGED_TEXT and scrubbed["latitude"] == 31.23


def test_purge_command(tmp_path: Path, settings: Settings, capsys: object) -> None:
    config = tmp_path / "purge.toml"
    config.write_text(f'[storage]\npath = "{tmp_path / "purge.sqlite3"}"\n', encoding="utf-8")
    assert main(["purge", "--older-than", "365", "--config", str(config)]) == 0
