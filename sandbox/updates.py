"""One bot's queue of updates: numbering, ``allowed_updates`` filtering, confirmation by ``offset``
and long polling (a newer ``getUpdates`` ends a waiting one with 409, like Telegram)."""

from __future__ import annotations

import asyncio
import itertools
from collections import deque
from typing import Any

from sandbox.errors import conflict

JSON = dict[str, Any]

# Telegram's default when allowed_updates is empty: everything except these.
_OPT_IN_TYPES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


def update_type(update: JSON) -> str:
    return next((key for key in update if key != "update_id"), "")


class UpdateQueue:
    def __init__(self) -> None:
        self._pending: deque[tuple[int, JSON]] = deque()
        self._ids = itertools.count(1)
        self._last_id = 0
        self._changed = asyncio.Event()
        self._poll_generation = 0
        self._ended_by = "other getUpdates request"
        self._closed = False
        self.allowed: frozenset[str] = frozenset()
        self.filtered = 0
        self.delivered = 0

    def __len__(self) -> int:
        return len(self._pending)

    def next_id(self) -> int:
        self._last_id = max(self._last_id + 1, next(self._ids))
        return self._last_id

    def set_allowed(self, allowed: list[str] | None) -> None:
        """None keeps the previous setting (as Telegram does); [] means the default set."""
        if allowed is not None:
            self.allowed = frozenset(allowed)

    def is_allowed(self, kind: str) -> bool:
        return kind in self.allowed if self.allowed else kind not in _OPT_IN_TYPES

    def push(self, update: JSON, *, raw: bool = False) -> int | None:
        """Queue ``update``, numbering it if it has no int ``update_id``. Returns the number, or None
        when ``allowed_updates`` filters it out (raw updates are never filtered)."""
        given = update.get("update_id")
        if isinstance(given, int) and not isinstance(given, bool):
            seq = given
            self._last_id = max(self._last_id, given)
        else:
            seq = self.next_id()
            if "update_id" not in update:
                update["update_id"] = seq
        if not raw and not self.is_allowed(update_type(update)):
            self.filtered += 1
            return None
        self._pending.append((seq, update))
        self.wake()
        return seq

    def wake(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    def confirm(self, offset: int | None) -> None:
        """Forget updates below ``offset``; a negative offset keeps only the last ``-offset``."""
        if offset is None:
            return
        if offset < 0:
            while len(self._pending) > -offset:
                self._pending.popleft()
            return
        while self._pending and self._pending[0][0] < offset:
            self._pending.popleft()

    def peek(self, limit: int) -> list[JSON]:
        return [update for _, update in itertools.islice(self._pending, limit)]

    def pop_first(self) -> None:
        if self._pending:
            self._pending.popleft()
            self.delivered += 1

    def clear(self) -> None:
        self._pending.clear()

    async def poll(self, offset: int | None, limit: int, timeout_s: float) -> list[JSON]:
        """``getUpdates``: confirm, then answer at once or wait up to ``timeout_s`` for an update."""
        self.end_polls("other getUpdates request")  # an older waiting poll ends with 409
        generation = self._poll_generation
        self.confirm(offset)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(0.0, timeout_s)
        while True:
            if generation != self._poll_generation:
                raise conflict(f"terminated by {self._ended_by}; make sure that only one bot instance is running")
            if self._pending or self._closed:
                break
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            try:
                async with asyncio.timeout(remaining):
                    await self._changed.wait()
            except TimeoutError:
                break
        return self.peek(limit)

    def end_polls(self, reason: str) -> None:
        """Waiting getUpdates calls end with 409 ``terminated by <reason>``."""
        self._poll_generation += 1
        self._ended_by = reason
        self.wake()

    async def wait_changed(self, timeout_s: float) -> None:
        try:
            async with asyncio.timeout(timeout_s):
                await self._changed.wait()
        except TimeoutError:
            return

    def close(self) -> None:
        self._closed = True
        self.wake()
