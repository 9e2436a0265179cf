"""Bare aiogram 3 echo bot with its defaults (aiohttp session, updates handled as tasks)."""

from __future__ import annotations

import asyncio
import logging
import sys

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Message

TOKEN = "123456:DEMO-sandbox-token"  # bot.cli.demo.DEMO_TOKEN: what sandbox_settings uses


async def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    session = AiohttpSession(api=TelegramAPIServer.from_base(sys.argv[1]))
    bot = Bot(TOKEN, session=session)
    dp = Dispatcher()

    @dp.message()
    async def echo(message: Message) -> None:
        if message.text:
            await bot.send_message(message.chat.id, message.text)

    @dp.startup()
    async def ready() -> None:
        print("READY", flush=True)

    await dp.start_polling(bot, polling_timeout=10)  # stops on SIGTERM


if __name__ == "__main__":
    asyncio.run(main())
