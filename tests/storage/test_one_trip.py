"""``Database.run`` and ``fetchall``: one trip to aiosqlite's thread each, atomic, never inside a
``transaction()`` in progress, and never seeing its uncommitted rows."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.errors import StorageError
from storage.db import Conn, Database


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "x.sqlite3")
    await database.conn.execute("CREATE TABLE t (n INTEGER)")
    yield database
    await database.close()


async def count(db: Database) -> int:
    rows = await db.fetchall("SELECT COUNT(*) FROM t")
    return int(rows[0][0])


async def insert(conn: Conn, n: int = 1) -> int:
    cursor = await conn.execute("INSERT INTO t (n) VALUES (?)", (n,))
    assert cursor.lastrowid is not None
    return cursor.lastrowid


async def test_a_body_commits_and_returns_its_value(db: Database) -> None:
    assert await db.run(insert) == 1
    assert await count(db) == 1


async def test_a_failing_body_leaves_nothing_behind(db: Database) -> None:
    async def half_then_fail(conn: Conn) -> None:
        await insert(conn)
        raise ValueError("bad input")

    with pytest.raises(ValueError):
        await db.run(half_then_fail)
    assert await count(db) == 0
    assert await db.run(insert) == 1  # the connection is usable afterwards, outside any transaction


async def test_a_body_that_waits_for_anything_but_the_database_is_refused_and_rolled_back(db: Database) -> None:
    async def sleeps(conn: Conn) -> None:
        await insert(conn)
        await asyncio.sleep(0)

    with pytest.raises(RuntimeError, match="other than the database"):
        await db.run(sleeps)
    assert await count(db) == 0


async def test_a_trip_asked_for_during_a_transaction_waits_until_it_commits(db: Database) -> None:
    seen: list[int] = []
    began = asyncio.Event()

    async def long_transaction() -> None:
        async with db.transaction() as conn:
            await insert(conn)
            began.set()
            for _ in range(5):  # other coroutines run meanwhile; none may land inside this transaction
                await asyncio.sleep(0.01)
            await insert(conn)

    async def reader() -> None:
        await began.wait()
        seen.append(await count(db))  # never the uncommitted 1

    async def writer() -> None:
        await began.wait()
        await db.run(insert)  # BEGIN inside the open transaction would fail

    await asyncio.gather(long_transaction(), reader(), writer())
    assert seen == [2]
    assert await count(db) == 3


async def test_a_transaction_begun_after_a_trip_was_asked_for_runs_after_it(db: Database) -> None:
    trip = asyncio.ensure_future(db.run(insert))
    await asyncio.sleep(0)  # the trip is queued now
    async with db.transaction() as conn:
        rows = await conn.execute_fetchall("SELECT COUNT(*) FROM t")
    assert next(iter(rows))[0] == 1
    await trip


async def test_many_concurrent_bodies_all_apply_once(db: Database) -> None:
    ids = await asyncio.gather(*(db.run(insert) for _ in range(300)))
    assert sorted(ids) == list(range(1, 301))
    assert await count(db) == 300


async def test_a_closed_database_says_so(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "closed.sqlite3")
    await database.close()
    with pytest.raises(StorageError, match="closed"):
        await database.fetchall("SELECT 1")
