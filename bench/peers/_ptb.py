"""Runs a PTB ``Application`` with long polling until SIGTERM; prints READY once polling."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters

TOKEN = "123456:DEMO-sandbox-token"  # bot.cli.demo.DEMO_TOKEN: what sandbox_settings uses


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is not None and message.text:
        await context.bot.send_message(message.chat_id, message.text)


async def run(app: Application) -> None:  # type: ignore[type-arg]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(timeout=10)
        print("READY", flush=True)
        await stop.wait()
        await app.updater.stop()
        await app.stop()


def stand_in_builder() -> ApplicationBuilder:  # type: ignore[type-arg]
    """A PTB builder pointed at the stand-in whose root URL is the first argument."""
    logging.basicConfig(level=logging.WARNING)
    base = sys.argv[1]
    return ApplicationBuilder().token(TOKEN).base_url(f"{base}/bot").base_file_url(f"{base}/file/bot")


def run_echo(builder: ApplicationBuilder) -> None:  # type: ignore[type-arg]
    """Build the echo bot and serve it until SIGTERM."""
    app = builder.build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    asyncio.run(run(app))
