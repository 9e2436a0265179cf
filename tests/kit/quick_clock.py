"""A clock that runs faster than the wall clock: for a real worker (the outbox's) whose waits are written in
seconds of its clock, so a Retry-After of a second or a backoff of a few tenths passes in a fraction of that
while the worker's own code (it compares the clock with each row's due time) runs unchanged."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta


class QuickClock:
    """``now()`` moves ``speed`` seconds per real second (1: as fast as the system clock); ``speed`` may change
    at any time, and the clock never goes back."""

    def __init__(self, speed: float = 1.0) -> None:
        self._base = datetime.now(UTC)
        self._since = time.monotonic()
        self._speed = speed

    @property
    def speed(self) -> float:
        return self._speed

    @speed.setter
    def speed(self, speed: float) -> None:
        self._base, self._since, self._speed = self.now(), time.monotonic(), speed

    def now(self) -> datetime:
        return self._base + timedelta(seconds=(time.monotonic() - self._since) * self._speed)
