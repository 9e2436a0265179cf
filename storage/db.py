"""The SQLite connection: pragmas, numbered migrations, the one write path and the one read path (online
backup: ``storage.backup``).

One aiosqlite connection serves the whole bot, and the rest of the product touches it two ways only:

- ``Database.run(body)``: ``body`` as one write transaction. Bodies asked for while the database's thread is
  busy share its next trip and its COMMIT, each in its own savepoint (``storage.grouped.run_group``).
- ``Database.read(body)``: ``body`` as one read-only snapshot (``PRAGMA query_only``: a write in it fails),
  never seeing another coroutine's uncommitted rows; ``fetchall``/``fetchone``/``scalar`` for one query.

**The rule of a body: nothing but the database inside.** A body is an ``async def`` given the connection
(``SyncConnection``); it may await only that connection's calls and repositories built on it, and plain
functions. It runs in aiosqlite's own thread from BEGIN to COMMIT, where those calls answer at once: an
await of anything else (the network, a timer, a lock, the lane, ``asyncio.sleep``) would hold every other
update's transaction, so ``run_to_end`` fails it at run time, and ``tests/storage/test_bodies.py`` reads
every body given to ``run``/``read`` in the product and fails on such an await before it ever runs. Since a
body runs outside the event loop, it touches no loop object either (no ``create_task``, no ``Event.set``):
it returns values, and its caller acts on them after the await.

Errors: a body's ``sqlite3.Error`` reaches the caller as the product's ``StatementError`` (``ConstraintError``
for a broken constraint, ``DatabaseBusy`` for a database locked past the busy timeout), never the driver's.

Migrations hold ``Database.lock`` statement by statement, and so does ``_transaction()``, kept for tests
that need a transaction open across awaits; nothing outside storage/ uses either (a test checks).
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import sqlite3
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar
from urllib.request import pathname2url

import aiosqlite

from common.errors import StorageError
from storage.backup import backup_file
from storage.grouped import GROUP_MAX, Failed, read_snapshot, run_group, settle, storage_error
from storage.private import make_private
from storage.sync import SyncConnection

logger = logging.getLogger(__name__)

T = TypeVar("T")
_MIGRATION = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


def to_db(when: datetime) -> str:
    """Aware datetime -> sortable UTC text."""
    if when.tzinfo is None:
        raise ValueError("naive datetime given to storage")
    return when.astimezone(UTC).isoformat(timespec="microseconds")


def from_db(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def migrations() -> list[tuple[int, str, str]]:
    """(number, name, sql) of every shipped migration, in order."""
    found = []
    for entry in (resources.files("storage") / "migrations").iterdir():
        match = _MIGRATION.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text("utf-8")))
    found.sort()
    numbers = [number for number, _, _ in found]
    expected = list(range(1, numbers[-1] + 1)) if found else []
    if numbers != expected:
        raise StorageError(f"migrations are not numbered 1..n without gaps: {numbers}")
    return found


def latest_migration() -> int:
    """The schema version this program brings a database to (the highest shipped migration's number)."""
    return migrations()[-1][0]


Conn = aiosqlite.Connection | SyncConnection
"""What repositories are given: the aiosqlite connection, or inside ``Database.run`` its thread's own."""


def read_only_uri(path: Path) -> str:
    return "file:" + pathname2url(os.path.abspath(path)) + "?mode=ro"


def describe_open_error(path: Path, exc: sqlite3.Error) -> str:
    """One line for an operator: what is wrong with the database file and what to do."""
    text = str(exc)
    if isinstance(exc, sqlite3.DatabaseError) and ("not a database" in text or "malformed" in text):
        return f"{path}: not a SQLite database, or corrupt ({text}); restore it from a backup (hotline db backup)"
    if "readonly" in text or "read-only" in text or "unable to open" in text or "disk I/O" in text:
        return f"{path}: cannot open the database for writing ({text}): a read-only file system or no permission?"
    return f"{path}: cannot open the database ({text})"


class Database:
    engine = "sqlite"  # the API of every engine (PostgreSQL's: storage/postgres/); open with storage.engines

    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self._aio = conn
        self.conn: Conn = conn
        self.path, self.lock = path, asyncio.Lock()
        self._bodies: list[tuple[Callable[[SyncConnection], Awaitable[Any]], asyncio.Future[Any]]] = []
        self._bodies_mutex = threading.Lock()  # the event loop's thread adds bodies, the database's takes them
        self._trip_waiting = False  # a trip is queued that has not yet taken the bodies
        self._trips: set[asyncio.Task[None]] = set()

    @classmethod
    async def open(cls, path: Path, *, migrate: bool = True) -> Database:
        """Open (or create) the database at ``path``. A file that is not a database, a read-only file system
        or a directory that cannot be written is a ``StorageError`` with one line saying so, at once (the
        connection's thread is closed again, so the process can exit)."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"{path.parent}: cannot create the database's directory ({exc.strerror})") from exc
        make_private(path)  # 0600, and so its -wal and -shm files: residents' phone numbers and addresses
        conn = await aiosqlite.connect(path, isolation_level=None)
        try:
            conn.row_factory = aiosqlite.Row
            await conn.execute("PRAGMA busy_timeout=5000")
            await conn.execute("PRAGMA secure_delete=ON")  # what is deleted or overwritten is zeroed (purge)
            await conn.execute("PRAGMA journal_mode=WAL")
            await conn.execute("PRAGMA synchronous=NORMAL")
            await conn.execute("PRAGMA foreign_keys=ON")
            db = cls(conn, path)
            if migrate:
                await db.migrate()
        except sqlite3.Error as exc:
            await conn.close()
            raise StorageError(describe_open_error(path, exc)) from exc
        except BaseException:
            await conn.close()
            raise
        return db

    @classmethod
    async def open_read_only(cls, path: Path) -> Database:
        """A connection that cannot write (``mode=ro``), for another process's reads (the dispatch board):
        they never take the bot's write lock. Its one path is ``read``."""
        try:
            conn = await aiosqlite.connect(read_only_uri(path), uri=True)
        except sqlite3.Error as exc:
            raise StorageError(describe_open_error(path, exc)) from exc
        conn.row_factory = aiosqlite.Row
        await conn.execute("PRAGMA busy_timeout=2000")
        return cls(conn, path)

    async def close(self) -> None:
        await self._aio.close()

    async def schema_version(self) -> int:
        try:
            return await self._schema_version()
        except sqlite3.Error as exc:
            raise storage_error(exc) from exc

    async def _schema_version(self) -> int:
        async with self._aio.execute("PRAGMA user_version") as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    async def migrate(self) -> list[str]:
        """Apply every migration newer than the database; returns the names applied."""
        shipped = migrations()
        current = await self._schema_version()
        if current > shipped[-1][0]:
            raise StorageError(
                f"database schema {current} is newer than this program knows ({shipped[-1][0]}); "
                "upgrade the program instead of running an old one on it"
            )
        applied = []
        async with self.lock:
            for number, name, sql in [m for m in shipped if m[0] > current]:
                try:
                    await self._aio.executescript(f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version={number};\nCOMMIT;")
                except sqlite3.Error as exc:
                    if self._aio.in_transaction:
                        await self._aio.execute("ROLLBACK")
                    raise StorageError(f"migration {name} failed: {exc}") from exc
                logger.info("applied migration %s", name)
                applied.append(name)
        return applied

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[Any]:
        """A write transaction held open across awaits; commits on success, rolls back on any exception.

        Not for the product (``run`` is its one write path): for migrations' kind of work and for tests that
        must hold a transaction open while something else runs."""
        async with self.lock:
            await self._aio.execute("BEGIN IMMEDIATE")
            try:
                yield self._aio
            except BaseException:
                await self._aio.execute("ROLLBACK")
                raise
            await self._aio.execute("COMMIT")

    async def run(self, body: Callable[[SyncConnection], Awaitable[T]]) -> T:
        """``body`` as one write transaction, in one trip to the database thread.

        ``_transaction()`` holds the lock across every statement's trip to aiosqlite's thread and back
        through the event loop; under load the loop is slow to come back, and everyone else waits on
        the lock meanwhile. ``body`` runs in that thread instead, from BEGIN to COMMIT, so it must await
        only its connection's calls (never the network or a timer); and since it runs outside the event
        loop, anything it hands to the loop goes through ``call_soon_threadsafe``.

        Bodies asked for before the trip queued for them starts go together (under load, the ones asked
        while the thread was busy with the trip before), each in its own savepoint, under one COMMIT (see
        ``run_group``): each atomic, each one's result given once all of them are committed.
        """
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        with self._bodies_mutex:
            self._bodies.append((body, future))
            queue_trip, self._trip_waiting = not self._trip_waiting, True
        if queue_trip:
            if self.lock.locked():  # a _transaction() in progress: the trip goes in after it
                task = asyncio.get_running_loop().create_task(self._queue_bodies_after_lock())
                self._trips.add(task)
                task.add_done_callback(self._trips.discard)
            else:
                self._queue_bodies()
        result: T = await future
        return result

    async def _queue_bodies_after_lock(self) -> None:
        async with self.lock:
            self._queue_bodies()

    def _queue_bodies(self) -> None:
        try:
            self._queue(self._run_bodies)
        except StorageError as exc:  # closed: every body waiting is told, none is left waiting
            with self._bodies_mutex:
                waiting, self._bodies, self._trip_waiting = self._bodies, [], False
            settle([future for _, future in waiting], [Failed(exc)] * len(waiting))

    def _run_bodies(self, conn: sqlite3.Connection) -> None:
        """In the database thread: every body asked for until now, ``GROUP_MAX`` to a transaction."""
        with self._bodies_mutex:
            self._trip_waiting = False
            taken = list(self._bodies)
            self._bodies.clear()
        for start in range(0, len(taken), GROUP_MAX):
            group = taken[start : start + GROUP_MAX]
            try:
                outcomes = run_group(conn, [body for body, _ in group])
            except BaseException as exc:  # BEGIN or COMMIT failed: none of the group applied; all are told
                outcomes = [Failed(exc)] * len(group)
            group[0][1].get_loop().call_soon_threadsafe(settle, [future for _, future in group], outcomes)

    async def read(self, body: Callable[[SyncConnection], Awaitable[T]]) -> T:
        """``body`` as one read-only snapshot, in one trip to the database thread (the rule of a body: see
        the module's docstring). A write in it fails (``PRAGMA query_only``)."""
        return await self._one_trip(lambda conn: read_snapshot(conn, body))

    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[aiosqlite.Row]:
        """Rows of one query, outside any transaction (so never another coroutine's uncommitted rows)."""
        values = tuple(params)
        return await self._one_trip(lambda conn: list(conn.execute(sql, values).fetchall()))

    async def _one_trip(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """``work`` in aiosqlite's thread, in the order asked, never inside a ``_transaction()``.

        That thread runs what it is given one at a time, in order, so a single trip needs no lock of
        its own: it only must not land between the statements of a transaction in progress. So it is
        queued at once when no one holds the lock, or else as soon as the holder is done (the lock is
        let go right after queueing, and whoever takes it next queues after this)."""
        if self.lock.locked():
            async with self.lock:
                done = self._queue(work)
        else:
            done = self._queue(work)
        try:
            return await done
        except sqlite3.Error as exc:
            raise storage_error(exc) from exc

    def _queue(self, work: Callable[[sqlite3.Connection], T]) -> asyncio.Future[T]:
        """Hand ``work`` to aiosqlite's thread now (what ``Connection._execute`` does, minus its await,
        which would let someone else's statement go first)."""
        conn = self._aio
        if not conn._running or conn._connection is None:
            raise StorageError("the database is closed")
        sqlite_conn = conn._connection
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        conn._tx.put_nowait((future, lambda: work(sqlite_conn)))
        return future

    async def fetchone(self, sql: str, params: Iterable[Any] = ()) -> aiosqlite.Row | None:
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def scalar(self, sql: str, params: Iterable[Any] = ()) -> Any:
        """The first column of the first row (None when there is no row)."""
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]

    async def backup(self, target: Path) -> None:
        """SQLite's online backup: a consistent copy even while the bot writes."""
        await backup_file(self.path, target)

    async def integrity_check(self) -> str:
        row = await self.fetchone("PRAGMA integrity_check")
        return str(row[0]) if row else "no answer"
