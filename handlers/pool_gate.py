"""The transport's pool gate: at most N Bot API calls under way, the rest waiting their turn in order.

``asyncio.Semaphore`` would do, but its ``locked()`` (which its ``acquire`` calls too) looks at every
waiter, so with hundreds of replies queued for the pool in a surge each call paid for all the others
(quadratic). Here a released place is handed straight to the oldest waiter, so taking and giving back a
place cost the same however many wait.
"""

from __future__ import annotations

import asyncio
from collections import deque


class PoolGate:
    """A first-come, first-served semaphore whose ``acquire``, ``release`` and ``locked`` are O(1)."""

    __slots__ = ("_free", "_waiters")

    def __init__(self, places: int) -> None:
        if places < 1:
            raise ValueError("a pool gate needs at least one place")
        self._free = places
        # futures of the callers waiting, oldest first; a cancelled one stays until a release passes it
        self._waiters: deque[asyncio.Future[None]] = deque()

    def locked(self) -> bool:
        """True if ``acquire`` would wait (a free place is never left while someone waits for one)."""
        return self._free == 0

    async def acquire(self) -> None:
        if self._free > 0:
            self._free -= 1
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.release()  # handed a place, then cancelled before taking it: the next one has it
            raise

    def release(self) -> None:
        """Give a place back: to the oldest caller still waiting, else to the pool."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        self._free += 1
