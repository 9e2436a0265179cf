"""Memory: the whole bot on a database with 100,000 subscribers and 20,000 tickets, through a short
surge; peak RSS (VmHWM) of the bot's process."""

from __future__ import annotations

import json
import random
import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.surge import SurgeResult, run_surge
from storage.db import Database, to_db

FIRST_SUBSCRIBER = 900_000_000  # subscribers' Telegram ids (and chats) from here
_STATUSES = ("closed", "resolved", "resolved", "closed", "queued", "followup")


async def seed(db_path: Path, *, subscribers: int, tickets: int, seed: int = 7) -> None:
    """A database at the current schema with ``subscribers`` residents (tips on) and ``tickets`` tickets,
    each with its 'created' event."""
    db = await Database.open(db_path)
    await db.close()
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with closing(sqlite3.connect(db_path)) as conn, conn:
        conn.executemany(
            "INSERT INTO people (channel, external_id, name, lang, tips, created_at)"
            " VALUES ('telegram', ?, ?, ?, 1, ?)",
            (
                (str(FIRST_SUBSCRIBER + i), f"S{i}", "zh" if i % 4 else "en", to_db(start + timedelta(minutes=i)))
                for i in range(subscribers)
            ),
        )
        rows = []
        for i in range(tickets):
            created = to_db(start + timedelta(minutes=15 * i))
            details = json.dumps({"where": "home", "strength": "faint", "access": "Door code 1234"})
            resident = rng.randint(1, subscribers)
            rows.append((resident, str(FIRST_SUBSCRIBER + i), created, rng.choice(_STATUSES), details))
        conn.executemany(
            "INSERT INTO tickets (resident_id, channel, chat, lang, category, severity, status, address, details,"
            " created_at) VALUES (?, 'telegram', ?, 'zh', 'leak', 'P2', ?, 'Building 1, Flat 101', ?, ?)",
            ((r[0], r[1], r[3], r[4], r[2]) for r in rows),
        )
        conn.execute(
            "INSERT INTO ticket_events (ticket_id, at, actor_id, kind) SELECT id, created_at, resident_id, 'created'"
            " FROM tickets"
        )


async def run_memory(
    db_path: Path, *, latency_ms: float, subscribers: int, tickets: int, residents: int
) -> SurgeResult:
    await seed(db_path, subscribers=subscribers, tickets=tickets)
    return await run_surge(db_path, latency_ms=latency_ms, residents=residents)
