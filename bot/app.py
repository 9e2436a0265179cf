"""Central wiring: builds the PTB application, registers every handler, runs it.

Only this module registers handlers; ``handlers/`` modules export them.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, TypeHandler

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.logsafety import quiet_libraries
from bot.runtime import Runtime
from handlers.commands import register_commands
from handlers.convert import TelegramUpdate
from handlers.errors import on_error
from handlers.processor import ChatOrderedProcessor
from handlers.safe_updates import SafeUpdatesBot
from handlers.sender import TelegramSender
from handlers.transport import AiohttpRequest
from handlers.updates import on_update
from handlers.webhook import WebhookServer

logger = logging.getLogger(__name__)


def build_application(settings: Settings) -> Application:  # type: ignore[type-arg]
    os.environ.setdefault("PTB_TIMEDELTA", "true")  # retry_after as a timedelta, PTB's coming default
    quiet_libraries()  # PTB logs message texts and updates at DEBUG: never residents' data in our logs
    tg = settings.telegram
    bot = SafeUpdatesBot(
        settings.require_token(),
        base_url=tg.base_url,
        base_file_url=tg.base_file_url,
        request=AiohttpRequest(connection_pool_size=tg.connection_pool_size),
        get_updates_request=AiohttpRequest(connection_pool_size=1, read_timeout=10.0),
    )
    app = ApplicationBuilder().bot(bot).concurrent_updates(ChatOrderedProcessor(tg.max_concurrent_updates)).build()
    app.add_handler(TypeHandler(TelegramUpdate, on_update))
    app.add_error_handler(on_error)
    return app


async def serve(
    settings: Settings,
    stop: asyncio.Event,
    *,
    clock: Clock | None = None,
    on_ready: Callable[[Runtime], Awaitable[None]] | None = None,
    webhook: bool = False,
) -> None:
    """Run the bot until ``stop`` is set: long polling, or with ``webhook`` Telegram's POSTs (handlers/webhook.py)."""
    app = build_application(settings)
    hook = WebhookServer(app, settings) if webhook else None
    async with app:
        runtime = await Runtime.start(settings, clock or SystemClock(), TelegramSender(app.bot))
        app.bot_data["runtime"] = runtime
        app.bot_data["hotline"] = settings.utility.hotline
        try:
            await register_commands(app.bot, runtime.db)
            await app.start()
            assert app.updater is not None
            if hook is not None:
                await hook.start()
            else:
                await app.updater.start_polling(
                    timeout=settings.telegram.poll_timeout_s, allowed_updates=Update.ALL_TYPES
                )
                logger.info("polling for updates as @%s", app.bot.username)
            if on_ready is not None:
                await on_ready(runtime)
            await stop.wait()
        finally:
            if hook is not None:
                await hook.stop()
            if app.updater is not None and app.updater.running:
                await app.updater.stop()
            if app.running:
                await app.stop()
            await runtime.stop()
