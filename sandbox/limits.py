"""Telegram-like flood limits (token buckets, 429 with ``retry_after``) and seeded fault injection.
Both are off by default and can be switched at runtime."""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

from sandbox.errors import ApiError, too_many_requests

# Calls that send or change messages: what flood limits and 429 bursts apply to.
SEND_METHODS = frozenset(
    {
        "sendmessage",
        "sendphoto",
        "sendlocation",
        "sendvenue",
        "senddocument",
        "sendvideo",
        "sendvoice",
        "sendaudio",
        "sendsticker",
        "sendcontact",
        "sendanimation",
        "sendmediagroup",
        "copymessage",
        "forwardmessage",
        "editmessagetext",
        "editmessagereplymarkup",
        "editmessagecaption",
    }
)


@dataclass(frozen=True)
class RateLimits:
    """Roughly Telegram's published limits; ``enabled=False`` switches them all off."""

    enabled: bool = True
    global_per_s: float = 30.0
    global_burst: int = 30
    private_per_s: float = 1.0
    private_burst: int = 3
    group_per_min: float = 20.0
    group_burst: int = 20
    paid_per_s: float = 1000.0  # sends with allow_paid_broadcast: their own overall rate (paid in Stars)
    paid_burst: int = 1000


@dataclass
class _Bucket:
    tokens: float
    at: float


class RateLimiter:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = RateLimits(enabled=False)
        self.clock = clock
        self._buckets: dict[object, _Bucket] = {}
        self.paid = 0  # sends let through as paid broadcasts

    def configure(self, limits: RateLimits) -> None:
        self.limits = limits
        self._buckets.clear()

    def check(self, chat_id: int | None, *, paid: bool = False) -> None:
        """Take one token from the global (a paid send: the paid one) and the chat's bucket, or raise 429."""
        limits = self.limits
        if not limits.enabled:
            self.paid += paid
            return
        now = self.clock()
        checks: list[tuple[object, float, int]] = [
            ("$", limits.paid_per_s, limits.paid_burst) if paid else ("*", limits.global_per_s, limits.global_burst)
        ]
        if chat_id is not None and chat_id > 0:
            checks.append((chat_id, limits.private_per_s, limits.private_burst))
        elif chat_id is not None:
            checks.append((chat_id, limits.group_per_min / 60.0, limits.group_burst))
        waits = []
        buckets = []
        for key, rate, burst in checks:
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = _Bucket(float(burst), now)
            bucket.tokens = min(float(burst), bucket.tokens + (now - bucket.at) * rate)
            bucket.at = now
            buckets.append(bucket)
            if bucket.tokens < 1.0:
                waits.append((1.0 - bucket.tokens) / rate)
        if waits:
            raise too_many_requests(math.ceil(max(waits)))
        for bucket in buckets:
            bucket.tokens -= 1.0
        self.paid += paid


class Fault(Enum):
    ERROR_5XX = "error_5xx"
    DELAY = "delayed"
    DROP = "dropped"
    BURST_429 = "burst_429"
    RATE_LIMITED = "rate_limited"


@dataclass(frozen=True)
class FaultConfig:
    """Fractions of calls (0..1) that fail; ``methods`` limits which (lower-case names; None = every
    method except getUpdates). Delayed calls wait ``delay_s`` and are then carried out."""

    error_rate: float = 0.0
    delay_rate: float = 0.0
    delay_s: float = 0.0
    drop_rate: float = 0.0
    latency_s: float = 0.0
    seed: int = 0
    methods: frozenset[str] | None = None


@dataclass
class FaultInjector:
    config: FaultConfig = field(default_factory=FaultConfig)
    counts: dict[str, int] = field(default_factory=lambda: {fault.value: 0 for fault in Fault})
    burst_remaining: int = 0
    burst_retry_after_s: int = 1
    _rng: random.Random = field(default_factory=lambda: random.Random(0))

    def configure(self, config: FaultConfig) -> None:
        self.config = config
        self._rng = random.Random(config.seed)

    def burst_429(self, count: int, retry_after_s: int = 1) -> None:
        """The next ``count`` send calls answer 429 with ``retry_after_s``."""
        self.burst_remaining = count
        self.burst_retry_after_s = retry_after_s

    def count(self, fault: Fault) -> None:
        self.counts[fault.value] += 1

    def pick(self, method: str) -> Fault | None:
        """The random fault for this call, if any (one RNG draw per eligible call)."""
        cfg = self.config
        if not (cfg.error_rate or cfg.delay_rate or cfg.drop_rate):
            return None
        eligible = method in cfg.methods if cfg.methods is not None else method != "getupdates"
        if not eligible:
            return None
        draw = self._rng.random()
        for fault, rate in (
            (Fault.DROP, cfg.drop_rate),
            (Fault.ERROR_5XX, cfg.error_rate),
            (Fault.DELAY, cfg.delay_rate),
        ):
            if draw < rate:
                self.count(fault)
                return fault
            draw -= rate
        return None

    def take_burst(self, method: str) -> ApiError | None:
        if self.burst_remaining <= 0 or method not in SEND_METHODS:
            return None
        self.burst_remaining -= 1
        self.count(Fault.BURST_429)
        return too_many_requests(self.burst_retry_after_s)
