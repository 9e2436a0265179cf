"""The outbox worker with two channels: each row leaves through the lane of its own channel."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from bot.clock import SystemClock
from bot.config.settings import OutboundConfig
from bot.outbound.channels import Channel, Lanes, UnknownChannel
from bot.outbound.delivery import Pace
from bot.outbound.outbox import OutboxWorker
from common.events import Outbound, Text
from handlers.channel import TelegramPacing
from storage.db import Database
from storage.outbox import OutboxRepo, OutboxRow

FAST = OutboundConfig(global_rate_per_s=2000, private_burst=100, private_rate_per_s=2000, group_rate_per_min=100_000)


class Sender:
    def __init__(self) -> None:
        self.sent: list[Outbound] = []

    async def send(self, message: Outbound) -> str | None:
        self.sent.append(message)
        return f"m{len(self.sent)}"

    def texts(self) -> list[str]:
        return [m.text for m in self.sent if isinstance(m, Text)]


class Even:
    """A channel with no groups: every chat is paced alike."""

    def pace(self, chat: str) -> Pace:
        return Pace(100.0, 2000.0)


async def rows(db: Database, *row_ids: int) -> list[OutboxRow]:
    async with db.lock:
        found = [await OutboxRepo(db.conn).get(row_id) for row_id in row_ids]
    return [row for row in found if row is not None]


async def test_each_row_goes_out_on_its_own_channel_and_a_channel_not_running_here_waits(tmp_path: Path) -> None:
    telegram, wechat = Sender(), Sender()
    lanes = Lanes.of([Channel("telegram", telegram, TelegramPacing(FAST)), Channel("wechat", wechat, Even())], FAST)
    db = await Database.open(tmp_path / "x.sqlite3")
    worker = OutboxWorker(db, lanes, SystemClock(), FAST, poll_interval_s=0.05)
    await lanes.start()
    await worker.start()
    try:
        async with db._transaction() as conn:
            repo, now = OutboxRepo(conn), SystemClock().now()
            card = await repo.add(Text(chat="1001", text="card"), now=now, channel="telegram")
            group = await repo.add(Text(chat="-100", text="group card"), now=now, channel="telegram")
            update = await repo.add(Text(chat="wx-1", text="accepted"), now=now, channel="wechat")
            sms = await repo.add(Text(chat="+86138", text="sms"), now=now, channel="sms")
        worker.wake()
        deadline = time.monotonic() + 5
        while any(row.status == "pending" for row in await rows(db, card, group, update)):
            assert time.monotonic() < deadline
            await asyncio.sleep(0.01)
        assert sorted(telegram.texts()) == ["card", "group card"]
        assert wechat.texts() == ["accepted"]
        (waiting,) = await rows(db, sms)
        assert (waiting.status, waiting.attempts) == ("pending", 0)
        assert waiting.last_error == "channel 'sms' does not run in this process"
    finally:
        await worker.stop()
        await lanes.stop(drain_s=0)
        await db.close()


def test_lanes_name_each_channel_once_and_refuse_unknown_ones() -> None:
    channel = Channel("telegram", Sender(), TelegramPacing(FAST))
    lanes = Lanes.of([channel], FAST)
    assert list(lanes) == ["telegram"]
    with pytest.raises(UnknownChannel):
        lanes["wechat"]
    with pytest.raises(ValueError, match="given twice"):
        Lanes.of([channel, channel], FAST)
