"""The outbound lane's bookkeeping: its counters, a queued message, a token bucket, a chat's queue."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from common.events import Outbound

EPS = 1e-9


@dataclass
class LaneStats:
    sent: int = 0
    failed: int = 0
    retried: int = 0
    withdrawn: int = 0
    refused: int = 0  # not sent because the channel refused our credentials


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
