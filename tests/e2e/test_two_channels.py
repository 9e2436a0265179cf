"""Two channels in one process: the Telegram adapter against the sandbox, and a recording test channel.

A report arriving on one channel reaches the crews on theirs; what the ticket's resident is told goes back
on the resident's channel; each outbox row carries its recipient's channel and address; a broadcast reaches
each subscriber on their own channel.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, datetime
from itertools import count
from pathlib import Path

from bot.broadcast.broadcaster import Broadcaster
from bot.broadcast.subscriptions import STOP_TIPS
from bot.cli.demo import LEAD, MEMBER, RESIDENT, running_bot, sandbox_settings, tap
from bot.outbound.channels import Channel
from bot.outbound.delivery import Pace
from bot.runtime import Runtime
from common.events import Answer, EventKind, Inbound, Outbound, Text
from sandbox import Sandbox
from tests.kit.broadcast import QUIET_HOURS_OFF, broadcast_changed

RECORD = "record"
WECHAT_USER = "wx-resident-1"


class RecordingChannel:
    """A channel that records what it is asked to send (its own message ids); its adapter side hands the
    core an ``Inbound`` and sends the replies on its own lane, as a real adapter would."""

    def __init__(self) -> None:
        self.sent: list[Outbound] = []
        self._ids = count(1)
        self._changed = asyncio.Event()

    def channel(self) -> Channel:
        return Channel(RECORD, self, self, concurrency=4)

    async def send(self, message: Outbound) -> str | None:
        self.sent.append(message)
        self._changed.set()
        return None if isinstance(message, Answer) else f"r{next(self._ids)}"

    def pace(self, chat: str) -> Pace:
        return Pace(1000.0, 1000.0)

    async def receive(self, runtime: Runtime, kind: EventKind, **fields: object) -> None:
        event = Inbound(
            channel=RECORD,
            kind=kind,
            user=WECHAT_USER,
            chat=WECHAT_USER,
            lang_code="en",
            at=datetime.now(UTC),
            **fields,  # type: ignore[arg-type]
        )
        pending: list[asyncio.Future[str | None]] = []
        replies = await runtime.core.handle(event, lambda m: pending.append(runtime.lanes.submit(RECORD, m)))
        pending += [runtime.lanes.submit(RECORD, message) for message in replies]
        await asyncio.gather(*pending)

    async def wait_for_text(self, fragment: str, timeout_s: float = 5.0) -> Text:
        async def found() -> Text:
            while True:
                for message in self.sent:
                    if isinstance(message, Text) and fragment in message.text:
                        return message
                self._changed.clear()
                await self._changed.wait()

        return await asyncio.wait_for(found(), timeout_s)


def outbox_rows(path: str) -> list[tuple[str, str, str, str | None]]:
    """(channel, chat, purpose, the recipient's channel) of every row, in order."""
    with closing(sqlite3.connect(path)) as conn:
        return [
            (str(row[0]), str(row[1]), str(row[2]), row[3])
            for row in conn.execute(
                "SELECT o.channel, o.chat, o.purpose, p.channel FROM outbox o"
                " LEFT JOIN people p ON p.id = o.recipient_id ORDER BY o.id"
            )
        ]


def has_button(prefix: str) -> Callable[[object], bool]:
    def check(message: object) -> bool:
        buttons = message.buttons()  # type: ignore[attr-defined]
        return any(str(b.get("callback_data", "")).startswith(prefix) for b in buttons)

    return check


async def test_a_report_on_one_channel_reaches_crews_on_the_other(sandbox: Sandbox, tmp_path: Path) -> None:
    sb, record = sandbox, RecordingChannel()
    settings = sandbox_settings(sb, tmp_path / "two.sqlite3", lang="en")
    async with running_bot(settings, channels=[record.channel()]) as runtime:
        await record.receive(runtime, EventKind.TEXT, text="I smell gas, it's strong in the kitchen")
        await record.wait_for_text("96777")  # the safety card, on the resident's channel
        await record.receive(runtime, EventKind.LOCATION, latitude=31.2304, longitude=121.4737)
        for crew in (LEAD, MEMBER):  # the card, on the crews' channel (Telegram)
            await sb.wait_for(crew, has_button("t:acc:1"), timeout_s=5)
        await record.wait_for_text("Ticket #1")  # the receipt, back on the resident's channel
        await tap(sb, None, LEAD, "t:acc:1")
        accepted = await record.wait_for_text("accepted and is on the way")
        assert accepted.chat == WECHAT_USER
        await sb.wait_idle(quiet_s=0.1, timeout_s=10)
    rows = outbox_rows(settings.storage.path)
    assert rows, "nothing was queued"
    for channel, chat, purpose, recipient_channel in rows:
        if recipient_channel is not None:
            assert channel == recipient_channel, (purpose, chat)
        if chat == WECHAT_USER:
            assert channel == RECORD, purpose
        else:
            assert channel == "telegram", (purpose, chat)
    purposes = {(channel, purpose) for channel, _, purpose, _ in rows}
    assert ("telegram", "dispatch") in purposes and ("record", "resident") in purposes, purposes
    assert not [m for m in record.sent if m.chat != WECHAT_USER], "a Telegram chat's message went on the other channel"


async def test_a_broadcast_reaches_each_subscriber_on_their_own_channel(sandbox: Sandbox, tmp_path: Path) -> None:
    """A tip created on the configuration's channel (Telegram) goes to a WeChat resident on their channel
    and to a Telegram resident on Telegram, with the stop button each can press where they are."""
    sb, record = sandbox, RecordingChannel()
    settings = sandbox_settings(sb, tmp_path / "tips.sqlite3", lang="en")
    settings.broadcast = broadcast_changed(settings.broadcast, **QUIET_HOURS_OFF)
    async with running_bot(settings, channels=[record.channel()]) as runtime:
        await record.receive(runtime, EventKind.COMMAND, text="/start", command="start")
        await sb.send_text(RESIDENT, "/start")
        await sb.wait_for(RESIDENT, timeout_s=5)
        service = next(s for s in runtime.services if isinstance(s, Broadcaster))
        assert service.channel == "telegram"
        broadcast_id = await service.create(kind="tip", texts={"zh": "关好阀门 96777", "en": "Close the valve 96777"})
        done = await service.wait_done(broadcast_id, timeout_s=10)
        tip = await record.wait_for_text("Close the valve")
        assert await sb.wait_for_text(RESIDENT, "Close the valve", timeout_s=5)
    assert (done.sent, done.failed, done.pending) == (2, 0, 0)
    assert tip.chat == WECHAT_USER and tip.buttons[0][0].data == STOP_TIPS
    assert not [m for m in record.sent if m.chat != WECHAT_USER], "a Telegram chat's message went on the other channel"
