"""The one outbound lane: every message to a channel leaves through here, in priority order, inside the
channel's rate limits.

Scheduling, all O(log n) per message:

- A *ready heap* of chats keyed by their head message's ``(priority, submission seq)``: the most urgent,
  oldest message of any sendable chat goes next (a safety card first in its priority: ``SAFETY_FIRST``). Button
  acknowledgements (``Answer``) are not chat messages; each one is its own ready entry, free of limits and order.
- Each chat keeps its own heap of messages and has at most one message in flight, so a chat's messages
  leave in (priority, submission) order.
- A global token bucket (``global_rate_per_s``, burst of 50 ms worth, at least 1) and a per-chat token
  bucket whose size and rate the channel gives (``Pacing``: what is a group, how private chats and groups
  are paced; Telegram's in ``handlers.channel``).
- A chat that has no token, or that the channel paused (``RetryLater``), is *parked* on a timer heap and
  leaves the ready heap, so it never blocks other chats and nothing busy-waits.
- While the global bucket is empty, safety cards alone may go as paid broadcasts (opt-in: ``PaidSafety``).
- A heap entry is stale when the chat's head changed since; stale entries are skipped when popped.

``ChannelRefused`` (our token or address refused) stops the lane for good: every message not yet started
fails with it at once, later submissions too, and ``on_refused`` is called once (``bot.runtime`` stops the
process). Nothing more is sent with credentials the channel refuses.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import logging
from collections.abc import Callable, Sequence

from bot.config.settings import OutboundConfig
from bot.outbound.delivery import ChannelRefused, DeliveryError, NotModified, Pacing, RetryLater, Sender, Transient
from bot.outbound.lane_parts import EPS, SAFETY_FIRST, Bucket, ChatQueue, Item, LaneStats, PaidSafety, wake
from common.events import Answer, Outbound, Priority

logger = logging.getLogger(__name__)


class LaneClosed(Transient):
    """The lane stopped before this message was sent (it was not sent; a durable caller retries it)."""


class Lane:
    """The outbound lane of one channel (``bot.outbound.channels``: one per channel). ``submit`` never
    blocks; the returned future resolves to the channel's
    message id (None for acknowledgements and unchanged edits) or raises the ``DeliveryError``.

    ``RetryLater`` pauses the chat for ``after_s`` and puts the message back at the head of its chat, at
    most ``max_pauses`` times and for pauses up to ``max_pause_s`` (else the future fails with it);
    ``Transient`` is tried again after each of ``transient_backoff_s``, then fails the future.
    """

    def __init__(
        self,
        sender: Sender,
        config: OutboundConfig,
        *,
        pacing: Pacing,
        concurrency: int = 64,
        max_pauses: int = 5,
        max_pause_s: float = 60.0,
        transient_backoff_s: Sequence[float] = (0.2, 1.0),
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self._sender, self._config, self._pacing, self._concurrency = sender, config, pacing, concurrency
        self._max_pauses, self._max_pause_s = max_pauses, max_pause_s
        self._transient_backoff_s = tuple(transient_backoff_s)
        self._global: Bucket | None = None  # made on the loop's clock at the first pump
        self._paid = PaidSafety(config.paid_safety_cards)  # safety cards beyond the free rate
        self._ready: list[tuple[int, int, ChatQueue | Item]] = []
        self._timers: list[tuple[float, int, ChatQueue | Item]] = []
        self._chats: dict[str, ChatQueue] = {}
        self._by_future: dict[asyncio.Future[str | None], Item] = {}
        self._backlog = [0] * (max(Priority) + 1)
        self._inflight = self._seq = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self._runner: asyncio.Task[None] | None = None
        self._wakeup: asyncio.Future[None] | None = None
        self._drained = asyncio.Event()
        self._closed = False
        self.stats = LaneStats()
        self.refused: ChannelRefused | None = None
        self.on_refused: Callable[[ChannelRefused], None] | None = None
        self.on_paid: Callable[[], None] | None = None  # a safety card went out as a paid broadcast

    async def start(self) -> None:
        if self._runner is None:
            self._closed = False
            self._runner = asyncio.get_running_loop().create_task(self._run(), name="outbound-lane")

    @property
    def running(self) -> bool:
        """Its task runs (started, not stopped, not crashed)."""
        return self._runner is not None and not self._runner.done()

    async def stop(self, *, drain_s: float = 5.0) -> None:
        """Refuse new messages, let queued ones go out for up to ``drain_s``, then cancel the rest: their
        futures fail with ``LaneClosed`` (a send already under way is cancelled too)."""
        self._closed = True
        if self._runner is not None and drain_s > 0 and not self._drained.is_set():
            self._poke()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._drained.wait(), drain_s)
        if self._runner is not None:
            self._runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._runner
            self._runner = None
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for item in list(self._by_future.values()):
            self._settle(item, LaneClosed("the outbound lane stopped"))
        for held in (self._ready, self._paid.ready, self._timers, self._chats):
            held.clear()
        self._backlog = [0] * len(self._backlog)

    def submit(self, message: Outbound, *, retry_transient: bool = True) -> asyncio.Future[str | None]:
        """Queue ``message``; never blocks. ``retry_transient=False`` hands a ``Transient`` straight back."""
        future: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()
        if self.refused is not None:
            future.set_exception(self.refused)
            return future
        if self._closed:
            future.set_exception(LaneClosed("the outbound lane is stopped"))
            return future
        self._seq += 1
        seq = self._seq - SAFETY_FIRST if message.safety else self._seq
        item = self._by_future[future] = Item(int(message.priority), seq, message, future, retry_transient)
        self._enqueue(item)
        self._drained.clear()
        self._poke()
        return future

    def withdraw(self, future: asyncio.Future[str | None]) -> bool:
        """Cancel a submitted message if its send has not started; False if it started or is finished."""
        item = self._by_future.get(future)
        if item is None or item.started:
            return False
        future.cancel()
        return True

    def backlog(self, priority: Priority) -> int:
        """Messages of ``priority`` not sent yet (rate-limited ones too; withdrawn ones until reached)."""
        return self._backlog[priority]

    def waiting(self, chat: str) -> bool:
        """Something for ``chat`` is queued or being sent (it has not had everything it was sent yet)."""
        queue = self._chats.get(chat)
        return queue is not None and (bool(queue.heap) or queue.busy)

    @property
    def in_flight(self) -> int:
        return self._inflight

    # -- queues and timers ----------------------------------------------------------------------

    def _poke(self) -> None:
        if self._wakeup is not None and not self._wakeup.done():
            self._wakeup.set_result(None)

    def _enqueue(self, item: Item) -> None:
        self._backlog[item.priority] += 1
        if isinstance(item.message, Answer):
            heapq.heappush(self._ready, (item.priority, item.seq, item))
            return
        chat = self._chats.get(item.message.chat)
        if chat is None:
            pace = self._pacing.pace(item.message.chat)
            bucket = Bucket(pace.burst, pace.rate_per_s, asyncio.get_running_loop().time())
            chat = self._chats[item.message.chat] = ChatQueue(item.message.chat, bucket)
        heapq.heappush(chat.heap, (item.priority, item.seq, item))
        if not chat.busy and not chat.parked:
            self._make_ready(chat)

    def _make_ready(self, chat: ChatQueue) -> None:
        if chat.heap and chat.ready_key != chat.heap[0][:2]:
            priority, seq, _ = chat.heap[0]
            chat.ready_key = (priority, seq)
            heapq.heappush(self._ready, (priority, seq, chat))
            self._paid.offer(priority, seq, chat)

    def _set_timer(self, target: ChatQueue | Item, when: float) -> None:
        target.timer_at = when
        self._seq += 1
        heapq.heappush(self._timers, (when, self._seq, target))

    def _park(self, chat: ChatQueue, until: float) -> None:
        if not (chat.parked and chat.timer_at is not None and chat.timer_at >= until):
            chat.parked, chat.ready_key = True, None
            self._set_timer(chat, until)

    def _idle(self, chat: ChatQueue, now: float) -> None:
        """A chat with nothing queued: forget it once its bucket is full again."""
        full_in = chat.bucket.wait_s(now, chat.bucket.capacity)
        if full_in:
            self._set_timer(chat, now + full_in)
        else:
            chat.timer_at = None
            del self._chats[chat.key]

    def _release_timers(self, now: float) -> None:
        timers = self._timers
        while timers and timers[0][0] <= now + EPS:
            when, _, target = heapq.heappop(timers)
            if target.timer_at != when:
                continue  # stale
            target.timer_at = None
            if isinstance(target, Item):
                heapq.heappush(self._ready, (target.priority, target.seq, target))
            elif not target.busy and self._chats.get(target.key) is target:
                target.parked = False
                if target.heap:
                    self._make_ready(target)
                else:
                    self._idle(target, now)

    def _settle(self, item: Item, exc: BaseException | None = None, result: str | None = None) -> None:
        self._by_future.pop(item.future, None)
        if not item.future.done():
            if exc is None:
                item.future.set_result(result)
            else:
                item.future.set_exception(exc)

    def _skip_withdrawn(self, item: Item) -> None:
        self._backlog[item.priority] -= 1
        self._by_future.pop(item.future, None)
        self.stats.withdrawn += 1

    # -- the dispatcher -------------------------------------------------------------------------

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            delay = self._pump(loop.time())
            if not self._inflight and not any(self._backlog):
                self._drained.set()
            wakeup = self._wakeup = loop.create_future()
            handle = None if delay is None else loop.call_later(delay, wake, wakeup)
            try:
                await wakeup
            finally:
                self._wakeup = None
                if handle is not None:
                    handle.cancel()

    def _pump(self, now: float) -> float | None:
        """Start every send that may start now; returns how long until that may change (None: unknown)."""
        self._release_timers(now)
        if self._global is None:
            rate = self._config.global_rate_per_s
            self._global = Bucket(max(1.0, rate / 20), rate, now)  # a burst of 50 ms, at least one
            self._paid.start(now)
        bucket, ready = self._global, self._ready
        while ready and self._inflight < self._concurrency:
            paid = bool(bucket.wait_s(now))  # the free rate is exhausted: only a paid safety card may go
            entry = self._paid.take(now) if paid else heapq.heappop(ready)
            if entry is None:
                break
            priority, seq, target = entry
            if isinstance(target, Item):
                if target.future.cancelled():
                    self._skip_withdrawn(target)
                else:
                    self._start(None, target)
                continue
            chat = target
            if chat.ready_key != (priority, seq) or chat.busy or chat.parked:
                continue  # stale
            chat.ready_key = None
            while chat.heap and chat.heap[0][2].future.cancelled():
                self._skip_withdrawn(heapq.heappop(chat.heap)[2])
            if not chat.heap:
                self._idle(chat, now)
            elif chat.heap[0][:2] != (priority, seq):
                self._make_ready(chat)
            elif wait_s := chat.bucket.wait_s(now):
                self._park(chat, now + wait_s)
            else:
                chat.bucket.tokens -= 1
                self._start(chat, heapq.heappop(chat.heap)[2], paid=paid)
        delay = max(0.0, self._timers[0][0] - now) if self._timers else None
        if ready and self._inflight < self._concurrency and (refill := bucket.wait_s(now)):
            delay = refill if delay is None else min(delay, refill)
        return delay

    def _start(self, chat: ChatQueue | None, item: Item, *, paid: bool = False) -> None:
        assert self._global is not None and self._paid.bucket is not None
        (self._paid.bucket if paid else self._global).tokens -= 1
        self._backlog[item.priority] -= 1
        item.started = True
        self._inflight += 1
        if chat is not None:
            chat.busy = True
        task = asyncio.get_running_loop().create_task(self._deliver(chat, item, paid))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver(self, chat: ChatQueue | None, item: Item, paid: bool) -> None:
        retry_in: float | None = None  # put the message back after this long
        pause_chat = 0.0
        message_id: str | None = None
        try:
            message_id = await self._sender.send(
                item.message.model_copy(update={"paid": True}) if paid else item.message
            )
        except NotModified:
            pass  # an edit that changes nothing: delivered
        except RetryLater as exc:
            item.pauses += 1
            pause_chat = max(0.0, exc.after_s)  # the whole chat waits, whatever becomes of this message
            if item.pauses <= self._max_pauses and pause_chat <= self._max_pause_s:
                retry_in = pause_chat
            else:
                self._fail(item, exc)
        except ChannelRefused as exc:
            self._fail(item, exc)
            self.refuse(exc)
        except Transient as exc:
            if item.retry_transient and item.faults < len(self._transient_backoff_s):
                retry_in = pause_chat = self._transient_backoff_s[item.faults]
                item.faults += 1
            else:
                self._fail(item, exc)
        except DeliveryError as exc:
            self._fail(item, exc)
        except asyncio.CancelledError:
            self._settle(item, LaneClosed("the outbound lane stopped during the send"))
            raise
        except Exception as exc:  # a bug in the sender: the lane goes on, the caller decides
            logger.exception("sender raised an unexpected error")
            self._fail(item, exc)
        finally:
            self._inflight -= 1
            if chat is not None:
                chat.busy = False
            self._poke()
        if not item.future.done() and retry_in is None:
            self.stats.sent += 1
            if paid:
                self.stats.count_paid(self.on_paid)
            self._settle(item, result=message_id)
        now = asyncio.get_running_loop().time()
        if retry_in is not None and self.refused is not None:
            self._fail(item, self.refused)
            retry_in = None
        if retry_in is not None:
            self.stats.retried += 1
            item.started = False
            if item.future.cancelled():
                self._by_future.pop(item.future, None)
            elif chat is None:
                self._backlog[item.priority] += 1
                self._set_timer(item, now + retry_in)
            else:
                self._backlog[item.priority] += 1
                heapq.heappush(chat.heap, (item.priority, item.seq, item))
        if chat is not None:
            if pause_chat:
                self._park(chat, now + pause_chat)
            elif not chat.parked:
                if chat.heap:
                    self._make_ready(chat)
                else:
                    self._idle(chat, now)

    def _fail(self, item: Item, exc: BaseException) -> None:
        self.stats.failed += 1
        self._settle(item, exc)

    def refuse(self, exc: ChannelRefused) -> None:
        """The channel refused our credentials: fail every message not yet started, take no more."""
        if self.refused is not None:
            return
        self.refused = exc
        dropped: list[Item] = []
        for chat in self._chats.values():
            dropped += [entry[2] for entry in chat.heap]
            chat.heap.clear()
            chat.ready_key = None
        dropped += [entry[2] for entry in self._ready if isinstance(entry[2], Item)]
        dropped += [entry[2] for entry in self._timers if isinstance(entry[2], Item) and entry[2].timer_at == entry[0]]
        self._ready = [entry for entry in self._ready if not isinstance(entry[2], Item)]
        heapq.heapify(self._ready)
        for item in dropped:
            item.timer_at = None
            self._backlog[item.priority] -= 1
            if not item.future.done():
                self.stats.refused += 1
            self._settle(item, exc)
        self._poke()
        if self.on_refused is not None:
            try:
                self.on_refused(exc)
            except Exception:  # the lane must go on failing messages whatever the callback does
                logger.exception("lane: the on_refused callback failed")
