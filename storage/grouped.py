"""The grouped commit's work in the database's own thread: bodies in savepoints under one COMMIT, a read-only
snapshot, and each body's outcome handed to the coroutine that asked for it (``storage.db.Database`` queues
the bodies and owns the connection; this is what its thread does with them)."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from common.errors import ConstraintError, DatabaseBusy, StatementError, StorageError
from storage.sync import SyncConnection, run_to_end

T = TypeVar("T")


def storage_error(exc: BaseException) -> BaseException:
    """The product's error for a driver's ``sqlite3.Error`` (anything else is returned as it is)."""
    if not isinstance(exc, sqlite3.Error):
        return exc
    text = str(exc)
    error: StorageError
    if isinstance(exc, sqlite3.IntegrityError):
        error = ConstraintError(text)
    elif isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text):
        error = DatabaseBusy(text)
    else:
        error = StatementError(text)
    error.__cause__ = exc
    return error


class Failed:
    """A body's exception as its outcome in a group (so a body may return an exception as its value)."""

    def __init__(self, error: BaseException) -> None:
        self.error = error


GROUP_MAX = 32
"""Bodies at most under one COMMIT: the first of them waits for the others to run."""


def run_group(conn: sqlite3.Connection, bodies: list[Callable[[SyncConnection], Awaitable[Any]]]) -> list[Any]:
    """Each body in its own savepoint, all under one COMMIT: one write of the pages they share, one trip.

    A body that raises is rolled back to its savepoint alone. If its failure ended the transaction (SQLite
    rolls back the whole of it on some errors, e.g. a full disk), the bodies before it in the group are
    lost too: they fail with a ``StorageError``, and the ones after it run in a new transaction."""
    outcomes: list[Any] = []
    sync = SyncConnection(conn)
    conn.execute("BEGIN IMMEDIATE")
    try:
        for body in bodies:
            conn.execute("SAVEPOINT body")
            try:
                outcomes.append(run_to_end(body(sync)))
            except BaseException as exc:  # whatever a body raises is its caller's, never its group's
                outcomes.append(Failed(exc))
                if conn.in_transaction:
                    conn.execute("ROLLBACK TO body")
                else:
                    lost = StorageError(f"rolled back by another update's failure: {exc}")
                    outcomes = [o if isinstance(o, Failed) else Failed(lost) for o in outcomes]
                    conn.execute("BEGIN IMMEDIATE")
                    continue
            conn.execute("RELEASE body")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return outcomes


def read_snapshot(conn: sqlite3.Connection, body: Callable[[SyncConnection], Awaitable[T]]) -> T:
    """In the database thread: ``body`` in a read transaction that cannot write, rolled back after."""
    conn.execute("PRAGMA query_only=ON")
    try:
        conn.execute("BEGIN")
        try:
            return run_to_end(body(SyncConnection(conn)))
        finally:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
    finally:
        conn.execute("PRAGMA query_only=OFF")


def settle(futures: list[asyncio.Future[Any]], outcomes: list[Any]) -> None:
    for future, outcome in zip(futures, outcomes, strict=True):
        if future.done():
            continue
        if isinstance(outcome, Failed) and isinstance(outcome.error, asyncio.CancelledError):
            future.cancel()
        elif isinstance(outcome, Failed):
            future.set_exception(storage_error(outcome.error))
        else:
            future.set_result(outcome)
