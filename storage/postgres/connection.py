"""The connection a body is given on PostgreSQL: the part of ``SyncConnection`` the repositories use, over an
asyncpg connection (or the pool, one statement at a time), with ``?`` placeholders and the driver's errors
translated to the product's."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import asyncpg

from common.errors import ConstraintError, DatabaseBusy, StatementError, StorageError
from storage.postgres.sql import numbered, returns_rows, rowcount
from storage.sync import SyncConnection, SyncCursor

_BUSY = ("40001", "40P01", "55P03", "57014")  # serialization failure, deadlock, lock not available, timeout


def storage_error(exc: BaseException) -> BaseException:
    """The product's error for an asyncpg error (anything else is returned as it is)."""
    if isinstance(exc, asyncpg.IntegrityConstraintViolationError):
        error: StorageError = ConstraintError(str(exc))
    elif isinstance(exc, asyncpg.PostgresError) and getattr(exc, "sqlstate", None) in _BUSY:
        error = DatabaseBusy(str(exc))
    elif isinstance(exc, asyncpg.PostgresError | asyncpg.InterfaceError):
        error = StatementError(str(exc))
    elif isinstance(exc, OSError | ConnectionError):
        error = StorageError(f"the database server cannot be reached: {exc}")
    else:
        return exc
    error.__cause__ = exc
    return error


def _number(text: str) -> int | float:
    """``numeric`` as SQLite gives it: ``SUM`` of integers is an integer, of reals a float (never a Decimal)."""
    value = Decimal(text)
    return int(value) if value == value.to_integral_value() and "." not in text else float(value)


def _text(value: object) -> str:
    """Any value as its text, as SQLite's text affinity stores it (a chat id given as a number is its digits);
    a NUL character, which PostgreSQL's text cannot hold (a forged button's data may carry one), as U+FFFD."""
    return str(value).replace("\x00", "\ufffd")


async def setup(conn: asyncpg.Connection) -> None:
    """Each new connection: text columns take any value (``_text``), and ``numeric`` reads as a number."""
    await conn.set_type_codec("text", schema="pg_catalog", encoder=_text, decoder=str, format="text")
    await conn.set_type_codec("numeric", schema="pg_catalog", encoder=str, decoder=_number, format="text")


class PgCursor(SyncCursor):
    """What ``execute`` returns: the rows (all fetched), the row count, and ``lastrowid`` of none (the
    repositories ask ``RETURNING id`` instead, which both engines answer)."""

    def __init__(self, rows: list[Any], count: int) -> None:
        self._rows = rows
        self._count = count

    @property
    def rowcount(self) -> int:
        return self._count

    @property
    def lastrowid(self) -> int | None:
        return None

    async def fetchone(self) -> Any:
        return self._rows.pop(0) if self._rows else None

    async def fetchall(self) -> list[Any]:
        rows, self._rows = self._rows, []
        return rows

    async def close(self) -> None:
        self._rows = []


class PgConnection(SyncConnection):
    """``SyncConnection``'s calls on an asyncpg connection in a transaction, or on the pool (each statement
    its own transaction). Its awaits do go to the network; the rule of a body holds all the same (its bodies
    are the same code as SQLite's, checked by ``tests/storage/test_bodies.py``)."""

    def __init__(self, conn: asyncpg.Connection | asyncpg.Pool) -> None:
        self._pg = conn

    @property
    def in_transaction(self) -> bool:
        return isinstance(self._pg, asyncpg.Connection) and self._pg.is_in_transaction()

    async def execute(self, sql: str, parameters: Iterable[Any] = ()) -> PgCursor:
        query, args = numbered(sql), tuple(parameters)
        try:
            if returns_rows(sql):
                rows = list(await self._pg.fetch(query, *args))
                return PgCursor(rows, len(rows))
            status = await self._pg.execute(query, *args)
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as exc:
            raise storage_error(exc) from exc
        return PgCursor([], rowcount(status))

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any]]) -> PgCursor:
        rows = [tuple(p) for p in parameters]
        if rows:
            try:
                await self._pg.executemany(numbered(sql), rows)
            except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as exc:
                raise storage_error(exc) from exc
        return PgCursor([], -1)

    async def execute_fetchall(self, sql: str, parameters: Iterable[Any] = ()) -> Sequence[Any]:
        return await (await self.execute(sql, parameters)).fetchall()
