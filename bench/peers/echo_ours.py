"""PTB echo bot on our transport (``handlers.transport.AiohttpRequest``) and per-chat ordered processor,
256 updates at a time: the same wiring as ``bot.app.build_application``."""

from __future__ import annotations

import asyncio

from telegram.ext import ApplicationBuilder, MessageHandler, filters

from bench.peers._ptb import TOKEN, echo, root, run
from handlers.processor import ChatOrderedProcessor
from handlers.transport import AiohttpRequest


def main() -> None:
    base = root()
    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(f"{base}/bot")
        .base_file_url(f"{base}/file/bot")
        .request(AiohttpRequest(connection_pool_size=256))
        .get_updates_request(AiohttpRequest(connection_pool_size=1, read_timeout=20.0))
        .concurrent_updates(ChatOrderedProcessor(256))
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT, echo))
    asyncio.run(run(app))


if __name__ == "__main__":
    main()
