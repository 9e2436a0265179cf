"""The outbound lane's bookkeeping: its counters, a queued message, a token bucket, a chat's queue."""

from __future__ import annotations

import asyncio
import heapq
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from common.events import Outbound

logger = logging.getLogger("bot.outbound.lane")

EPS = 1e-9
PAID_RATE_PER_S, PAID_BURST = 1000.0, 50.0  # Telegram's allow_paid_broadcast: up to 1,000 messages a second


@dataclass
class LaneStats:
    sent: int = 0
    failed: int = 0
    retried: int = 0
    withdrawn: int = 0
    refused: int = 0  # not sent because the channel refused our credentials
    paid: int = 0  # safety cards sent as paid broadcasts (the free rate was exhausted)

    def count_paid(self, on_paid: Callable[[], None] | None) -> None:
        """One more paid send: logged at the first and every hundredth, and ``on_paid`` is told."""
        self.paid += 1
        if self.paid == 1 or self.paid % 100 == 0:
            logger.info("free rate exhausted: safety cards sent as paid broadcasts so far: %d", self.paid)
        if on_paid is not None:
            on_paid()


# A safety card's submission seq is this much below the others': within its priority it goes before a receipt
# or a question submitted earlier, so nothing else leaves while a safety card waits (the lane's ready order).
SAFETY_FIRST = 1 << 62


@dataclass(eq=False, slots=True)
class Item:
    priority: int
    seq: int
    message: Outbound
    future: asyncio.Future[str | None]
    retry_transient: bool
    pauses: int = 0  # RetryLater answers so far
    faults: int = 0  # Transient answers so far
    started: bool = False
    timer_at: float | None = None  # answers only: when a retried answer is due again


class Bucket:
    """A token bucket: ``capacity`` sends at once, refilled at ``rate_per_s``."""

    __slots__ = ("capacity", "rate_per_s", "tokens", "stamp")

    def __init__(self, capacity: float, rate_per_s: float, now: float) -> None:
        self.capacity, self.rate_per_s, self.tokens, self.stamp = capacity, rate_per_s, capacity, now

    def wait_s(self, now: float, want: float = 1.0) -> float:
        """Seconds until ``want`` tokens are there (0: now)."""
        if now > self.stamp:
            self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate_per_s)
            self.stamp = now
        return 0.0 if self.tokens >= want - EPS else (want - self.tokens) / self.rate_per_s


@dataclass(eq=False, slots=True)
class ChatQueue:
    key: str
    bucket: Bucket
    heap: list[tuple[int, int, Item]] = field(default_factory=list)
    busy: bool = False
    parked: bool = False
    ready_key: tuple[int, int] | None = None  # the valid ready-heap entry, if any
    timer_at: float | None = None  # the valid timer-heap entry, if any


class PaidSafety:
    """Safety cards beyond the free rate (``[outbound] paid_safety_cards``): Telegram's allow_paid_broadcast,
    at its own rate (``PAID_RATE_PER_S``), for safety cards only, never tips, questions or receipts.

    ``ready`` holds the ready-heap entries of the chats whose head was a safety card when they became ready
    (only when the utility opted in); while the free rate is exhausted the lane takes the most urgent of
    them that may still go. An entry whose chat moved on since is stale, like in the ready heap."""

    def __init__(self, allowed: bool) -> None:
        self.allowed = allowed
        self.bucket: Bucket | None = None  # made on the loop's clock at the lane's first pump
        self.ready: list[tuple[int, int, ChatQueue]] = []

    def start(self, now: float) -> None:
        self.bucket = Bucket(PAID_BURST, PAID_RATE_PER_S, now)

    @staticmethod
    def _valid(entry: tuple[int, int, ChatQueue]) -> bool:
        priority, seq, chat = entry
        return chat.ready_key == (priority, seq) and not (chat.busy or chat.parked)

    def offer(self, priority: int, seq: int, chat: ChatQueue) -> None:
        """``chat`` became ready with this head: kept if it is a safety card (stale entries before it go)."""
        if self.allowed and chat.heap[0][2].message.safety:
            while self.ready and not self._valid(self.ready[0]):
                heapq.heappop(self.ready)
            heapq.heappush(self.ready, (priority, seq, chat))

    def take(self, now: float) -> tuple[int, int, ChatQueue] | None:
        """The free rate is exhausted: the entry of the most urgent safety card that may go now, taken off;
        None if there is none or the paid rate is used up."""
        if self.bucket is None or self.bucket.wait_s(now):
            return None
        while self.ready:
            entry = heapq.heappop(self.ready)
            if self._valid(entry):
                return entry
        return None


def wake(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
