"""Runs a PTB ``Application`` with long polling until SIGTERM; prints READY once polling."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys

from telegram import Update
from telegram.ext import Application, ContextTypes

TOKEN = "123456:DEMO-sandbox-token"  # bot.demo.DEMO_TOKEN: what sandbox_settings uses


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


def root() -> str:
    logging.basicConfig(level=logging.WARNING)
    return sys.argv[1]
