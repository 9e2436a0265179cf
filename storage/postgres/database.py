"""``Database`` on PostgreSQL (asyncpg): the same two paths as SQLite's, with the same meaning.

- ``run(body)``: bodies asked for while a group is in flight go together in the next one: one transaction
  (``BEGIN`` ... ``COMMIT`` on one pooled connection), each body in its own savepoint, each one's result given
  only once the group is committed (``synchronous_commit`` on: durable before acknowledged). One group at a
  time per process, as SQLite's one writer: a body's read-then-write is never raced by another body of ours.
- ``read(body)``: a ``REPEATABLE READ READ ONLY`` transaction (one snapshot that cannot write).
- ``fetchall``/``fetchone``/``scalar``: one statement on the pool.

Migrations: the one numbered set of ``storage/migrations`` (``migrations``), each step's DDL translated
(``sql.schema``) or, where it cannot be, the step's own ``NNNN_name.postgres.sql``; applied under an advisory
lock, so instances starting together migrate once. The version is the one row of ``schema_version``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import asyncpg

from common.errors import StorageError
from storage.db import Database, migrations
from storage.grouped import GROUP_MAX
from storage.inbox import DDL as INBOX_DDL
from storage.postgres.backup import dump
from storage.postgres.connection import PgConnection, setup, storage_error
from storage.postgres.sql import masked, numbered, schema
from storage.sync import SyncConnection

logger = logging.getLogger(__name__)

T = TypeVar("T")
MIGRATE_LOCK = 0x686F746C696E65  # "hotline": the advisory lock migrations hold
SESSION = {
    "application_name": "hotline",
    "lock_timeout": "5000",
}  # a lock held past 5 s: DatabaseBusy (SQLite's busy_timeout)
_DRIVER_ERRORS = (asyncpg.PostgresError, asyncpg.InterfaceError, OSError)


LEASE_DDL = (
    "CREATE TABLE IF NOT EXISTS leader_lease (id BIGINT PRIMARY KEY CHECK (id = 1), instance TEXT NOT NULL,"
    " since TEXT NOT NULL, renewed_at TEXT NOT NULL)"
)
COORDINATION = (LEASE_DDL, *INBOX_DDL)
"""What only instances sharing a server need (who leads, the webhook's inbox): not numbered steps of the schema,
which is the same on both engines, but made here, after them, if missing."""


def postgres_migrations() -> list[tuple[int, str, str]]:
    """(number, name, sql) of every migration as PostgreSQL runs it."""
    folder = resources.files("storage") / "migrations"
    out = []
    for number, name, sql in migrations():
        own = folder / name.replace(".sql", ".postgres.sql")
        out.append((number, name, own.read_text("utf-8") if own.is_file() else schema(sql)))
    return out


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


def _settle(futures: list[asyncio.Future[Any]], outcomes: list[Any]) -> None:
    for future, outcome in zip(futures, outcomes, strict=True):
        if future.done():
            continue
        if isinstance(outcome, _Failed):
            future.set_exception(storage_error(outcome.error))
        else:
            future.set_result(outcome)


class PostgresDatabase(Database):
    engine = "postgresql"

    def __init__(self, pool: asyncpg.Pool, url: str) -> None:  # noqa: D107 - not Database's: no sqlite file
        self._pool = pool
        self.url = url
        self.conn = PgConnection(pool)
        self.path = Path(masked(url))  # for messages only: there is no file
        self.lock = asyncio.Lock()
        self._queued: list[tuple[Callable[[SyncConnection], Awaitable[Any]], asyncio.Future[Any]]] = []
        self._writer: asyncio.Task[None] | None = None

    @classmethod
    async def connect(cls, url: str, *, migrate: bool = True, max_size: int = 10) -> PostgresDatabase:
        """A pool on the server at ``url``; a server that cannot be reached is a ``StorageError`` saying so."""
        try:
            pool = await asyncpg.create_pool(
                url, min_size=1, max_size=max_size, init=setup, command_timeout=60, server_settings=SESSION
            )
        except (TimeoutError, *_DRIVER_ERRORS) as exc:
            raise StorageError(f"{masked(url)}: cannot connect to the database ({exc})") from exc
        db = cls(pool, url)
        try:
            if migrate:
                await db.migrate()
        except BaseException:
            await pool.close()
            raise
        return db

    async def close(self) -> None:
        while self._writer is not None and not self._writer.done():
            await asyncio.wait([self._writer])
        await self._pool.close()

    async def schema_version(self) -> int:
        try:
            return await self._schema_version()
        except _DRIVER_ERRORS as exc:
            raise storage_error(exc) from exc

    async def _schema_version(self, conn: asyncpg.Connection | asyncpg.Pool | None = None) -> int:
        source = conn or self._pool
        exists = await source.fetchval("SELECT to_regclass('schema_version') IS NOT NULL")
        if not exists:
            return 0
        return int(await source.fetchval("SELECT COALESCE(MAX(version), 0) FROM schema_version"))

    async def migrate(self) -> list[str]:
        shipped = postgres_migrations()
        applied = []
        async with self.lock, self._pool.acquire() as conn:
            for number, name, sql in shipped:
                try:
                    async with conn.transaction():
                        await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATE_LOCK)
                        current = await self._schema_version(conn)
                        if current > len(shipped):
                            raise StorageError(
                                f"database schema {current} is newer than this program knows ({len(shipped)}); "
                                "upgrade the program instead of running an old one on it"
                            )
                        if current >= number:
                            continue
                        await conn.execute(sql)
                        await conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)")
                        await conn.execute("DELETE FROM schema_version")
                        await conn.execute("INSERT INTO schema_version (version) VALUES ($1)", number)
                except _DRIVER_ERRORS as exc:
                    raise StorageError(f"migration {name} failed: {exc}") from exc
                logger.info("applied migration %s", name)
                applied.append(name)
            try:  # under the same lock: CREATE ... IF NOT EXISTS is not safe against a concurrent one
                async with conn.transaction():
                    await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATE_LOCK)
                    for statement in COORDINATION:
                        await conn.execute(statement)
            except _DRIVER_ERRORS as exc:
                raise StorageError(f"the instances' tables could not be made: {exc}") from exc
        return applied

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[Any]:
        async with self.lock, self._pool.acquire() as conn, conn.transaction():
            yield PgConnection(conn)

    async def run(self, body: Callable[[SyncConnection], Awaitable[T]]) -> T:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._queued.append((body, future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.get_running_loop().create_task(self._write())
        result: T = await future
        return result

    async def _write(self) -> None:
        """Groups of the bodies queued, one after the other, until none is left."""
        while self._queued:
            group, self._queued = self._queued[:GROUP_MAX], self._queued[GROUP_MAX:]
            try:
                async with self.lock:
                    outcomes = await self._run_group([body for body, _ in group])
            except BaseException as exc:  # BEGIN or COMMIT failed, or the connection: none applied; all told
                outcomes = [_Failed(exc)] * len(group)
                if isinstance(exc, asyncio.CancelledError):
                    _settle([f for _, f in group], outcomes)
                    raise
            _settle([future for _, future in group], outcomes)

    async def _run_group(self, bodies: list[Callable[[SyncConnection], Awaitable[Any]]]) -> list[Any]:
        outcomes: list[Any] = []
        async with self._pool.acquire() as conn:
            tx = PgConnection(conn)
            async with conn.transaction():
                for body in bodies:
                    savepoint = conn.transaction()
                    await savepoint.start()
                    try:
                        outcomes.append(await body(tx))
                    except Exception as exc:  # whatever a body raises is its caller's, never its group's
                        outcomes.append(_Failed(exc))
                        await savepoint.rollback()
                    else:
                        await savepoint.commit()
        return outcomes

    async def read(self, body: Callable[[SyncConnection], Awaitable[T]]) -> T:
        try:
            async with self._pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
                return await body(PgConnection(conn))
        except _DRIVER_ERRORS as exc:
            raise storage_error(exc) from exc

    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[Any]:
        try:
            return list(await self._pool.fetch(numbered(sql), *params))
        except _DRIVER_ERRORS as exc:
            raise storage_error(exc) from exc

    async def backup(self, target: Path) -> None:
        await dump(self.url, target)

    async def integrity_check(self) -> str:
        await self.fetchall("SELECT 1")
        return "ok"
