"""Bare PTB echo bot, PTB's default transport (httpx), ``concurrent_updates=True``."""

from __future__ import annotations

import asyncio

from telegram.ext import ApplicationBuilder, MessageHandler, filters

from bench.peers._ptb import TOKEN, echo, root, run


def main() -> None:
    base = root()
    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(f"{base}/bot")
        .base_file_url(f"{base}/file/bot")
        .concurrent_updates(True)
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT, echo))
    asyncio.run(run(app))


if __name__ == "__main__":
    main()
