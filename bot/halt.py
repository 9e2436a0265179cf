"""A failure of our own (the database file gone, another instance polling the token, the token refused):
the bot stops loudly and the process exits non-zero, so a supervisor restarts it with backoff and an
operator sees why. Pending rows stay pending for the next good start."""

from __future__ import annotations

import asyncio
import logging

from common.errors import HotlineError

logger = logging.getLogger(__name__)


class Halted(HotlineError):
    """The bot stopped because of ``Halt``; the message is its reason."""


class Halt:
    """Called with a reason once something fatal is noticed; ``serve`` stops and raises ``Halted``."""

    def __init__(self) -> None:
        self.reason: str | None = None
        self.event = asyncio.Event()

    def __call__(self, reason: str) -> None:
        if self.reason is None:
            self.reason = reason
            self.event.set()

    def raise_if_halted(self) -> None:
        if self.reason is not None:
            raise Halted(self.reason)


async def first_of(*events: asyncio.Event) -> None:
    """Wait until one of ``events`` is set."""
    waiters = [asyncio.ensure_future(event.wait()) for event in events]
    try:
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
