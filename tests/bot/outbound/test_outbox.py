"""The outbox worker with a real lane and a real SQLite file, in real (short) time. Tests whose only bounds on
time are lower ones ("waits at least") run on a loop, and the worker on a clock, ``SPEED`` times faster than the
wall clock (tests/kit/quick_loop.py, tests/kit/quick_clock.py): the same backoffs, pauses and polls in a quarter
of the time. Tests that bound a time from above stay on the wall clock, where such a bound is not ``SPEED`` times
tighter, and so do tests that race the lane's pace against the database's thread, which a faster loop does not
speed up (a stop that waits on the database while the lane goes on sending)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.clock import Clock, SystemClock
from bot.config.settings import OutboundConfig
from bot.outbound.channels import Lanes
from bot.outbound.delivery import Blocked, ChannelRefused, NotStarted, Rejected, RetryLater, Transient, Unreachable
from bot.outbound.lane import Lane
from bot.outbound.outbox import PER_CHAT_IN_FLIGHT, OutboxWorker
from common.events import Edit, Outbound, Priority, Text
from handlers.channel import TelegramPacing
from storage.db import Database, to_db
from storage.outbox import OutboxRepo, OutboxRow
from tests.kit.quick_clock import QuickClock
from tests.kit.quick_loop import quick

FAST = OutboundConfig(
    global_rate_per_s=2000,
    private_burst=100,
    private_rate_per_s=2000,
    group_rate_per_min=100_000,
    max_attempts=5,
)


class Sender:
    """Records every send; ``script[text]`` lists errors to raise first; ``always[text]`` always raises."""

    def __init__(self, latency_s: float = 0.0) -> None:
        self.latency_s = latency_s
        self.calls: list[tuple[float, Outbound]] = []
        self.script: dict[str, list[Exception]] = {}
        self.always: dict[str, Exception] = {}
        self.event = asyncio.Event()

    async def send(self, message: Outbound) -> str | None:
        assert isinstance(message, Text | Edit)
        self.calls.append((asyncio.get_running_loop().time(), message))
        self.event.set()
        if self.latency_s:
            await asyncio.sleep(self.latency_s)
        if message.text in self.always:
            raise self.always[message.text]
        errors = self.script.get(message.text)
        if errors:
            raise errors.pop(0)
        return f"m-{message.text}"

    def texts(self) -> list[str]:
        return [m.text for _, m in self.calls if isinstance(m, Text | Edit)]


@dataclass
class Rig:
    db: Database
    sender: Sender
    lane: Lane
    worker: OutboxWorker
    blocked: list[OutboxRow]
    sent: list[tuple[int, str | None]]
    clock: Clock

    async def add(self, *messages: Outbound, wake: bool = True) -> list[int]:
        async with self.db._transaction() as conn:
            repo = OutboxRepo(conn)
            ids = [await repo.add(message, now=self.clock.now(), channel="telegram") for message in messages]
        if wake:
            self.worker.wake()
        return ids

    async def row(self, row_id: int) -> OutboxRow:
        async with self.db.lock:
            row = await OutboxRepo(self.db.conn).get(row_id)
        assert row is not None
        return row

    async def settled(self, *row_ids: int, timeout_s: float = 5.0) -> list[OutboxRow]:
        deadline = time.monotonic() + timeout_s
        while True:
            rows = [await self.row(row_id) for row_id in row_ids]
            if all(row.status != "pending" for row in rows):
                return rows
            assert time.monotonic() < deadline, [(row.id, row.status, row.last_error) for row in rows]
            await asyncio.sleep(0.01)


Factory = Callable[..., Awaitable[Rig]]


async def _until(condition: Callable[[], bool], timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline
        await asyncio.sleep(0.005)


@asynccontextmanager
async def open_rigs(tmp_path: Path, clock: Clock) -> AsyncIterator[Factory]:
    """A factory of rigs over one database, their workers on ``clock``; every rig stopped at the end."""
    rigs: list[Rig] = []
    databases: list[Database] = []

    async def factory(
        sender: Sender | None = None,
        config: OutboundConfig = FAST,
        lane_kw: dict[str, Any] | None = None,
        **worker_kw: Any,
    ) -> Rig:
        if not databases:
            databases.append(await Database.open(tmp_path / "x.sqlite3"))
        sender = sender or Sender()
        lane = Lane(sender, config, pacing=TelegramPacing(config), **(lane_kw or {}))
        blocked: list[OutboxRow] = []

        sent: list[tuple[int, str | None]] = []

        async def on_unreachable(row: OutboxRow, exc: Unreachable) -> None:
            blocked.append(row)

        def on_sent(row: OutboxRow, message_id: str | None) -> None:
            sent.append((row.id, message_id))

        worker_kw.setdefault("backoff_base_s", 0.02)
        worker_kw.setdefault("poll_interval_s", 0.05)
        worker = OutboxWorker(
            databases[0],
            Lanes({"telegram": lane}),
            clock,
            config,
            on_unreachable=on_unreachable,
            on_sent=on_sent,
            **worker_kw,
        )
        await lane.start()
        await worker.start()
        rig = Rig(databases[0], sender, lane, worker, blocked, sent, clock)
        rigs.append(rig)
        return rig

    yield factory
    for rig in rigs:
        await rig.worker.stop()
        await rig.lane.stop(drain_s=0)
    for database in databases:
        await database.close()


@pytest.fixture
async def make(tmp_path: Path) -> AsyncIterator[Factory]:
    async with open_rigs(tmp_path, SystemClock()) as factory:
        yield factory


SPEED = 4  # the quick tests' loop and clocks: seconds of theirs per real second


def quickly(test: Callable[[Factory], Awaitable[None]]) -> Callable[..., None]:
    """``test(make)`` as a pytest test on a quick loop, its workers on a quick clock (both ``SPEED``)."""

    @quick(SPEED)
    async def run(tmp_path: Path) -> None:
        async with open_rigs(tmp_path, QuickClock(SPEED)) as make:
            await test(make)

    run.__name__, run.__qualname__, run.__doc__ = test.__name__, test.__qualname__, test.__doc__
    return run


@quickly
async def test_rows_added_in_a_transaction_are_sent_once(make: Factory) -> None:
    rig = await make(poll_interval_s=0.02)
    ids = await rig.add(*[Text(chat=str(i % 7), text=f"t{i}") for i in range(40)])
    rows = await rig.settled(*ids)
    # a few more polls (one each 20 ms): nothing is sent again (in real time: each poll reads the database)
    await asyncio.sleep(0.1 * SPEED)
    assert sorted(rig.sender.texts()) == sorted(f"t{i}" for i in range(40))
    assert all(row.status == "sent" and row.attempts == 1 for row in rows)
    assert [row.message_id for row in rows] == [f"m-t{i}" for i in range(40)]
    assert sorted(rig.sent) == [(row.id, row.message_id) for row in rows]


@quickly
async def test_transient_faults_back_off_then_send(make: Factory) -> None:
    sender = Sender()
    sender.script["flaky"] = [Transient("timeout"), Transient("reset"), Transient("502")]
    rig = await make(sender)
    (row_id,) = await rig.add(Text(chat="1", text="flaky"))
    (row,) = await rig.settled(row_id)
    assert (row.status, row.attempts, row.message_id) == ("sent", 4, "m-flaky")
    times = [t for t, _ in sender.calls]
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert gaps[0] >= 0.015 and gaps[1] >= 0.03 and gaps[2] >= 0.06  # 20, 40, 80 ms, +-20 %
    assert rig.sent == [(row_id, "m-flaky")]


@quickly
async def test_flood_control_waits_at_least_retry_after(make: Factory) -> None:
    sender = Sender()
    sender.script["busy"] = [RetryLater(0.1)]  # five times the first backoff (20 ms +-20 %)
    rig = await make(sender, lane_kw={"max_pauses": 0})  # the lane hands 429s straight back
    (row_id,) = await rig.add(Text(chat="1", text="busy"))
    (row,) = await rig.settled(row_id)
    assert (row.status, row.attempts) == ("sent", 2)
    assert sender.calls[1][0] - sender.calls[0][0] >= 0.095


@quickly
async def test_blocked_and_rejected_fail_at_once(make: Factory) -> None:
    sender = Sender()
    sender.always["blocked"] = Blocked("403: bot was blocked by the user")
    sender.always["bad"] = Rejected("400: chat not found")
    rig = await make(sender)
    blocked, bad = await rig.add(Text(chat="1", text="blocked"), Text(chat="2", text="bad"))
    rows = await rig.settled(blocked, bad)
    assert [(row.status, row.attempts) for row in rows] == [("failed", 1), ("failed", 1)]
    assert rows[0].last_error is not None and rows[0].last_error.startswith("Blocked")
    assert [row.id for row in rig.blocked] == [blocked]
    assert len(sender.calls) == 2


@quickly
async def test_max_attempts_ends_in_failed(make: Factory) -> None:
    sender = Sender()
    sender.always["down"] = Transient("503")
    rig = await make(sender, OutboundConfig(**{**FAST.model_dump(), "max_attempts": 3}))
    (row_id,) = await rig.add(Text(chat="1", text="down"))
    (row,) = await rig.settled(row_id)
    assert (row.status, row.attempts) == ("failed", 3)
    assert len(sender.calls) == 3 and rig.blocked == []


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
    await _until(lambda: len(rig.sender.calls) >= 5)  # the broadcast is going out
    started = time.monotonic()
    (leak,) = await rig.add(Text(chat="7", text="leak", priority=Priority.EMERGENCY))
    await rig.settled(leak)
    assert time.monotonic() - started < 2.0  # behind the broadcast it would wait ~5.9 s (295 rows at 50/s)
    assert rig.lane.backlog(Priority.BROADCAST) > 0  # the broadcast is still going


async def test_an_unreadable_row_is_dropped_and_the_rest_flows(make: Factory) -> None:
    rig = await make()
    now = to_db(SystemClock().now())
    async with rig.db._transaction() as conn:
        cursor = await conn.execute(
            "INSERT INTO outbox (channel, chat, priority, payload, next_attempt_at, created_at) "
            "VALUES ('telegram', '1', 0, 'not json', ?, ?) RETURNING id",
            (now, now),
        )
        bad = (await cursor.fetchone())[0]
    (good,) = await rig.add(Text(chat="1", text="fine"))
    (row,) = await rig.settled(good)
    assert row.status == "sent"
    deadline = time.monotonic() + 2
    while True:
        found = await rig.db.fetchone("SELECT status, last_error FROM outbox WHERE id = ?", (bad,))
        assert found is not None
        if found["status"] != "pending":
            break
        assert time.monotonic() < deadline
        await asyncio.sleep(0.01)
    assert (found["status"], found["last_error"]) == ("dropped", "payload cannot be read")


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
    await _until(lambda: rig.worker.in_flight >= PER_CHAT_IN_FLIGHT)  # the crew chat has all its places
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


@quickly
async def test_a_refused_token_leaves_every_row_pending_and_stops_taking_rows(make: Factory) -> None:
    sender = Sender()
    for i in range(3):
        sender.always[f"card{i}"] = ChannelRefused("Unauthorized", method="sendMessage")
    rig = await make(sender, poll_interval_s=0.02)
    ids = await rig.add(*[Text(chat=str(i), text=f"card{i}", priority=Priority.DISPATCH) for i in range(3)])
    deadline = time.monotonic() + 5
    while not rig.worker.halted:
        assert time.monotonic() < deadline
        await asyncio.sleep(0.01)
    more = await rig.add(Text(chat="9", text="receipt"))
    await asyncio.sleep(0.1 * SPEED)  # a few polls (one each 20 ms, in real time as above): nothing more is taken
    rows = [await rig.row(row_id) for row_id in ids + more]
    assert [(row.status, row.attempts, row.last_error) for row in rows] == [("pending", 0, None)] * 4
    assert "receipt" not in sender.texts() and rig.blocked == [] and rig.sent == []
    # the next start with a good token sends them all, once
    second = await make(Sender())
    await second.settled(*ids, *more)
    assert sorted(second.sender.texts()) == ["card0", "card1", "card2", "receipt"]


async def test_an_unreachable_recipient_fails_at_once_and_is_reported_with_the_reason(
    make: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    sender = Sender()
    card_text, long_text = "card: Flat 501, Building 3", "ticket 12: " + "x" * 5000
    sender.always[card_text] = NotStarted("Chat not found", method="sendMessage")
    sender.always[long_text] = Rejected("Message is too long", method="sendMessage")
    rig = await make(sender)
    with caplog.at_level(logging.WARNING, logger="bot.outbound.outbox"):
        card, long = await rig.add(Text(chat="1", text=card_text), Text(chat="2", text=long_text))
        rows = await rig.settled(card, long)
    assert [(row.status, row.attempts) for row in rows] == [("failed", 1), ("failed", 1)]
    assert [row.id for row in rig.blocked] == [card]
    lines = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(f"sendMessage, rejected (row {long}, -): Message is too long" in x for x in lines), lines
    assert any(f"sendMessage, chat not found (row {card}, -): Chat not found" in x for x in lines), lines
    assert not any("Flat 501" in x or "xxxx" in x for x in lines), "never the text"
