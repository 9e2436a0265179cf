"""Live updates: one poller reads the audit trail's newest id; every open page hears of a change by a
server-sent event (``change``) within ``[board] poll_s`` and fetches its panels again.

The stream re-checks the signed-in person at each event and at least every ``RECHECK_S``: a staff member
whose role is taken away is told ``signedout`` and the stream ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp_sse import sse_response

from common.errors import StorageError
from storage.board import BoardReader
from storage.db import Database

logger = logging.getLogger(__name__)

RECHECK_S = 10.0


class Changes:
    """The newest audit-trail id seen, and a way to wait until it moves (or the board stops)."""

    def __init__(self) -> None:
        self.last = 0
        self.closing = False
        self._moved = asyncio.Condition()

    async def publish(self, last: int) -> None:
        async with self._moved:
            self.last = last
            self._moved.notify_all()

    async def close(self) -> None:
        async with self._moved:
            self.closing = True
            self._moved.notify_all()

    async def wait_past(self, seen: int, timeout_s: float) -> int:
        async with self._moved:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._moved.wait_for(lambda: self.last != seen or self.closing), timeout_s)
            return self.last


async def poll(reader: Database, changes: Changes, interval_s: float) -> None:
    """Until cancelled: publish each new audit-trail id (a failed read is logged and tried again)."""
    while True:
        try:
            last = await reader.read(lambda conn: BoardReader(conn).last_change())
        except StorageError:  # a busy or locked database now and then must not stop the board
            logger.warning("the board could not read the audit trail; trying again", exc_info=True)
        else:
            if last != changes.last:
                await changes.publish(last)
        await asyncio.sleep(interval_s)


async def stream(request: web.Request, changes: Changes, allowed: Callable[[], Awaitable[bool]]) -> web.StreamResponse:
    """The ``/events`` stream of one open page."""
    async with sse_response(request) as resp:
        seen = changes.last
        try:
            await resp.send(str(seen), event="hello")
            while resp.is_connected() and not changes.closing:
                last = await changes.wait_past(seen, RECHECK_S)
                if changes.closing:
                    break
                if not await allowed():
                    await resp.send("", event="signedout")
                    break
                if last != seen:
                    seen = last
                    await resp.send(str(last), event="change")
        except ConnectionResetError:  # the page was closed or reloaded
            logger.debug("a board page went away")
    return resp
