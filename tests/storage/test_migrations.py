"""Migrations apply by number, 1..n without gaps, and a database at an earlier version gets every later migration
(0018's outbox index among them)."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from storage.db import Database, latest_migration, migrations


def _indexes(path: Path) -> set[str]:
    with closing(sqlite3.connect(path)) as conn:
        return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}


def test_migrations_are_numbered_without_gaps() -> None:
    numbers = [number for number, _, _ in migrations()]
    assert numbers == list(range(1, latest_migration() + 1))


async def test_fresh_database_gets_every_migration(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "fresh.sqlite3")
    try:
        assert await db.schema_version() == latest_migration()
    finally:
        await db.close()
    indexes = _indexes(tmp_path / "fresh.sqlite3")
    assert "outbox_next" in indexes and "outbox_due" not in indexes


async def test_older_database_gets_the_later_migrations(tmp_path: Path) -> None:
    path = tmp_path / "older.sqlite3"
    with closing(sqlite3.connect(path)) as conn:
        for number, _, sql in migrations():
            if number <= 14:
                conn.executescript(f"BEGIN;\n{sql}\nPRAGMA user_version={number};\nCOMMIT;")
        conn.execute(  # a broadcast under way: its counts were written only at the end before 0018
            "INSERT INTO broadcasts (id, kind, audience, texts, priority, status, created_at, audience_size)"
            " VALUES (1, 'tip', 'subscribers', '{}', 4, 'sending', '2027-01-01T00:00:00+00:00', 3)"
        )
        for person, status in ((1, "sent"), (2, "sent"), (3, "pending")):
            conn.execute(
                "INSERT INTO people (id, channel, external_id, name, lang, created_at)"
                " VALUES (?, 'telegram', ?, 'r', 'zh', '2027-01-01T00:00:00+00:00')",
                (person, str(person)),
            )
            conn.execute(
                "INSERT INTO broadcast_deliveries (broadcast_id, person_id, chat, lang, status)"
                " VALUES (1, ?, ?, 'zh', ?)",
                (person, str(person), status),
            )
        conn.commit()
    assert "outbox_due" in _indexes(path)
    db = await Database.open(path)
    try:
        assert await db.schema_version() == latest_migration()
    finally:
        await db.close()
    indexes = _indexes(path)
    assert "outbox_next" in indexes and "outbox_due" not in indexes
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("SELECT sent, blocked, failed, uncertain FROM broadcasts").fetchone() == (2, 0, 0, 0)
