"""The connection a body of ``Database.run``/``Database.read`` is given: ``sqlite3`` calls that answer at once
in aiosqlite's thread, behind the part of aiosqlite's API the repositories use."""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Iterable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")


class SyncCursor:
    """The part of aiosqlite's ``Cursor`` the repositories use, answered at once by a ``sqlite3`` cursor."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    async def fetchone(self) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self._cursor.fetchone()
        return row

    async def fetchall(self) -> list[sqlite3.Row]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()


class SyncConnection:
    """The part of ``aiosqlite.Connection`` the repositories use, on the ``sqlite3`` connection itself.

    Only for ``Database.run``: its body runs in aiosqlite's own thread, where each call returns at once
    instead of queueing a hop to that thread and waiting for the event loop to come back to it."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    @property
    def in_transaction(self) -> bool:
        return self._conn.in_transaction

    async def execute(self, sql: str, parameters: Iterable[Any] = ()) -> SyncCursor:
        return SyncCursor(self._conn.execute(sql, tuple(parameters)))

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any]]) -> SyncCursor:
        return SyncCursor(self._conn.executemany(sql, parameters))

    async def execute_fetchall(self, sql: str, parameters: Iterable[Any] = ()) -> Sequence[sqlite3.Row]:
        return self._conn.execute(sql, tuple(parameters)).fetchall()


def run_to_end(body: Awaitable[T]) -> T:
    """Run a coroutine that awaits nothing but ``SyncConnection`` calls, which never suspend."""
    coroutine = body.__await__()
    try:
        coroutine.send(None)
    except StopIteration as done:
        result: T = done.value
        return result
    coroutine.close()
    raise RuntimeError("a Database.run body waited for something other than the database")
