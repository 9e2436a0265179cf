"""The outbound lane's tests (in virtual time, ``tests.kit.virtual_time``): a sender that records its calls
(and which of them were paid for), the configurations, a started lane."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.config.settings import OutboundConfig
from bot.outbound.lane import Lane
from common.events import Answer, Outbound, Priority, Text
from handlers.channel import TelegramPacing

DEFAULTS = OutboundConfig()  # 28/s overall, private 3 then 1/s, groups 19/min
UNLIMITED = OutboundConfig(global_rate_per_s=1e9, private_burst=10**9, private_rate_per_s=1e9, group_rate_per_min=1e12)


def now() -> float:
    return asyncio.get_running_loop().time()


class FakeSender:
    """Records (start time, chat, text) of every send; ``script[text]`` lists errors to raise first."""

    def __init__(self, latency_s: float = 0.01) -> None:
        self.latency_s = latency_s
        self.calls: list[tuple[float, str, str]] = []
        self.script: dict[str, list[Exception]] = {}
        self.always: dict[str, Exception] = {}
        self.paid: list[str] = []  # what went with Telegram's allow_paid_broadcast

    async def send(self, message: Outbound) -> str | None:
        key = message.text if isinstance(message, Text | Answer) else message.type
        self.calls.append((now(), message.chat, key))
        if message.paid:
            self.paid.append(key)
        await asyncio.sleep(self.latency_s)
        if key in self.always:
            raise self.always[key]
        errors = self.script.get(key)
        if errors:
            raise errors.pop(0)
        return None if isinstance(message, Answer) else f"id-{key}"

    def texts(self, chat: str | None = None) -> list[str]:
        return [text for _, c, text in self.calls if chat is None or c == chat]

    def times(self, chat: str) -> list[float]:
        return [t for t, c, _ in self.calls if c == chat]


def text(chat: str, body: str, priority: Priority = Priority.CONVERSATION) -> Text:
    return Text(chat=chat, text=body, priority=priority)


async def started(sender: FakeSender, config: OutboundConfig = DEFAULTS, **kw: Any) -> Lane:
    lane = Lane(sender, config, pacing=TelegramPacing(config), **kw)
    await lane.start()
    return lane
