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
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import aiosqlite.core

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


def profiled(path: str, run: Callable[[], object]) -> None:
    """``run`` with a cProfile of each of the bot's two busy threads, in CPU time (``time.thread_time``: an
    event loop waiting for its sockets costs nothing): the event loop's in ``path``, the database's (where every
    update's transaction runs, ``Database.run``) in ``path.db``. For finding hot spots, e.g.
    ``BENCH_PROFILE=/tmp/bot.prof python -m bench --only surge``, then ``python -m pstats /tmp/bot.prof.db``."""
    worker = aiosqlite.core._connection_worker_thread  # the database's thread runs this

    def profiled_worker(*args: Any) -> None:
        profile = cProfile.Profile(time.thread_time)
        profile.enable()
        try:
            worker(*args)
        finally:
            profile.disable()
            profile.dump_stats(f"{path}.db")

    aiosqlite.core._connection_worker_thread = profiled_worker  # type: ignore[assignment]
    profile = cProfile.Profile(time.thread_time)
    profile.enable()
    try:
        run()
    finally:
        profile.disable()
        profile.dump_stats(path)


if __name__ == "__main__":
    extra = json.loads(sys.argv[3]) if len(sys.argv) > 3 else {}
    if path := os.environ.get("BENCH_PROFILE"):
        profiled(path, lambda: run_loop(main(sys.argv[1], Path(sys.argv[2]), extra)))
    else:
        run_loop(main(sys.argv[1], Path(sys.argv[2]), extra))
