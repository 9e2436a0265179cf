"""Exactly one instance leads on a shared PostgreSQL database: the one holding a session advisory lock on a
connection of its own (not the pool's). The server lets the lock go when that session ends, however it ends
(the process ``kill -9``ed, the machine gone: its TCP connection closes, or keepalives time it out), and a standby
trying every ``retry_s`` takes it. A lease row (``leader_lease``, made here: it exists only on PostgreSQL) says
who leads and since when, for ``hotline status``; the lock, not the row, decides.

The leader checks its connection every ``check_s``; a connection that fails means the lock may be gone, so the
leader stops leading at once (``on_lost``): two leaders would dispatch every ticket twice."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import asyncpg

from common.errors import StorageError
from storage.db import to_db
from storage.postgres.database import LEASE_DDL, MIGRATE_LOCK
from storage.postgres.sql import masked

logger = logging.getLogger(__name__)

LEADER_LOCK = 0x686F746C6561  # "hotlea": the advisory lock the leader holds
_ERRORS = (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, asyncio.TimeoutError)


def instance_name() -> str:
    """This process as the lease shows it: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True)
class Lease:
    instance: str
    since: datetime
    renewed_at: datetime
    held: bool  # whether a session holds the lock now (a row left by a dead leader says who led last)


class Leadership:
    def __init__(self, url: str, instance: str | None = None, *, retry_s: float = 1.0, check_s: float = 1.0) -> None:
        self.url = url
        self.instance = instance or instance_name()
        self.retry_s = retry_s
        self.check_s = check_s
        self._conn: asyncpg.Connection | None = None
        self._watch: asyncio.Task[None] | None = None

    @property
    def leading(self) -> bool:
        return self._conn is not None

    async def try_acquire(self) -> bool:
        """Take the lock now if it is free (and write the lease); False if another instance holds it."""
        conn = await self._connect()
        try:
            got = bool(await conn.fetchval("SELECT pg_try_advisory_lock($1)", LEADER_LOCK))
            if got:
                now = to_db(datetime.now(UTC))
                async with conn.transaction():  # before the first migration, too; never beside another's
                    await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATE_LOCK)
                    await conn.execute(LEASE_DDL)
                await conn.execute(
                    "INSERT INTO leader_lease (id, instance, since, renewed_at) VALUES (1, $1, $2, $2)"
                    " ON CONFLICT (id) DO UPDATE SET instance = excluded.instance, since = excluded.since,"
                    " renewed_at = excluded.renewed_at",
                    self.instance,
                    now,
                )
        except BaseException:
            await _close(conn)
            raise
        if not got:
            await _close(conn)
            return False
        self._conn = conn
        return True

    async def wait(self, until: asyncio.Event) -> bool:
        """Try every ``retry_s`` until this instance leads (True) or ``until`` is set (False). A server that
        cannot be reached is retried too (logged once per outage)."""
        unreachable = False
        while not until.is_set():
            try:
                if await self.try_acquire():
                    return True
                unreachable = False
            except _ERRORS as exc:
                if not unreachable:
                    logger.warning("standby: the database %s cannot be reached (%s)", masked(self.url), exc)
                unreachable = True
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(until.wait(), self.retry_s)
        return False

    def watch(self, on_lost: Callable[[str], None]) -> None:
        """While leading: check the lock's connection every ``check_s`` (renewing the lease); ``on_lost`` once
        it fails."""
        self._watch = asyncio.get_running_loop().create_task(self._check(on_lost))

    async def _check(self, on_lost: Callable[[str], None]) -> None:
        while self._conn is not None:
            await asyncio.sleep(self.check_s)
            conn = self._conn
            if conn is None:
                return
            try:
                await asyncio.wait_for(
                    conn.execute("UPDATE leader_lease SET renewed_at = $1 WHERE id = 1", to_db(datetime.now(UTC))),
                    timeout=max(self.check_s * 3, 3.0),
                )
            except Exception as exc:  # whatever breaks the lock's connection ends leadership (asyncpg has kinds
                # outside _ERRORS for a session ended mid-call): a watch that died quietly would go on leading
                self._conn = None
                await _close(conn)
                on_lost(f"lost the database connection that holds leadership ({type(exc).__name__})")
                return

    async def release(self) -> None:
        """Stop leading (a clean stop): the lock goes with the session, a standby takes it at its next try."""
        if self._watch is not None:
            self._watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watch
            self._watch = None
        conn, self._conn = self._conn, None
        if conn is not None:
            await _close(conn)

    async def _connect(self) -> asyncpg.Connection:
        try:
            return await asyncpg.connect(
                self.url, timeout=5, server_settings={"application_name": f"hotline leader {self.instance}"}
            )
        except _ERRORS:
            raise
        except Exception as exc:  # an unusable URL
            raise StorageError(f"{masked(self.url)}: cannot connect ({exc})") from exc


async def current_lease(url: str) -> Lease | None:
    """Who leads (or led last), and whether the lock is held now; None before any instance led."""
    conn = await asyncpg.connect(url, timeout=5)
    try:
        if not await conn.fetchval("SELECT to_regclass('leader_lease') IS NOT NULL"):
            return None
        row = await conn.fetchrow("SELECT instance, since, renewed_at FROM leader_lease WHERE id = 1")
        if row is None:
            return None
        held = await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND objsubid = 1 AND ((classid::bigint << 32) | objid::bigint) = $1)",
            LEADER_LOCK,
        )
    finally:
        await _close(conn)
    since, renewed = datetime.fromisoformat(row["since"]), datetime.fromisoformat(row["renewed_at"])
    return Lease(instance=row["instance"], since=since, renewed_at=renewed, held=bool(held))


async def _close(conn: asyncpg.Connection) -> None:
    with contextlib.suppress(*_ERRORS):
        await asyncio.wait_for(conn.close(), 2)
    if not conn.is_closed():
        conn.terminate()
