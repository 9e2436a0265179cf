"""The leader's side of the webhook inbox (``storage.inbox``): the updates every instance stored, handed to the
bot in ``update_id`` order, each once, and marked handled. A new leader starts from the rows not yet handled,
as the polling bot starts from the offset Telegram kept. An update counts as handled once it is in PTB's
queue: a leader killed before processing what it queued loses those (as a polling bot loses the updates it
fetched), and the resident, without a reply, repeats. Handled updates are deleted after a day."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from datetime import timedelta

from telegram.ext import Application

from bot.clock import Clock
from common.errors import StorageError
from handlers.convert import decode_update
from handlers.safe_updates import own_username
from storage.db import Database
from storage.inbox import InboxRepo

logger = logging.getLogger(__name__)

BATCH = 100
IDLE_S = 0.05  # how often an empty inbox is read again: the first answer to a report must not wait on it
KEEP = timedelta(days=1)  # handled updates are kept this long (a late redelivery is still known), then deleted:
# they hold what residents wrote


class InboxFeeder:
    def __init__(self, app: Application, db: Database, clock: Clock) -> None:  # type: ignore[type-arg]
        self.app, self.db, self.clock = app, db, clock
        self.fed = 0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="webhook-inbox")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def feed_once(self) -> int:
        """Hand the pending updates to the bot and mark them handled; how many there were."""
        rows = await self.db.read(lambda tx: InboxRepo(tx).pending(BATCH))
        username = own_username(self.app.bot)
        for update_id, body in rows:
            try:
                data = json.loads(body)
            except ValueError:
                logger.warning("webhook inbox: update %s is not JSON; skipped", update_id)
                continue
            update = decode_update(data, username)
            if update is not None:
                await self.app.update_queue.put(update)
        if rows:
            now, ids = self.clock.now(), [update_id for update_id, _ in rows]
            await self.db.run(lambda tx: InboxRepo(tx).handled(ids, now))
            self.fed += len(rows)
        return len(rows)

    async def forget_old(self) -> int:
        """Delete the handled updates older than ``KEEP``; how many."""
        before = self.clock.now() - KEEP
        return await self.db.run(lambda tx: InboxRepo(tx).forget_before(before))

    async def _run(self) -> None:
        rounds = 0
        while True:
            try:
                if rounds % 10_000 == 0:  # at the start, then every few minutes
                    await self.forget_old()
                rounds += 1
                if await self.feed_once() == BATCH:
                    continue
            except StorageError as exc:  # the database away for a moment: the rows wait for it
                logger.warning("webhook inbox unreadable (%s); trying again", exc)
                await asyncio.sleep(1.0)
            await asyncio.sleep(IDLE_S)
