"""The event loop the bot's processes run on, and how its two threads share the interpreter."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Coroutine
from typing import Any, TypeVar

try:
    import uvloop
except ImportError:  # not built for Windows
    uvloop = None  # type: ignore[assignment]

T = TypeVar("T")

SWITCH_INTERVAL_S = 0.0005
"""How long a thread may keep the interpreter lock while another waits for it (Python's default: 5 ms).

Each update's transaction runs in the database's thread (``Database.run``), which lets the lock go at every
SQLite call; under load the event loop's thread takes it meanwhile, and with the default the database's
thread then waits up to 5 ms to go on, every update queued behind it. Measured in the 1,000-resident surge:
~770 updates/s with 5 ms, ~850-925 with 0.5 ms."""


def run_loop(main: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` on uvloop where it is installed (the same event loop, with less CPU per socket
    event: a surge is mostly socket events), with ``SWITCH_INTERVAL_S`` while it runs."""
    previous = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    try:
        with asyncio.Runner(loop_factory=uvloop.new_event_loop if uvloop is not None else None) as runner:
            return runner.run(main)
    finally:
        sys.setswitchinterval(previous)
