"""``hotline purge --older-than DAYS``: closed tickets are anonymised, their statistics kept."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import pytest

from bot.cli.main import main, purge_text
from bot.cli.purge import PURGED_TEXT, purge, scrub_payload
from bot.cli.text import Say
from bot.clock import FakeClock
from bot.config.settings import Settings
from bot.i18n import Lang
from common.events import EventKind
from storage.db import Database
from storage.instance import InstanceLock
from storage.maintenance import truncate_wal
from tests.kit.forms import fill_leak_form, report_leak
from tests.kit.harness import Harness
from tests.kit.people import CREW_A, DISPATCHER, RESIDENT

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
    async with db._transaction() as tx:
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


# Every string below is typed by a resident or about them; none may survive a purge anywhere in the file.
SEEDED = (
    "Building 3",  # the address of the report
    "Flat 501",
    "1234 5678",  # the callback number, as typed and as stored
    "13812345678",
    "Qiu Xiaoming",  # the resident's name on Telegram
    "lift lobby by Flat 501",  # a dispatcher's note
    "Tower 9 Room 1208",  # the address of an unfinished report
    "duplicate of the Flat 501 call",  # a /close reason
    "knock twice at the blue door",  # relayed to the resident
    "stranger-typed-this",  # a stranger's refused button, in the audit
)
RESIDENT_ID, QUIET_ID, STRANGER_ID = "731955", "731966", "731977"


def file_bytes(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in (path, path.with_name(path.name + "-wal")) if p.exists())


@pytest.mark.sqlite_only("the bytes of the database's file (PostgreSQL: its VACUUM)")
async def test_purge_leaves_no_personal_data_in_the_file(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await Harness(settings, db, clock).setup()
    await h.text(RESIDENT_ID, "I smell gas in my kitchen", name="Qiu Xiaoming")
    await fill_leak_form(h, RESIDENT_ID)  # dispatched at the pin, no confirm
    ticket = int(await db.scalar("SELECT MAX(id) FROM tickets"))
    await h.text(DISPATCHER, f"/note {ticket} lift lobby by Flat 501")
    await h.text(DISPATCHER, f"/msg {ticket} knock twice at the blue door")
    await h.press(STRANGER_ID, f"t:acc:{ticket}:stranger-typed-this")  # a forged button
    assert await db.scalar("SELECT COUNT(*) FROM audit WHERE actor = ?", (STRANGER_ID,)) == 1
    await h.text(DISPATCHER, f"/close {ticket} duplicate of the Flat 501 call")
    assert await db.scalar("SELECT status FROM tickets WHERE id = ?", (ticket,)) == "closed"
    # an unfinished report: an address typed, then silence (a service report: an emergency would be a
    # dispatched ticket by now, open and so not purged)
    await h.text(QUIET_ID, "/report")
    await h.press(QUIET_ID, "i:c:meter")
    await h.event(QUIET_ID, EventKind.LOCATION, latitude=31.2, longitude=121.4)
    await h.text(QUIET_ID, "Tower 9 Room 1208")
    assert await db.scalar("SELECT COUNT(*) FROM conversations WHERE user_ref = ?", (QUIET_ID,)) == 1
    await truncate_wal(db)
    before = file_bytes(db.path)
    missing = [s for s in SEEDED if s.encode() not in before]
    assert missing == [], f"seeded data not in the file before the purge: {missing}"

    clock.advance(timedelta(days=40))
    result = await purge(db, older_than_days=30, now=clock.now(), pause_s=0)
    assert result.tickets == 1 and result.conversations == 1 and result.people >= 1
    await db.close()

    after = file_bytes(db.path)
    assert not [s for s in SEEDED if s.encode() in after], [s for s in SEEDED if s.encode() in after]
    reopened = await Database.open(db.path)
    try:
        # the Telegram ids stay only where the chat itself lives (people: a resident's chat and tips)
        for table, column in (
            ("tickets", "chat"),
            ("outbox", "chat"),
            ("outbox", "payload"),
            ("ticket_events", "data"),
            ("timers", "data"),
            ("audit", "actor"),
            ("conversations", "user_ref"),
        ):
            for telegram_id in (RESIDENT_ID, QUIET_ID, STRANGER_ID):
                hits = await reopened.scalar(
                    f"SELECT COUNT(*) FROM {table} WHERE {column} = ? OR {column} LIKE ?",
                    (telegram_id, f'%"{telegram_id}"%'),
                )
                assert hits == 0, (table, column, telegram_id)
        resident = await reopened.scalar(
            "SELECT p.external_id FROM tickets t JOIN people p ON p.id = t.resident_id WHERE t.id = ?", (ticket,)
        )
        assert resident == "anonymous"
        # the figures are kept
        row = await reopened.fetchone(
            "SELECT category, severity, status, closed_at FROM tickets WHERE id = ?", (ticket,)
        )
        assert row is not None and row[0] == "leak" and row[2] == "closed" and row[3] is not None
        assert await reopened.integrity_check() == "ok"
    finally:
        await reopened.close()


async def test_purge_dry_run_changes_nothing(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await Harness(settings, db, clock).setup()
    ticket = await _resolved_ticket(h, RESIDENT)
    clock.advance(timedelta(days=40))
    result = await purge(db, older_than_days=30, now=clock.now(), dry_run=True)
    assert result.tickets == 1 and "would purge 1 ticket(s)" in purge_text(result, Say(Lang.EN))
    assert await db.scalar("SELECT purged_at FROM tickets WHERE id = ?", (ticket,)) is None


@pytest.mark.sqlite_only("the file's instance lock")
async def test_purge_command_rebuilds_the_file_only_when_no_bot_runs(
    settings: Settings, db: Database, clock: FakeClock, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    h = await Harness(settings, db, clock).setup()
    for user in (RESIDENT, OTHER):
        await _resolved_ticket(h, user)
    await db.run(lambda tx: tx.execute("UPDATE tickets SET resolved_at = '2000-01-01T00:00:00+00:00'"))
    await db.close()
    config = tmp_path / "purge.toml"
    config.write_text(f'[storage]\npath = "{settings.storage.path}"\n', encoding="utf-8")

    def hotline(*args: str) -> str:
        assert main(["purge", "--older-than", "30", *args, "--config", str(config)]) == 0
        return capsys.readouterr().out

    with InstanceLock.acquire(settings.storage.path):  # as a running bot holds it
        assert "would purge 2 ticket(s)" in await asyncio.to_thread(hotline, "--dry-run")
        out = await asyncio.to_thread(hotline)
        assert "purged 2 ticket(s)" in out and "the bot is running, so the file was not rebuilt" in out
    with closing(sqlite3.connect(settings.storage.path)) as conn, conn:
        conn.execute("UPDATE tickets SET purged_at = NULL WHERE id = 1")
    out = await asyncio.to_thread(hotline)
    assert "purged 1 ticket(s)" in out and "database file rebuilt (VACUUM)" in out
