"""Helpers for the broadcast tests: many subscribers at once, a counting fake channel."""

from __future__ import annotations

import asyncio
import sys
from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path

from bot.config.broadcast import BroadcastConfig
from bot.config.settings import OutboundConfig, Settings, load_settings
from bot.outbound.delivery import Blocked, Rejected, RetryLater
from common.events import Outbound, Text
from storage.db import Database, to_db
from tests.kit.botproc import REPO
from tests.kit.settings import settings_dict

FAST = OutboundConfig(global_rate_per_s=100_000, private_burst=5, private_rate_per_s=100.0)
FIRST_ID = 100_000  # subscribers' chat ids start here
# No quiet hours: a tip goes whenever the test runs (the default, 21:00-08:00 in the utility's zone, would hold
# it for half the day); a [broadcast] section's keys
QUIET_HOURS_OFF = {"quiet_start": "00:00", "quiet_end": "00:00"}
TIP = "Spring Festival: check the hose of your stove"


def broadcast_changed(config: BroadcastConfig, **changes: object) -> BroadcastConfig:
    """``config`` with ``changes`` (a [broadcast] section's keys, ``QUIET_HOURS_OFF`` among them), validated."""
    return BroadcastConfig.model_validate({**config.model_dump(), **changes})


def fast_settings(db_path: object, *, rate_per_s: float = 20_000, **extra: object) -> Settings:
    data = settings_dict(db_path, **extra)  # type: ignore[arg-type]
    data["outbound"] = FAST.model_dump()
    data.setdefault("reminders", {})
    data["reminders"] = {"rate_per_s": rate_per_s, **data["reminders"]}
    return load_settings(None, data)


async def add_subscribers(db: Database, count: int, now: datetime, *, first: int = FIRST_ID) -> list[str]:
    """``count`` subscribed residents, every third one English; returns their chat ids."""
    chats = [str(first + i) for i in range(count)]
    async with db._transaction() as tx:
        await tx.executemany(
            "INSERT INTO people (channel, external_id, name, lang, created_at) VALUES ('telegram', ?, 'r', ?, ?)",
            [(chat, "en" if i % 3 == 0 else "zh", to_db(now)) for i, chat in enumerate(chats)],
        )
    return chats


class FakeChannel:
    """A ``Sender`` that counts texts per chat; some chats blocked or unknown; optional 429 bursts."""

    def __init__(
        self,
        *,
        blocked: Iterable[str] = (),
        unknown: Iterable[str] = (),
        latency_s: float = 0.0,
    ) -> None:
        self.blocked, self.unknown, self.latency_s = set(blocked), set(unknown), latency_s
        self.received: Counter[str] = Counter()
        self.log: list[Outbound] = []
        self.burst = 0
        self.retry_after_s = 0.05
        self.retry_answers = 0
        self.gate: asyncio.Event | None = None  # when set up, sends wait for it

    async def send(self, message: Outbound) -> str | None:
        if self.gate is not None:
            await self.gate.wait()
        if self.latency_s:
            await asyncio.sleep(self.latency_s)
        if self.burst > 0:
            self.burst -= 1
            self.retry_answers += 1
            raise RetryLater(self.retry_after_s)
        if message.chat in self.blocked:
            raise Blocked("Forbidden: bot was blocked by the user")
        if message.chat in self.unknown:
            raise Rejected("Bad Request: chat not found")
        self.log.append(message)
        if isinstance(message, Text):
            self.received[message.chat] += 1
        return str(len(self.log))

    @property
    def total(self) -> int:
        return sum(self.received.values())


EXPECTED = {
    "spring_festival_travel": {2027: date(2027, 1, 29), 2028: date(2028, 1, 18)},  # break 5 Feb / 25 Jan - 7
    "spring_festival": {2027: date(2027, 2, 3), 2028: date(2028, 1, 23)},  # break - 2
    "lantern_festival": {2027: date(2027, 2, 20), 2028: date(2028, 2, 9)},
    "consumer_rights_day": {2027: date(2027, 3, 15), 2028: date(2028, 3, 15)},
    "qingming_travel": {2027: date(2027, 4, 1), 2028: date(2028, 4, 2)},  # break 3 Apr / 4 Apr - 2
    "disaster_prevention_day": {2027: date(2027, 5, 12), 2028: date(2028, 5, 12)},
    "safety_month": {2027: date(2027, 6, 1), 2028: date(2028, 6, 1)},
    "safety_consultation_day": {2027: date(2027, 6, 16), 2028: date(2028, 6, 16)},
    "summer_rainy_season": {2027: date(2027, 6, 20), 2028: date(2028, 6, 20)},
    "summer_heat": {2027: date(2027, 7, 15), 2028: date(2028, 7, 15)},
    "school_canteens": {2027: date(2027, 8, 28), 2028: date(2028, 8, 28)},
    "mid_autumn_eve": {2027: date(2027, 9, 14)},
    "national_day_eve": {2027: date(2027, 9, 30)},
    "mid_autumn_national_day": {2028: date(2028, 9, 29)},  # the break starts on Saturday 30 September
    "heating_season-all": {2027: date(2027, 10, 15), 2028: date(2028, 10, 15)},  # the default region's day
    "winter_inspection": {2027: date(2027, 11, 1), 2028: date(2028, 11, 1)},
    "fire_safety_day": {2027: date(2027, 11, 9), 2028: date(2028, 11, 9)},
    "co_season": {2027: date(2027, 12, 1), 2028: date(2028, 12, 1)},
    "co_midwinter": {2027: date(2027, 1, 15), 2028: date(2028, 1, 15)},
}


async def queue_broadcast(config: Path, env: dict[str, str]) -> None:
    """``hotline broadcast send --no-wait``, as a separate process (what an admin runs)."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "broadcast",
        "send",
        "--text",
        TIP,
        "--no-wait",
        "--config",
        str(config),
        cwd=REPO,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(proc.communicate(), timeout=30)
    assert proc.returncode == 0, out.decode(errors="replace")
    assert b"queued" in out, out
