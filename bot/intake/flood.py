"""A calm per-user limit on incoming messages.

Messages are counted per account in fixed windows (``[intake] flood_max_messages`` per
``flood_window_s``). Past the limit the person is told once, kindly, to slow down, and further messages
in that window are not acted on. A message that reports danger, and any message while an emergency
report is being filled in, always passes: a leak report is never dropped by the limit.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from bot.context import Ctx
from bot.danger.detect import Danger
from bot.intake.forms import EMERGENCY
from storage.conversations import Conversation

logger = logging.getLogger(__name__)


class Verdict:
    ALLOW = "allow"
    WARN = "warn"  # the first message over the limit: tell the person once
    DROP = "drop"


class FloodLimiter:
    """The per-account counters, in memory.

    A calm limit needs no durability: after a restart everyone simply starts a fresh window. Keeping
    the counters out of the database saves a read and a write on every incoming message. (With two
    instances each keeps its own counters; a person is then limited per instance, which is still calm.)
    """

    PRUNE_EVERY = 10_000  # windows started between sweeps of expired counters

    def __init__(self) -> None:
        self._windows: dict[tuple[str, str], list[Any]] = {}  # -> [window_start, count, warned]
        self._since_prune = 0

    def check(
        self, channel: str, user_ref: str, *, now: datetime, max_messages: int, window_s: int, exempt: bool
    ) -> str:
        """Count this message and say whether to act on it (``Verdict``)."""
        key = (channel, user_ref)
        window = self._windows.get(key)
        length = timedelta(seconds=window_s)
        if window is None or now - window[0] >= length or now < window[0]:
            self._windows[key] = [now, 1, False]
            self._since_prune += 1
            if self._since_prune >= self.PRUNE_EVERY:
                self._prune(now, length)
            return Verdict.ALLOW
        window[1] += 1
        count = window[1]
        if exempt or count <= max_messages:
            return Verdict.ALLOW
        if window[2]:
            return Verdict.DROP
        window[2] = True
        logger.info("flood limit reached by a %s user (%d messages in the window)", channel, count)
        return Verdict.WARN

    def _prune(self, now: datetime, length: timedelta) -> None:
        self._since_prune = 0
        self._windows = {k: w for k, w in self._windows.items() if timedelta(0) <= now - w[0] < length}


def admit(ctx: Ctx, danger: Danger | None, conv: Conversation | None, limiter: FloodLimiter) -> bool:
    """Should the core act on this event? Tells the person once when they are over the limit."""
    cfg = ctx.settings.intake
    emergency_report = conv is not None and conv.flow == "intake" and conv.data.get("category") in EMERGENCY
    exempt = (danger is not None and danger.any) or emergency_report or ctx.person.is_staff
    verdict = limiter.check(
        ctx.ev.channel,
        ctx.ev.user,
        now=ctx.now,
        max_messages=cfg.flood_max_messages,
        window_s=cfg.flood_window_s,
        exempt=exempt,
    )
    if verdict == Verdict.WARN:
        ctx.say("flood.slow_down")
    return verdict == Verdict.ALLOW
