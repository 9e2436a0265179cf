"""The whole Gas Hotline Bot (``bot.app.serve``) against the stand-in:
``python -m bench.peers.hotline <root-url> <db-path> [<settings sections as JSON>]``.

The stand-in enforces no flood limits by default, so the outbound lane's limits are raised here (they model
Telegram's, which would cap a real surge at about 30 messages/s); an ``outbound`` section in the JSON
replaces them (``{}``: the bot's defaults, for a stand-in with Telegram's real limits)."""

from __future__ import annotations

import asyncio
import cProfile
import json
import logging
import os
import signal
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from bot.app import serve
from bot.cli.demo import DEMO_TOKEN, sandbox_settings
from bot.loop import run_loop
from bot.runtime import Runtime

RAISED_LIMITS = {"global_rate_per_s": 100_000.0, "private_rate_per_s": 1_000.0, "private_burst": 1_000}


async def main(root: str, db_path: Path, overrides: dict[str, Any]) -> None:
    logging.basicConfig(level=logging.WARNING)
    stand_in = SimpleNamespace(base_url=f"{root}/bot", base_file_url=f"{root}/file/bot")
    telegram = {"token": DEMO_TOKEN, "base_url": stand_in.base_url, "base_file_url": stand_in.base_file_url}
    settings = sandbox_settings(
        stand_in,  # type: ignore[arg-type]  # only its URLs are read
        db_path,
        lang="en",
        outbound=overrides.pop("outbound", RAISED_LIMITS),
        telegram={**telegram, "poll_timeout_s": 10, "connection_pool_size": 256},
        **overrides,
    )
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)

    async def on_ready(runtime: Runtime) -> None:
        print("READY", flush=True)

    await serve(settings, stop, on_ready=on_ready)


if __name__ == "__main__":
    extra = json.loads(sys.argv[3]) if len(sys.argv) > 3 else {}
    if profile := os.environ.get("BENCH_PROFILE"):  # a cProfile dump of the bot, for finding hot spots
        cProfile.run("run_loop(main(sys.argv[1], Path(sys.argv[2]), extra))", profile)
    else:
        run_loop(main(sys.argv[1], Path(sys.argv[2]), extra))
