"""The order and pace of the outbox worker's rows: an edit after its original, at once after a message in
flight; a stopped worker handing over; a wake, an emergency row and a slow chat's neighbours not waiting
(the rig: tests/kit/outbox_rig.py)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter

from bot.config.settings import OutboundConfig
from bot.outbound.delivery import Rejected, Transient
from bot.outbound.outbox import PER_CHAT_IN_FLIGHT
from common.events import Edit, Outbound, Priority, Text
from tests.kit.outbox_rig import FAST, Factory, Sender, quickly, until


@quickly
async def test_an_edit_waits_for_its_original(make: Factory) -> None:
    sender = Sender(latency_s=0.05)
    sender.script["card"] = [Transient("timeout"), Transient("timeout")]
    sender.always["doomed"] = Rejected("400")
    rig = await make(sender, edit_wait_s=0.05)  # the edit is looked at again 50 ms after its card's next try
    card, doomed = await rig.add(Text(chat="1", text="card"), Text(chat="2", text="doomed"))
    edit, orphan = await rig.add(
        Edit(chat="1", text="taken by Wang", of_outbox=card, priority=Priority.DISPATCH),
        Edit(chat="2", text="never", of_outbox=doomed),
    )
    rows = await rig.settled(card, doomed, edit, orphan)
    assert [(row.status, row.attempts) for row in rows] == [
        ("sent", 3),
        ("failed", 1),
        ("sent", 1),
        ("dropped", 0),
    ]
    edits = [m for _, m in sender.calls if isinstance(m, Edit)]
    assert [(e.text, e.message_id, e.priority) for e in edits] == [("taken by Wang", "m-card", Priority.DISPATCH)]
    assert sender.texts().index("taken by Wang") > sender.texts().index("card")


async def test_an_edit_of_a_message_in_flight_goes_right_after_it(make: Factory) -> None:
    card_s = 0.1
    sender = Sender(latency_s=card_s)
    rig = await make(sender, poll_interval_s=5.0)
    await asyncio.sleep(0.05)
    (card,) = await rig.add(Text(chat="1", text="card"))
    await sender.event.wait()
    sender.latency_s = 0.0  # the card, in flight, takes its 0.1 s; the edit is answered at once
    (edit,) = await rig.add(Edit(chat="1", text="taken", of_outbox=card))
    rows = await rig.settled(card, edit)
    assert [row.status for row in rows] == ["sent", "sent"]
    (card_at, _), (edit_at, message) = sender.calls
    assert isinstance(message, Edit) and message.message_id == "m-card"
    assert edit_at - (card_at + card_s) < 0.06  # right after the card, not a poll or recheck later


async def test_a_stopped_worker_hands_over_without_sending_twice(make: Factory) -> None:
    slow = OutboundConfig(**{**FAST.model_dump(), "private_burst": 1, "private_rate_per_s": 40.0})
    first = await make(Sender(latency_s=0.02), slow)
    ids = await first.add(*[Text(chat=str(i % 4), text=f"r{i}") for i in range(40)])
    deadline = time.monotonic() + 5
    while len(first.sender.calls) < 10:
        assert time.monotonic() < deadline
        await asyncio.sleep(0.01)
    await first.worker.stop()
    await first.lane.stop()
    before = Counter(first.sender.texts())
    assert 10 <= sum(before.values()) < 40
    second = await make(Sender(), slow, poll_interval_s=0.02)
    await second.settled(*ids)
    await asyncio.sleep(0.1)  # a few more polls (one each 20 ms): nothing is sent again
    everything = before + Counter(second.sender.texts())
    assert everything == Counter(f"r{i}" for i in range(40))  # each row exactly once
    rows = [await second.row(row_id) for row_id in ids]
    assert all(row.status == "sent" and row.attempts == 1 for row in rows)


async def test_wake_sends_within_milliseconds(make: Factory) -> None:
    rig = await make(poll_interval_s=5.0)
    await asyncio.sleep(0.1)  # the first poll is over; the worker sleeps for 5 s
    started = asyncio.get_running_loop().time()  # the clock of the sender's calls
    await rig.add(Text(chat="1", text="leak", priority=Priority.EMERGENCY))
    await asyncio.wait_for(rig.sender.event.wait(), 1.0)
    latency = rig.sender.calls[0][0] - started
    print(f"\nwake-to-send latency: {latency * 1000:.1f} ms")
    assert latency < 1.0  # without the wake the row would wait for the next poll, 5 s away


async def test_an_emergency_row_overtakes_queued_broadcast_rows(make: Factory) -> None:
    paced = OutboundConfig(**{**FAST.model_dump(), "global_rate_per_s": 50.0})
    rig = await make(config=paced, max_in_flight=32)
    await rig.add(*[Text(chat=str(1000 + i), text=f"b{i}", priority=Priority.BROADCAST) for i in range(300)])
    await until(lambda: len(rig.sender.calls) >= 5)  # the broadcast is going out
    started = time.monotonic()
    (leak,) = await rig.add(Text(chat="7", text="leak", priority=Priority.EMERGENCY))
    await rig.settled(leak)
    assert time.monotonic() - started < 2.0  # behind the broadcast it would wait ~5.9 s (295 rows at 50/s)
    assert rig.lane.backlog(Priority.BROADCAST) > 0  # the broadcast is still going


class SlowChatSender(Sender):
    """Every send to ``slow_chat`` takes ``slow_s`` (a crew chat Telegram lets through one message at a time),
    until ``hurry`` is set."""

    def __init__(self, slow_chat: str, slow_s: float) -> None:
        super().__init__()
        self.slow_chat, self.slow_s = slow_chat, slow_s
        self.hurry = asyncio.Event()

    async def send(self, message: Outbound) -> str | None:
        if message.chat == self.slow_chat:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.hurry.wait(), self.slow_s)
        return await super().send(message)


async def test_a_slow_chat_holds_back_no_other_chat(make: Factory) -> None:
    """Hundreds of dispatch cards queued for one crew chat fill no more than a few of the worker's places:
    residents' receipts, in other chats, go out at once instead of one per crew message sent."""
    sender = SlowChatSender("crew", 0.2)
    rig = await make(sender=sender, max_in_flight=8)
    await rig.add(*[Text(chat="crew", text=f"card {i}", priority=Priority.DISPATCH) for i in range(200)])
    await until(lambda: rig.worker.in_flight >= PER_CHAT_IN_FLIGHT)  # the crew chat has all its places
    started = time.monotonic()
    receipts = await rig.add(
        *[Text(chat=str(100 + i), text=f"receipt {i}", priority=Priority.EMERGENCY) for i in range(20)]
    )
    await rig.settled(*receipts, timeout_s=5)
    assert time.monotonic() - started < 1.5  # one crew message takes 0.2 s: 20 of them would take 4 s
    cards = [text for text in rig.sender.texts() if text.startswith("card")]
    assert cards == [f"card {i}" for i in range(len(cards))]  # the crew chat keeps its order
    assert len(cards) < 200
    sender.hurry.set()  # the crew message under way ends now, not up to 0.2 s into the worker's stop
