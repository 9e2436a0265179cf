"""``hotline board``: the board's own process (its own event loop: a surge in the bot cannot slow it, and
it cannot slow the bot). It reads through a read-only connection and writes only to spend sign-in links."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web

from bot.board import live
from bot.board.state import BoardState
from bot.board.web import build_app
from bot.clock import Clock, SystemClock
from bot.config.settings import Settings
from common.errors import ConfigError, StorageError
from storage.board import BoardReader
from storage.db import Database, latest_migration
from storage.engines import describe, open_database, shared

logger = logging.getLogger(__name__)


def require_ready(settings: Settings) -> None:
    board = settings.board
    if not board.secret.get_secret_value():
        raise ConfigError("board.secret: set HOTLINE_BOARD__SECRET in the environment (32 characters or more)")
    if not board.public_url:
        raise ConfigError("board.public_url: the address staff open (e.g. https://hotline.example.cn/board/)")


@asynccontextmanager
async def running_board(settings: Settings, *, clock: Clock | None = None) -> AsyncIterator[str]:
    """The board serving until the block ends; yields the address it listens on (http://host:port)."""
    require_ready(settings)
    path = settings.storage.path
    if not shared(settings.storage) and not path.exists():
        raise StorageError(f"{path}: no database here (start the bot first, or run `hotline db migrate`)")
    writer = await open_database(settings.storage, migrate=False)
    try:
        if await writer.schema_version() < latest_migration():
            raise StorageError(
                f"{describe(settings.storage)}: the database is older than this version: `hotline db migrate`"
            )
        # SQLite: a connection that cannot write, so pages never wait on the bot's write lock; a server's pool
        # serves both
        reader = writer if shared(settings.storage) else await Database.open_read_only(path)
    except BaseException:
        await writer.close()
        raise
    state = BoardState(settings, reader, writer, clock or SystemClock(), live.Changes())
    state.changes.last = await reader.read(lambda conn: BoardReader(conn).last_change())
    poller = asyncio.create_task(live.poll(reader, state.changes, settings.board.poll_s))
    app = build_app(state)
    app.on_shutdown.append(lambda _app: state.changes.close())
    runner = web.AppRunner(app, shutdown_timeout=5.0, access_log=None)
    await runner.setup()
    try:
        host, _, port = settings.board.listen.rpartition(":")
        site = web.TCPSite(runner, host.strip("[]"), int(port))
        await site.start()
        address = _address(runner)
        logger.info("dispatch board on %s (public address %s)", address, settings.board.public_url)
        yield address
    finally:
        poller.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await poller
        await runner.cleanup()
        if reader is not writer:
            await reader.close()
        await writer.close()


def _address(runner: web.AppRunner) -> str:
    for found in runner.addresses:
        if isinstance(found, tuple):
            host, port = found[0], found[1]
            return f"http://{'[' + host + ']' if ':' in host else host}:{port}"
    return "?"


async def serve_board(settings: Settings, stop: asyncio.Event) -> None:
    async with running_board(settings):
        await stop.wait()
