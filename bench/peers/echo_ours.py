"""PTB echo bot on our transport (``handlers.transport.AiohttpRequest``) and per-chat ordered processor,
256 updates at a time: the same wiring as ``bot.app.build_application``."""

from __future__ import annotations

from bench.peers._ptb import run_echo, stand_in_builder
from handlers.processor import ChatOrderedProcessor
from handlers.transport import AiohttpRequest

if __name__ == "__main__":
    run_echo(
        stand_in_builder()
        .request(AiohttpRequest(connection_pool_size=256))
        .get_updates_request(AiohttpRequest(connection_pool_size=1, read_timeout=20.0))
        .concurrent_updates(ChatOrderedProcessor(256))
    )
