"""The broadcaster: sends a broadcast to each of its recipients once, politely, and always after anything
more urgent.

A broadcast is a row; each recipient is a delivery row. The service lists a queued broadcast's recipients
in small transactions (the database lock is shared with emergency reports), a page at a time (never all of
them in memory), and feeds the outbound lane from the rows listed so far while it lists the rest (the first
messages leave after the first page, whatever the audience's size), in small batches: at most ``rate_per_s``
messages a second and ``max_in_flight`` at once, and nothing while the lane holds emergency, dispatch or
conversation messages. So a leak report in the middle of a broadcast to 100,000 people waits for no broadcast
message; the durable outbox is not used (it sorts every due row).

Exactly once: a row is marked ``sending`` (in one short transaction) just before it is handed to the lane,
and its outcome is recorded in batches. A row stays ``sending`` until its outcome is recorded, so the
window counts both the sends under way and the finished ones not yet recorded (``max_in_flight`` in all;
a batch is recorded at half of it). ``stop`` withdraws what the lane has not started (pending again)
and records what it has; a restart after a clean stop therefore sends everyone exactly once. After a
crash, rows still ``sending`` may or may not have reached the person: they become ``uncertain`` and are
never sent again (a tip is never sent twice); at most ``max_in_flight`` rows are exposed at any moment.

Outcomes: sent; ``Blocked`` (403) -> ``blocked`` and the person unsubscribed; ``Rejected`` (400) or
``NotStarted`` (chat not found) -> ``failed`` with the reason; ``ChannelRefused`` (our token refused) ->
pending again, no attempt counted (nothing was sent; the process stops, see ``bot.runtime``); 429s are
honoured by the lane (``retry_after``), and a send that still fails (429s or network faults) is tried again
later, ``max_attempts`` in all. Non-urgent broadcasts wait during quiet hours (local time) and go on when
they end.

Each recipient gets it on their own channel (the people table's, kept on the delivery row): a resident on
WeChat through the WeChat lane, one on Telegram through Telegram's, whatever channel the broadcast was
created on. Rows on a channel this process does not run (or whose credentials were refused) stay pending.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from datetime import datetime, timedelta

from bot.broadcast.audience import Progress, add_broadcast, in_audience, progress, quiet_hours
from bot.broadcast.calendar import apply_quiet_hours
from bot.broadcast.subscriptions import STOP_TIPS
from bot.clock import Clock
from bot.config.settings import Settings
from bot.i18n import Lang, t
from bot.outbound.channels import Lanes
from bot.outbound.delivery import Blocked, ChannelRefused, DeliveryError, Rejected, Unreachable
from common.errors import StorageError
from common.events import Button, Outbound, Photo, Priority, Text
from storage.broadcasts import Broadcast, BroadcastKind, BroadcastsRepo, Delivery, Outcome
from storage.db import Database, to_db
from storage.sync import SyncConnection

logger = logging.getLogger(__name__)

_AHEAD = (Priority.EMERGENCY, Priority.DISPATCH, Priority.CONVERSATION)
_RETRY_S = 30.0


def render(broadcast: Broadcast, chat: str, lang: str) -> list[Outbound]:
    """The messages one recipient gets: an optional picture, then the text (tips carry the stop button)."""
    priority = Priority(broadcast.priority)
    out: list[Outbound] = []
    if broadcast.photo:
        out.append(Photo(chat=chat, photo=broadcast.photo, priority=priority))
    buttons = [] if broadcast.kind == "notice" else [[Button(text=t(_lang(lang), "tips.stop_button"), data=STOP_TIPS)]]
    out.append(Text(chat=chat, text=broadcast.text(lang), buttons=buttons, priority=priority))
    return out


def _lang(code: str) -> Lang:
    return Lang.EN if code == "en" else Lang.ZH


class Broadcaster:
    """A Runtime service. Programmatic use: ``create`` -> ``wait_done`` -> ``status``."""

    def __init__(
        self,
        db: Database,
        lanes: Lanes,
        clock: Clock,
        settings: Settings,
        *,
        channel: str,  # where ``create`` says a broadcast was created (its recipients are on their own)
        poll_interval_s: float = 1.0,
        tick_s: float = 0.02,
        prepare_chunk: int = 2000,
        flush_batch: int = 200,
        stop_timeout_s: float = 5.0,
    ) -> None:
        self.db, self.lanes, self.clock, self.settings, self.channel = db, lanes, clock, settings, channel
        self.config = settings.broadcast
        self.quiet = quiet_hours(settings)
        self._poll_interval_s, self._tick_s = poll_interval_s, tick_s
        self._prepare_chunk, self._flush_batch, self._stop_timeout_s = prepare_chunk, flush_batch, stop_timeout_s
        self._inflight: dict[tuple[int, int], asyncio.Future[str | None]] = {}
        self._done: list[tuple[Delivery, asyncio.Future[str | None]]] = []
        self._woken = asyncio.Event()
        self._runner: asyncio.Task[None] | None = None
        self._tokens, self._stamp = 1.0, 0.0
        self._done_since = 0.0
        self._stopping = False
        self._flush_after_s = 0.1
        self.interrupted = 0  # rows found cut off by a crash at start

    # -- the programmatic API -------------------------------------------------------------------

    async def create(
        self,
        *,
        kind: BroadcastKind = "broadcast",
        audience: str = "subscribers",
        texts: dict[str, str],
        urgent: bool | None = None,
        photo: str | None = None,
        created_by: int | None = None,
        campaign_id: str | None = None,
    ) -> int:
        """Queue a broadcast (texts by language, "zh" at least) and wake the service; returns its id."""
        now = self.clock.now()
        broadcast_id = await self.db.run(
            lambda tx: add_broadcast(
                BroadcastsRepo(tx),
                self.settings,
                kind=kind,
                audience=audience,
                texts=texts,
                now=now,
                urgent=urgent,
                photo=photo,
                created_by=created_by,
                campaign_id=campaign_id,
                channel=self.channel,
            )
        )
        self.wake()
        return broadcast_id

    async def status(self, broadcast_id: int) -> Progress:
        return await progress(self.db, self.settings, broadcast_id, self.clock.now())

    async def wait_done(self, broadcast_id: int, *, timeout_s: float | None = None, poll_s: float = 0.05) -> Progress:
        """Wait until the broadcast is done or cancelled (``TimeoutError`` after ``timeout_s``)."""
        async with asyncio.timeout(timeout_s):
            while True:
                state = await self.status(broadcast_id)
                if state.done:
                    return state
                await asyncio.sleep(poll_s)

    async def cancel(self, broadcast_id: int) -> bool:
        now = self.clock.now()
        return await self.db.run(lambda tx: BroadcastsRepo(tx).cancel(broadcast_id, now))

    def wake(self) -> None:
        self._woken.set()

    # -- the service ------------------------------------------------------------------------------

    async def start(self) -> None:
        if self._runner is not None:
            return
        self._stopping = False
        self.interrupted = await self.db.run(lambda tx: BroadcastsRepo(tx).mark_interrupted())
        if self.interrupted:
            logger.warning("broadcast: %d deliveries were cut off by a crash; not sent again", self.interrupted)
        self._runner = asyncio.get_running_loop().create_task(self._run(), name="broadcaster")

    async def stop(self) -> None:
        """Withdraw what the lane has not started (pending again), wait for the rest, record everything."""
        if self._runner is not None:
            self._stopping = True  # the runner ends between steps: never between a claim and its submit
            self.wake()
            try:
                await asyncio.wait_for(asyncio.shield(self._runner), self._stop_timeout_s)
            except TimeoutError:
                self._runner.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._runner
            self._runner = None
        for future in list(self._inflight.values()):
            self.lanes.withdraw(future)
        if self._inflight:
            await asyncio.wait(list(self._inflight.values()), timeout=self._stop_timeout_s)
        try:
            await self._flush(force=True)
        except StorageError:
            logger.exception("broadcast: could not record the last outcomes at stop")

    async def _run(self) -> None:
        while not self._stopping:
            self._woken.clear()
            try:
                delay = await self._step()
            except StorageError:
                logger.exception("broadcast: step failed; trying again")
                delay = self._poll_interval_s
            if self._stopping:
                return
            if delay > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._woken.wait(), delay)
            else:
                await asyncio.sleep(0)

    async def _step(self) -> float:
        """One round: record outcomes, list recipients, feed the lane; returns how long to wait."""
        await self._flush(force=False)
        if not self._open_channels():
            return self._poll_interval_s  # the channels refused our credentials: nothing can be sent
        active = await self.db.read(lambda conn: BroadcastsRepo(conn).active())
        now = self.clock.now()
        delay = self._poll_interval_s
        queued = [b for b in active if b.status == "queued"]
        if queued:
            await self._prepare(queued[0], now)
            delay = 0.0
        if any(lane.backlog(p) for lane in self.lanes.values() for p in _AHEAD):
            return self._tick_s  # something more urgent is waiting: let it go first
        for broadcast in active:  # a queued one's recipients listed so far are sent while the rest are listed
            if not broadcast.urgent and (hold := self._held_until(now)) is not None:
                delay = min(delay, max(self._tick_s, (hold - now).total_seconds()))
                continue
            wait = await self._feed(broadcast, now)
            if wait is not None:
                return min(delay, wait)
        if self._done:
            delay = min(delay, self._flush_after_s)
        return delay

    def _open_channels(self) -> list[str]:
        return [name for name, lane in self.lanes.items() if lane.refused is None]

    def _held_until(self, now: datetime) -> datetime | None:
        resume = apply_quiet_hours(now, self.settings.utility.tz, self.quiet, urgent=False)
        return resume if resume > now else None

    async def _prepare(self, broadcast: Broadcast, now: datetime) -> None:
        """List one chunk of recipients (a short transaction: emergency reports share the lock)."""
        chunk = self._prepare_chunk

        async def prepare(tx: SyncConnection) -> int:
            repo = BroadcastsRepo(tx)
            batch = await repo.candidates(broadcast.audience, broadcast.prepared_upto, chunk)
            chosen = [c for c in batch if in_audience(self.settings, broadcast.audience, c)]
            upto = batch[-1].id if batch else broadcast.prepared_upto
            await repo.add_deliveries(broadcast.id, chosen, upto, complete=len(batch) < chunk, now=now)
            return len(batch)

        if await self.db.run(prepare) < chunk:
            logger.info("broadcast %s: recipients listed, sending", broadcast.id)

    def _take_tokens(self, want: int) -> int:
        loop_now = asyncio.get_running_loop().time()
        rate = self.config.rate_per_s
        burst = max(1.0, rate * self._tick_s * 2)
        self._tokens = min(burst, self._tokens + (loop_now - self._stamp) * rate)
        self._stamp = loop_now
        n = min(want, int(self._tokens))
        self._tokens -= n
        return n

    async def _feed(self, broadcast: Broadcast, now: datetime) -> float | None:
        """Hand the next rows of ``broadcast`` to the lane; None: nothing of it can go now, try the next."""
        room = self.config.max_in_flight - self._exposed()
        if room <= 0:
            return self._tick_s
        n = self._take_tokens(room)
        if n == 0:
            return max(self._tick_s / 2, (1 - self._tokens) / self.config.rate_per_s)
        channels = self._open_channels()
        rows = await self.db.run(lambda tx: BroadcastsRepo(tx).claim(broadcast.id, now, n, channels))
        self._tokens += n - len(rows)
        if not rows:
            if broadcast.status == "sending":  # every recipient listed: done once the last outcome is in
                await self._maybe_finish(broadcast, now)
            return None
        for delivery in rows:
            messages = render(broadcast, delivery.chat, delivery.lang)
            futures = [self.lanes.submit(delivery.channel, m) for m in messages]
            future = futures[-1]
            self._inflight[(delivery.broadcast_id, delivery.person_id)] = future
            future.add_done_callback(functools.partial(self._on_done, delivery))
        return self._tick_s

    def _exposed(self) -> int:
        """Rows ``sending`` in the database by this process: under way, or done and not yet recorded."""
        return len(self._inflight) + len(self._done)

    def _batch(self) -> int:
        """Outcomes recorded at once: at most half the window, so the window never waits for a timer."""
        return max(1, min(self._flush_batch, self.config.max_in_flight // 2))

    def _on_done(self, delivery: Delivery, future: asyncio.Future[str | None]) -> None:
        self._inflight.pop((delivery.broadcast_id, delivery.person_id), None)
        if not self._done:
            self._done_since = asyncio.get_running_loop().time()
        self._done.append((delivery, future))
        if len(self._done) >= self._batch():
            self.wake()  # recorded at the next step: room in the window again, feed now rather than later

    async def _maybe_finish(self, broadcast: Broadcast, now: datetime) -> None:
        if any(key[0] == broadcast.id for key in self._inflight) or any(
            d.broadcast_id == broadcast.id for d, _ in self._done
        ):
            return

        async def finish(tx: SyncConnection) -> dict[str, int] | None:
            repo = BroadcastsRepo(tx)
            if await repo.outstanding(broadcast.id):  # rows waiting for a retry: not yet (and no count)
                return None
            counts = await repo.counts(broadcast.id)
            await repo.finish(broadcast.id, counts, now)
            return counts

        counts = await self.db.run(finish)
        if counts is None:
            return
        logger.info(
            "broadcast %s done: %d sent, %d blocked, %d failed, %d uncertain",
            broadcast.id,
            counts.get("sent", 0),
            counts.get("blocked", 0),
            counts.get("failed", 0),
            counts.get("uncertain", 0),
        )

    async def _flush(self, *, force: bool) -> None:
        if not self._done:
            return
        age = asyncio.get_running_loop().time() - self._done_since
        if not force and len(self._done) < self._batch() and self._inflight and age < self._flush_after_s:
            return
        done, self._done = self._done, []
        now = self.clock.now()
        outcomes: list[Outcome] = []
        withdrawn: list[tuple[int, int]] = []
        blocked: list[int] = []
        for delivery, future in done:
            key = (delivery.broadcast_id, delivery.person_id)
            if future.cancelled():
                withdrawn.append(key)
                continue
            exc = future.exception()
            if isinstance(exc, ChannelRefused):
                withdrawn.append(key)  # not sent: pending again for the next start
                continue
            if exc is None:
                outcomes.append((*key, "sent", future.result(), None, now))
            elif isinstance(exc, Blocked):
                outcomes.append((*key, "blocked", f"{type(exc).__name__}: {exc}", None, now))
                blocked.append(delivery.person_id)
            elif isinstance(exc, Rejected | Unreachable) or delivery.attempts + 1 >= self.config.max_attempts:
                outcomes.append((*key, "failed", f"{type(exc).__name__}: {exc}", None, now))
            else:
                if not isinstance(exc, DeliveryError):
                    logger.error("broadcast: unexpected send error %s", type(exc).__name__)
                retry_at = now + timedelta(seconds=_RETRY_S * (delivery.attempts + 1))
                outcomes.append((*key, "pending", f"{type(exc).__name__}: {exc}", to_db(retry_at), now))

        async def settle(tx: SyncConnection) -> None:
            repo = BroadcastsRepo(tx)
            await repo.settle(outcomes)
            await repo.unclaim(withdrawn)
            if blocked:
                await repo.unsubscribe_blocked(blocked, now)

        await self.db.run(settle)
        if blocked:
            logger.info("broadcast: %d recipients blocked the bot; unsubscribed", len(blocked))
