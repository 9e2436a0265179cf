"""Per-chat ordered, globally bounded update processing (design principle 6).

PTB's `concurrent_updates` processes updates concurrently but gives no order within a chat: two
quick messages of one resident ("gas smell" then the address) could be handled out of order.
`ChatOrderedProcessor` keeps each chat's updates strictly in arrival order and runs different chats
concurrently, at most ``max_concurrent_updates`` at a time.

How: every key (chat) has a chain of futures, one per update in flight. An update waits for the
future of the update that arrived before it in the same chat, *then* takes a global slot, runs, and
resolves its own future. Waiting on a predecessor never holds a slot, so a busy chat cannot starve
the others or deadlock the pool. A chat's entry is dropped when its last update is done, so memory
follows the updates in flight, not the number of chats ever seen.

An update's handler may hand what it still waits for after its work is done (its replies' delivery, paced by
the outbound lane) to ``after_slot``: the update gives its slot back at once, and the chat's next update still
waits for it. So a surge whose replies queue behind the channel's limits does not hold every slot: the 257th
resident's danger text is read, and its safety card queued, while the first 256 wait for their messages.

Only updates that PTB routes through the update processor are ordered, i.e. those fed to
`Application.update_queue` (polling, webhooks); handlers with ``block=False`` and direct calls to
`Application.process_update` are not.
"""

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Hashable
from contextvars import ContextVar
from typing import Any, Final

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from handlers.convert import TelegramUpdate

logger = logging.getLogger(__name__)

SHARED_KEY: Final = "shared"
"""The key of updates with neither a chat nor a user (e.g. poll updates): they share one lane."""


_AFTER_SLOT: ContextVar[list[Awaitable[Any]] | None] = ContextVar("after_slot", default=None)


def after_slot(waiting: Awaitable[Any]) -> bool:
    """Hand ``waiting`` to the update processor running this update: the update's chat waits for it (its next
    update starts after it), without holding one of the global slots. False when no ``ChatOrderedProcessor``
    runs this update: then the caller awaits it itself."""
    pending = _AFTER_SLOT.get()
    if pending is None:
        return False
    pending.append(waiting)
    return True


def _close(waiting: list[Awaitable[Any]]) -> None:
    for item in waiting:
        if inspect.iscoroutine(item):
            item.close()


def chat_key(update: object) -> Hashable:
    """The ordering key: the effective chat id, else the effective user id, else `SHARED_KEY`.

    A private chat's id equals its user's id, so a user's chat-less updates (inline queries,
    callback queries from inline messages) are ordered with their private chat.
    """
    if isinstance(update, TelegramUpdate):
        key = update.chat_id if update.chat_id is not None else update.user_id
        return SHARED_KEY if key is None else key
    if isinstance(update, Update):
        if update.effective_chat is not None:
            return update.effective_chat.id
        if update.effective_user is not None:
            return update.effective_user.id
    return SHARED_KEY


class ChatOrderedProcessor(BaseUpdateProcessor):
    """An update processor: per-chat arrival order, chats concurrent, bounded in total.

    Args:
        max_concurrent_updates: the most updates processed at the same time (over all chats).
    """

    __slots__ = ("_tails",)

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        # key -> future of the last update that arrived for it (resolved when that one is done).
        self._tails: dict[Hashable, asyncio.Future[None]] = {}

    @property
    def active_chats(self) -> int:
        """How many keys (chats) have updates waiting or running right now."""
        return len(self._tails)

    def key_for(self, update: object) -> Hashable:
        """The ordering key of an update; override to order by something else."""
        return chat_key(update)

    async def process_update(  # type: ignore[misc]  # final in PTB; we must queue before the slot
        self,
        update: object,
        coroutine: Awaitable[Any],
    ) -> None:
        """Wait for the chat's previous update, then run within the global bound.

        BaseUpdateProcessor.process_update takes the global slot first, which would let an update
        that must wait for its chat hold a slot while waiting. The arrival order is fixed here,
        synchronously, before the first ``await``: PTB starts one task per update in queue order.
        """
        key = self.key_for(update)
        previous = self._tails.get(key)
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._tails[key] = done
        started = False
        after: list[Awaitable[Any]] = []
        try:
            if previous is not None and not previous.done():
                # shield: our cancellation must not cancel the predecessor's future.
                await asyncio.shield(previous)
            async with self._semaphore:
                started = True
                token = _AFTER_SLOT.set(after)
                try:
                    await self.do_process_update(update, coroutine)
                except BaseException:
                    _close(after)  # handed over by an update that then failed: never awaited
                    raise
                finally:
                    _AFTER_SLOT.reset(token)
            # the slot is free again; each in turn, without a task of its own (they wait for work already under
            # way, the lane's sends, so one after the other ends when the last of them does)
            for index, waiting in enumerate(after):
                try:
                    await waiting
                except Exception:
                    logger.error("update %s: what it waited for failed", key, exc_info=True)
                except asyncio.CancelledError:
                    if (task := asyncio.current_task()) is not None and task.cancelling():
                        _close(after[index + 1 :])
                        raise
                    # what it waited for was called off (a reply withdrawn), not this update: nothing to log
        finally:
            if not started and inspect.iscoroutine(coroutine):
                coroutine.close()  # cancelled before it ran: avoid "never awaited"
            if previous is None or previous.done():
                self._finish(key, done)
            else:
                # Cancelled while waiting: our successor must still wait for our predecessor.
                previous.add_done_callback(lambda _: self._finish(key, done))

    def _finish(self, key: Hashable, done: asyncio.Future[None]) -> None:
        if not done.done():
            done.set_result(None)
        if self._tails.get(key) is done:
            del self._tails[key]

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run the update's handlers (exceptions there are PTB's error handlers' business)."""
        await coroutine

    async def initialize(self) -> None:
        """Nothing to allocate."""

    async def shutdown(self) -> None:
        """Nothing to free; `Application.stop` has already awaited the updates in flight."""
        if self._tails:
            logger.warning("Update processor shut down with %d chats still in flight", len(self._tails))
