"""The event loop the bot's processes run on, and how its two threads share the interpreter."""

from __future__ import annotations

import asyncio
import gc
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


GC_THRESHOLDS = (50_000, 20, 20)
"""The cyclic garbage collector's thresholds while the loop runs (Python's default: 700, 10, 10).

Nearly every object an update makes is freed by its reference count as soon as it is done with; the
collector is only there for cycles. With the default it ran a young collection every 700 new objects, an
older one every ten of those (each walking the objects of every update in flight), and one of the whole heap
(the modules, catalogs and danger model: over 100,000 objects, about 65 ms here) whenever the heap had grown
by a quarter: in the 500-resident surge 2.6 s of the bot's CPU went to the collector, a third of the whole.
Now the heap as the imports left it is frozen (``gc.freeze``: it lives as long as the process and no
collection walks it again) and the young generation holds 50,000 objects: 0.25 s in the same surge."""


def run_loop(main: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` on uvloop where it is installed (the same event loop, with less CPU per socket
    event: a surge is mostly socket events), with ``SWITCH_INTERVAL_S`` and ``GC_THRESHOLDS`` while it
    runs, and the heap built by the imports frozen out of the collector's view."""
    previous, thresholds = sys.getswitchinterval(), gc.get_threshold()
    freeze = gc.get_freeze_count() == 0  # a heap someone else froze (a test run) is theirs to unfreeze
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    if freeze:
        gc.collect()
        gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        with asyncio.Runner(loop_factory=uvloop.new_event_loop if uvloop is not None else None) as runner:
            return runner.run(main)
    finally:
        gc.set_threshold(*thresholds)
        if freeze:
            gc.unfreeze()
        sys.setswitchinterval(previous)
