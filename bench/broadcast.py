"""Broadcast at the cap: the whole bot with ``subscribers`` residents (tips on) seeded into its database
before it starts and ``[broadcast] rate_per_s`` raised to ``cap_per_s``. The broadcast is recorded in the
database from outside, as ``hotline broadcast send`` does, and the running bot's broadcaster finds and
sends it. Measured at the stand-in: the achieved rate (first to last delivery) over the cap.

With ``surge_residents``, once the broadcast is under way that many residents (none of them subscribers
yet) each write "strong smell of gas", ``surge_per_s`` a second: the time from each text to its safety card
reaching the stand-in, while the broadcast keeps running at the cap.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from bench.memory import FIRST_SUBSCRIBER, seed
from bench.standin import Peer, Standin, now
from bot.broadcast.audience import add_broadcast
from bot.cli.demo import LEAD, MEMBER, OTHER_CREW, sandbox_settings
from bot.clock import SystemClock
from bot.config.settings import CONFIGURED_CHANNEL
from bot.danger.cards import gas_card
from storage.broadcasts import BroadcastsRepo
from storage.db import Database

MARK = "BENCH-TIP"  # in both languages' text: tells broadcast messages apart
TEXTS = {"zh": f"春节燃气安全提示：出门关阀。{MARK}", "en": f"Spring Festival gas safety: close the valve. {MARK}"}
DANGER_TEXT = "There is a strong smell of gas in my kitchen"
FIRST_RESIDENT = 200_000


@dataclass
class BroadcastResult:
    subscribers: int
    cap_per_s: float
    delivered: int = 0
    first_s: float = 0.0
    last_s: float = 0.0
    card_latencies_s: list[float] = field(default_factory=list)
    surge_window_rate_per_s: float = 0.0  # the broadcast's rate while the surge's texts came in
    failures: list[str] = field(default_factory=list)

    @property
    def achieved_per_s(self) -> float:
        span = self.last_s - self.first_s
        return (self.delivered - 1) / span if self.delivered > 1 and span > 0 else 0.0


def broadcast_section(cap_per_s: float, max_in_flight: int) -> dict[str, Any]:
    # quiet hours off: the bench may run at night, and a tip would wait for the morning
    return {"rate_per_s": cap_per_s, "max_in_flight": max_in_flight, "quiet_start": "00:00", "quiet_end": "00:00"}


async def _queue_broadcast(db_path: Path, stand_in: Standin, section: dict[str, Any]) -> None:
    """What ``hotline broadcast send --no-wait`` does: record it; the running bot's broadcaster picks it up."""
    urls = SimpleNamespace(base_url=f"{stand_in.root}/bot", base_file_url=f"{stand_in.root}/file/bot")
    settings = sandbox_settings(urls, db_path, lang="en", broadcast=section)  # type: ignore[arg-type]
    db = await Database.open(db_path, migrate=False)
    try:
        now = SystemClock().now()
        await db.run(
            lambda tx: add_broadcast(
                BroadcastsRepo(tx),
                settings,
                kind="tip",
                audience="subscribers",
                texts=TEXTS,
                now=now,
                channel=CONFIGURED_CHANNEL,
            )
        )
    finally:
        await db.close()


def _delivered(stand_in: Standin, chats: range) -> int:
    counts = stand_in.counts
    return sum(1 for chat in chats if counts.get(chat))


async def _resident(stand_in: Standin, user: int, card: str, at: float, timeout_s: float) -> float:
    loop = asyncio.get_running_loop()
    if (delay := at - loop.time()) > 0:
        await asyncio.sleep(delay)
    sent = now()
    await stand_in.sandbox.send_text(user, DANGER_TEXT)
    seen = 0
    while True:
        messages = stand_in.sandbox.messages(user)
        for message in messages[seen:]:
            if (message.text or "").startswith(card):  # the card, which asks where after its advice
                return message.sent_at - sent
        seen = len(messages)
        await stand_in.wait_count(user, seen + 1, timeout_s)


async def run_broadcast(
    db_path: Path,
    *,
    latency_ms: float,
    subscribers: int,
    cap_per_s: float,
    max_in_flight: int,
    surge_residents: int = 0,
    surge_per_s: float = 100.0,
    surge_after: int = 3_000,
    timeout_s: float = 180.0,
) -> BroadcastResult:
    result = BroadcastResult(subscribers, cap_per_s)
    await seed(db_path, subscribers=subscribers, tickets=0)
    section = broadcast_section(cap_per_s, max_in_flight)
    chats = range(FIRST_SUBSCRIBER, FIRST_SUBSCRIBER + subscribers)
    overrides = json.dumps({"broadcast": section})
    async with Standin(latency_ms) as stand_in, Peer("hotline", str(db_path), overrides) as peer:
        sb = stand_in.sandbox
        for user_id in (LEAD, MEMBER, OTHER_CREW):
            sb.create_user(user_id, first_name=f"Crew {user_id}", language_code="en")
        for chat in chats:
            sb.create_user(chat, first_name="Subscriber", language_code="zh-hans")
        residents = [FIRST_RESIDENT + i for i in range(surge_residents)]
        for user_id in residents:
            sb.create_user(user_id, first_name=f"Resident {user_id}", language_code="en")
        await peer.start(stand_in.root)
        await sb.wait_idle(quiet_s=0.2, timeout_s=10)
        await _queue_broadcast(db_path, stand_in, section)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        surge: asyncio.Future[list[float | BaseException]] | None = None
        window: tuple[float, int, float, int] | None = None  # (time, delivered) at the surge's start and end
        card = gas_card("en")
        while (delivered := _delivered(stand_in, chats)) < subscribers and loop.time() < deadline:
            if residents and surge is None and delivered >= min(surge_after, subscribers // 4):
                start = loop.time()
                window = (now(), delivered, 0.0, 0)
                surge = asyncio.gather(
                    *(
                        _resident(stand_in, user, card, start + i / surge_per_s, timeout_s=60)
                        for i, user in enumerate(residents)
                    ),
                    return_exceptions=True,
                )
            if surge is not None and window is not None and not window[2] and surge.done():
                window = (window[0], window[1], now(), delivered)
            await asyncio.sleep(0.05)
        if surge is not None:
            for user, outcome in zip(residents, await surge, strict=True):
                if isinstance(outcome, BaseException):
                    result.failures.append(f"resident {user}: {type(outcome).__name__}")
                else:
                    result.card_latencies_s.append(outcome)
        if window is not None and window[2] > window[0]:
            result.surge_window_rate_per_s = (window[3] - window[1]) / (window[2] - window[0])
        stamps = [sb.messages(chat)[0].sent_at for chat in chats if stand_in.counts.get(chat)]
        result.delivered = len(stamps)
        if stamps:
            result.first_s, result.last_s = min(stamps), max(stamps)
        if result.delivered < subscribers or result.failures:
            print(
                f"  broadcast: {result.delivered}/{subscribers} delivered, {len(result.failures)} residents failed;"
                f" peer log:\n{peer.log_tail()}",
                flush=True,
            )
    return result
