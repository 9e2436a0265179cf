"""The private parts of python-telegram-bot and aiosqlite this project relies on, checked one by one.

requirements.lock pins the tested versions, and pyproject.toml bounds them (PTB <23, aiosqlite <0.23);
when ``make lock`` or a wider bound brings a release that renamed or changed one of these, this file fails
first and says which of our modules to adapt, instead of a confusing failure deep in the suite.
"""

from __future__ import annotations

import asyncio
import inspect
import sqlite3
from importlib import metadata
from pathlib import Path

import aiosqlite
import pytest
from telegram import Bot
from telegram.ext import Application
from telegram.request import BaseRequest

PTB = metadata.version("python-telegram-bot")
AIOSQLITE = metadata.version("aiosqlite")


def _changed(library: str, version: str, what: str, user: str) -> str:
    return (
        f"{library} {version} changed {what}, which {user} relies on: adapt {user}, "
        f"or keep {library} at the version in requirements.lock (make lock picked a release it was not tested with)"
    )


def test_ptb_private_modules_still_export_what_we_import() -> None:
    from telegram._utils import defaultvalue, types

    for module, name in [
        (defaultvalue, "DefaultValue"),
        (defaultvalue, "DEFAULT_NONE"),
        (types, "JSONDict"),
        (types, "ODVInput"),
        (types, "TimePeriod"),
    ]:
        assert hasattr(module, name), _changed(
            "python-telegram-bot",
            PTB,
            f"{module.__name__}.{name}",
            "handlers/transport.py and handlers/safe_updates.py",
        )


def test_ptb_bot_post_keeps_its_signature() -> None:
    post = getattr(Bot, "_post", None)
    assert post is not None and inspect.iscoroutinefunction(post), _changed(
        "python-telegram-bot", PTB, "Bot._post", "handlers/safe_updates.py (SafeUpdatesBot.get_updates)"
    )
    params = inspect.signature(post).parameters
    expected = ["endpoint", "data", "read_timeout", "write_timeout", "connect_timeout", "pool_timeout", "api_kwargs"]
    assert all(name in params for name in expected), _changed(
        "python-telegram-bot", PTB, f"Bot._post's parameters (now {list(params)})", "handlers/safe_updates.py"
    )


def test_ptb_bot_request_pair_and_unfrozen() -> None:
    bot = Bot("123456:" + "A" * 35)
    request = getattr(bot, "_request", None)
    assert isinstance(request, tuple) and len(request) == 2, _changed(
        "python-telegram-bot", PTB, "Bot._request (a pair of BaseRequest)", "handlers/safe_updates.py and bot/app.py"
    )
    assert all(isinstance(r, BaseRequest) and hasattr(r, "read_timeout") for r in request), _changed(
        "python-telegram-bot", PTB, "Bot._request's items", "handlers/safe_updates.py"
    )
    unfrozen = getattr(bot, "_unfrozen", None)
    assert unfrozen is not None, _changed(
        "python-telegram-bot", PTB, "TelegramObject._unfrozen", "handlers/safe_updates.py"
    )
    with unfrozen():
        pass


def test_ptb_application_initialized_flag() -> None:
    app = Application.builder().token("123456:" + "A" * 35).build()
    assert getattr(app, "_initialized", None) is False, _changed(
        "python-telegram-bot", PTB, "Application._initialized", "bot/app.py (_shutdown)"
    )


async def test_aiosqlite_connection_queue(tmp_path: Path) -> None:
    """storage/db.py's ``Database._queue`` puts ``(future, function)`` on ``Connection._tx`` while
    ``Connection._running`` and runs the function on ``Connection._connection`` in aiosqlite's thread."""
    user = "storage/db.py (Database._queue)"
    conn = await aiosqlite.connect(tmp_path / "internals.sqlite3")
    try:
        assert getattr(conn, "_running", None) is True, _changed("aiosqlite", AIOSQLITE, "Connection._running", user)
        raw = getattr(conn, "_connection", None)
        assert isinstance(raw, sqlite3.Connection), _changed("aiosqlite", AIOSQLITE, "Connection._connection", user)
        queue = getattr(conn, "_tx", None)
        assert queue is not None and hasattr(queue, "put_nowait"), _changed(
            "aiosqlite", AIOSQLITE, "Connection._tx", user
        )
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        queue.put_nowait((future, lambda: raw.execute("SELECT 41 + 1").fetchone()[0]))
        try:
            answer = await asyncio.wait_for(future, timeout=10)
        except TimeoutError:
            pytest.fail(_changed("aiosqlite", AIOSQLITE, "what its thread takes from Connection._tx", user))
        assert answer == 42, _changed("aiosqlite", AIOSQLITE, "how its thread settles a queued future", user)
    finally:
        await conn.close()
    assert conn._running is False, _changed("aiosqlite", AIOSQLITE, "Connection._running after close", user)


async def test_aiosqlite_thread_runs_queued_functions_in_order_and_hands_back_their_errors(tmp_path: Path) -> None:
    """``Database.read`` and ``Database._one_trip`` rely on two more things: what is put on ``Connection._tx``
    runs in the order put, after the statements queued before it, and a function's exception (a body's
    ``sqlite3.Error``, which storage/db.py turns into a ``StorageError``) is set on its future."""
    user = "storage/db.py (Database._one_trip, Database.read)"
    conn = await aiosqlite.connect(tmp_path / "order.sqlite3")
    try:
        await conn.execute("CREATE TABLE t (n INTEGER)")
        queue, raw = conn._tx, conn._connection
        assert raw is not None
        loop = asyncio.get_running_loop()
        futures: list[asyncio.Future[object]] = []
        for n in range(5):
            future: asyncio.Future[object] = loop.create_future()
            queue.put_nowait((future, lambda n=n: raw.execute("INSERT INTO t VALUES (?)", (n,)).rowcount))
            futures.append(future)
        failing: asyncio.Future[object] = loop.create_future()
        queue.put_nowait((failing, lambda: raw.execute("SELECT * FROM no_such_table")))
        await asyncio.wait_for(asyncio.gather(*futures), timeout=10)
        with pytest.raises(sqlite3.OperationalError):
            await asyncio.wait_for(failing, timeout=10)
        rows = await conn.execute_fetchall("SELECT n FROM t ORDER BY rowid")
        assert [row[0] for row in rows] == list(range(5)), _changed(
            "aiosqlite", AIOSQLITE, "the order its thread runs Connection._tx in", user
        )
    finally:
        await conn.close()


def test_aiosqlite_range_is_the_tested_series() -> None:
    """pyproject.toml admits only the aiosqlite series the internals above were checked on."""
    import tomllib

    from packaging.requirements import Requirement

    project = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text("utf-8"))
    (declared,) = [r for r in map(Requirement, project["project"]["dependencies"]) if r.name == "aiosqlite"]
    assert declared.specifier.contains(AIOSQLITE), f"installed aiosqlite {AIOSQLITE} is outside {declared}"
    for untested in ("0.21.0", "0.23.0", "1.0.0"):
        assert not declared.specifier.contains(untested), f"aiosqlite {declared} admits {untested}, never checked"
