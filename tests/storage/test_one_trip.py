"""``Database.run`` and ``fetchall``: one trip to aiosqlite's thread each, atomic, never inside a
``transaction()`` in progress, and never seeing its uncommitted rows."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from common.errors import ConstraintError, StorageError
from storage.db import Conn, Database
from storage.grouped import GROUP_MAX


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
        async with db._transaction() as conn:
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
    async with db._transaction() as conn:
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


async def committed_groups(
    db: Database, bodies: int, body: Callable[[Conn], Awaitable[object]]
) -> tuple[list[object], int]:
    """Run ``bodies`` copies of ``body`` at once; their outcomes, and how many COMMITs it took."""
    statements: list[str] = []
    await db.conn.set_trace_callback(statements.append)
    outcomes = await asyncio.gather(*(db.run(body) for _ in range(bodies)), return_exceptions=True)
    await db.conn.set_trace_callback(None)
    return outcomes, statements.count("COMMIT")


async def test_bodies_asked_for_together_share_one_commit(db: Database) -> None:
    outcomes, commits = await committed_groups(db, 10, insert)
    assert sorted(outcomes) == list(range(1, 11))  # type: ignore[type-var]
    assert commits == 1
    outcomes, commits = await committed_groups(db, GROUP_MAX + 1, insert)
    assert len(outcomes) == GROUP_MAX + 1 and commits == 2, "at most GROUP_MAX bodies to a transaction"


def numbered(fail: Callable[[Conn, int], Awaitable[None]]) -> Callable[[Conn], Awaitable[int]]:
    """A body inserting its call number n (1, 2, ...), then awaiting ``fail(conn, n)``."""
    calls = 0

    async def body(conn: Conn) -> int:
        nonlocal calls
        calls += 1
        row_id = await insert(conn, calls)
        await fail(conn, calls)
        return row_id

    return body


async def test_a_failing_body_among_others_is_rolled_back_alone(db: Database) -> None:
    async def every_third(conn: Conn, n: int) -> None:
        if n % 3 == 0:
            raise ValueError(f"bad input {n}")

    outcomes, commits = await committed_groups(db, 9, numbered(every_third))
    assert commits == 1
    assert [type(o).__name__ for o in outcomes] == ["int", "int", "ValueError"] * 3
    rows = await db.fetchall("SELECT n FROM t ORDER BY n")
    assert [row[0] for row in rows] == [1, 2, 4, 5, 7, 8]


async def test_a_failure_that_ends_the_transaction_fails_the_bodies_before_it_not_after(db: Database) -> None:
    async def the_fourth_loses_the_transaction(conn: Conn, n: int) -> None:
        if n == 4:
            await conn.execute("ROLLBACK")  # what SQLite does itself on a full disk or an I/O error
            raise sqlite3.OperationalError("disk I/O error")

    outcomes, _ = await committed_groups(db, 6, numbered(the_fourth_loses_the_transaction))
    assert [type(o).__name__ for o in outcomes] == ["StorageError"] * 3 + ["StatementError", "int", "int"]
    assert "rolled back" in str(outcomes[0])
    assert isinstance(outcomes[3].__cause__, sqlite3.OperationalError), "the driver's error, as the cause"
    rows = await db.fetchall("SELECT n FROM t ORDER BY n")
    assert [row[0] for row in rows] == [5, 6], "nothing of the lost bodies was kept; the later ones were"


async def test_a_failed_commit_fails_every_body_of_its_group(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "fk.sqlite3")
    await database.conn.execute("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
    await database.conn.execute(
        "CREATE TABLE child (parent INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)"
    )
    calls = 0

    async def the_second_breaks_the_commit(conn: Conn) -> None:
        nonlocal calls
        calls += 1
        await conn.execute("INSERT INTO child (parent) VALUES (?)", (1 if calls == 2 else None,))

    try:
        outcomes, _ = await committed_groups(database, 3, the_second_breaks_the_commit)
        assert all(isinstance(o, ConstraintError) for o in outcomes)
        assert (await database.fetchall("SELECT COUNT(*) FROM child"))[0][0] == 0
        await database.run(lambda conn: conn.execute("INSERT INTO child (parent) VALUES (NULL)"))  # usable again
    finally:
        await database.close()


async def test_run_on_a_closed_database_says_so_and_keeps_nothing_waiting(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "closed.sqlite3")
    await database.close()
    for _ in range(2):
        with pytest.raises(StorageError, match="closed"):
            await database.run(insert)


async def test_run_waiting_for_a_transaction_when_the_database_closes_says_so(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "closing.sqlite3")
    async with database.lock:  # a transaction() in progress
        waiting = asyncio.ensure_future(database.run(insert))
        await asyncio.sleep(0.01)
        await database.close()
    with pytest.raises(StorageError, match="closed"):
        await asyncio.wait_for(waiting, 5)


async def test_a_body_raising_cancelled_error_cancels_only_its_own_caller(db: Database) -> None:
    async def cancelled(conn: Conn, n: int) -> None:
        if n == 2:
            raise asyncio.CancelledError  # not an Exception: must not take the group down with it

    outcomes, commits = await committed_groups(db, 3, numbered(cancelled))
    assert [type(o).__name__ for o in outcomes] == ["int", "CancelledError", "int"]
    assert commits == 1
    assert [row[0] for row in await db.fetchall("SELECT n FROM t ORDER BY n")] == [1, 3]
