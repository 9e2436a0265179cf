"""The broadcaster over a real SQLite file and the real lane, with a counting fake channel; on an event loop whose
clock runs ``SPEED`` times faster than the wall clock (tests/kit/quick_loop.py): the broadcaster's rounds and rate,
the lane's pacing and the tests' waits are all on that clock, so the same rounds take a quarter of the time (the
bounds on waits are of its seconds: 20 of them are 5 real ones). The cancel test stays on the wall clock: it races
the broadcast's pace against the database's thread, which a faster loop does not speed up."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, closing
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.broadcast.audience import BadAudience, audience_size
from bot.broadcast.broadcaster import Broadcaster
from bot.broadcast.subscriptions import STOP_TIPS
from bot.clock import FakeClock
from bot.config.settings import Settings
from bot.outbound.channels import Lanes
from bot.outbound.delivery import ChannelRefused
from bot.outbound.lane import Lane
from common.events import Outbound, Priority, Text
from handlers.channel import TelegramPacing
from storage.engines import open_database
from tests.kit.broadcast import FakeChannel, add_subscribers, fast_settings
from tests.kit.quick_loop import quick

SPEED = 4  # seconds of the loop's clock per real second

NOON = datetime(2027, 3, 1, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai
TEXTS = {"zh": "中文提示 96777", "en": "English tip 96777"}
POLL_S = 0.02


@asynccontextmanager
async def broadcaster(
    settings: Settings, channel: FakeChannel, clock: FakeClock, **kw: float
) -> AsyncIterator[Broadcaster]:
    """A fresh set of objects over the settings' database file (a process, as far as the DB can tell); the
    service looks again every ``POLL_S`` when it has nothing to do."""
    db = await open_database(settings.storage)
    lane = Lane(channel, settings.outbound, pacing=TelegramPacing(settings.outbound))
    await lane.start()
    lanes = Lanes({"telegram": lane})
    service = Broadcaster(db, lanes, clock, settings, channel="telegram", poll_interval_s=POLL_S, **kw)  # type: ignore[arg-type]
    await service.start()
    try:
        yield service
    finally:
        await service.stop()
        await lane.stop()
        await db.close()


async def until(condition: object, timeout_s: float = 20.0) -> None:
    async with asyncio.timeout(timeout_s):
        while not condition():  # type: ignore[operator]  # noqa: ASYNC110 - polling a counter
            await asyncio.sleep(0.005)


@quick(SPEED)
async def test_stopped_half_way_and_restarted_messages_everyone_exactly_once(tmp_path: Path) -> None:
    """2,000 subscribers listed 400 at a time: five pages, stopped half-way through them. Exactly once does not
    depend on the audience's size (at most ``max_in_flight``, 32, are under way at the stop); how the service
    scales is the benchmark's (a tip to 10,000 subscribers)."""
    everyone = 2_000
    settings = fast_settings(tmp_path / "b.sqlite3")
    clock, channel = FakeClock(NOON), FakeChannel(latency_s=0.0005)
    db = await open_database(settings.storage)
    chats = await add_subscribers(db, everyone, NOON)
    await db.close()
    async with broadcaster(settings, channel, clock, prepare_chunk=400) as first:  # type: ignore[arg-type]
        broadcast_id = await first.create(kind="tip", texts=TEXTS)
        await until(lambda: channel.total >= everyone // 2)
        # leaving the block stops the service half-way: withdrawn sends stay pending, started ones are recorded
    half = channel.total
    assert everyone // 2 <= half < everyone
    async with broadcaster(settings, channel, clock, prepare_chunk=400) as second:  # type: ignore[arg-type]
        state = await second.status(broadcast_id)
        assert state.sent == half and state.pending == everyone - half
        done = await second.wait_done(broadcast_id, timeout_s=30, poll_s=0.005)
    assert set(channel.received) == set(chats)
    assert max(channel.received.values()) == 1, "nobody gets the same tip twice"
    assert (done.sent, done.pending, done.failed, done.blocked, done.uncertain) == (everyone, 0, 0, 0, 0)
    assert done.broadcast.sent == everyone and done.broadcast.status == "done"
    # each subscriber in their own language, with the stop button, at broadcast priority
    first_text = next(m for m in channel.log if isinstance(m, Text) and m.chat == chats[0])
    assert first_text.text == TEXTS["en"] and first_text.priority is Priority.BROADCAST
    assert first_text.buttons[0][0].data == STOP_TIPS
    second_text = next(m for m in channel.log if isinstance(m, Text) and m.chat == chats[1])
    assert second_text.text == TEXTS["zh"]


class FirstSendWatch(FakeChannel):
    """Reads the broadcast's row (status, recipients listed so far) when the first message reaches the channel."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self.at_first_send: tuple[str, int] | None = None

    async def send(self, message: Outbound) -> str | None:
        if self.at_first_send is None:
            with closing(sqlite3.connect(self.path)) as conn:  # committed state; the loop waits for this read
                row = conn.execute("SELECT status, audience_size FROM broadcasts").fetchone()
            self.at_first_send = (str(row[0]), int(row[1]))
        return await super().send(message)


@quick(SPEED)
@pytest.mark.sqlite_only("reads the broadcast's row from the SQLite file as the first send goes")
async def test_recipients_are_listed_a_page_at_a_time_and_sent_from_the_first_page(tmp_path: Path) -> None:
    """A million subscribers are never in memory at once, and the first tips leave after the first page (2,000
    listed 100 at a time: twenty pages, of which the first few at most are listed when the first tip leaves)."""
    settings = fast_settings(tmp_path / "b.sqlite3")
    clock, channel = FakeClock(NOON), FirstSendWatch(tmp_path / "b.sqlite3")
    db = await open_database(settings.storage)
    chats = await add_subscribers(db, 2_000, NOON)
    await db.close()
    async with broadcaster(settings, channel, clock, prepare_chunk=100) as service:  # type: ignore[arg-type]
        broadcast_id = await service.create(kind="tip", texts=TEXTS)
        done = await service.wait_done(broadcast_id, timeout_s=30, poll_s=0.005)
    assert channel.at_first_send is not None
    status, listed = channel.at_first_send
    assert status == "queued" and 0 < listed <= 300, channel.at_first_send  # a page or few of 2,000, not all
    assert (done.sent, done.pending) == (2_000, 0) and done.broadcast.status == "done"
    assert set(channel.received) == set(chats) and max(channel.received.values()) == 1


@quick(SPEED)
async def test_rows_cut_off_by_a_crash_are_never_sent_again(tmp_path: Path) -> None:
    """A crash leaves rows 'sending'; the next start marks them uncertain and never sends them."""
    settings = fast_settings(tmp_path / "b.sqlite3")
    clock, channel = FakeClock(NOON), FakeChannel()
    db = await open_database(settings.storage)
    chats = await add_subscribers(db, 50, NOON)
    await db.close()
    async with broadcaster(settings, channel, clock) as first:
        broadcast_id = await first.create(texts=TEXTS)
        await first.wait_done(broadcast_id, timeout_s=20, poll_s=0.005)
    # pretend a process died with two rows handed to the channel but not recorded
    db = await open_database(settings.storage)
    async with db._transaction() as tx:
        await tx.execute("UPDATE broadcasts SET status = 'sending' WHERE id = ?", (broadcast_id,))
        await tx.execute(
            "UPDATE broadcast_deliveries SET status = 'sending' WHERE broadcast_id = ? AND chat IN (?, ?)",
            (broadcast_id, chats[0], chats[1]),
        )
    await db.close()
    before = channel.total
    async with broadcaster(settings, channel, clock) as second:
        assert second.interrupted == 2
        done = await second.wait_done(broadcast_id, timeout_s=20, poll_s=0.005)
    assert channel.total == before
    assert (done.sent, done.uncertain) == (48, 2)


@quick(SPEED)
async def test_429s_blocked_and_unknown_chats_end_with_the_right_counts(tmp_path: Path) -> None:
    settings = fast_settings(tmp_path / "b.sqlite3", rate_per_s=2_000)
    clock = FakeClock(NOON)
    db = await open_database(settings.storage)
    chats = await add_subscribers(db, 300, NOON)
    await db.close()
    channel = FakeChannel(blocked=chats[10:20], unknown=chats[20:25])
    channel.burst = 40  # 40 answers of 429 retry_after 0.05 s
    async with broadcaster(settings, channel, clock) as service:
        broadcast_id = await service.create(texts=TEXTS)
        done = await service.wait_done(broadcast_id, timeout_s=30, poll_s=0.005)
        db = service.db
        tips = {row[0]: row[1] for row in await db.fetchall("SELECT external_id, tips FROM people")}
        errors = await db.fetchall(
            "SELECT chat, error FROM broadcast_deliveries WHERE broadcast_id = ? AND status = 'failed'",
            (broadcast_id,),
        )
        unsubscribed = await db.scalar("SELECT COUNT(*) FROM subscription_events WHERE action = 'blocked'")
    assert channel.retry_answers == 40
    assert (done.sent, done.blocked, done.failed, done.pending, done.uncertain) == (285, 10, 5, 0, 0)
    assert (done.broadcast.sent, done.broadcast.blocked, done.broadcast.failed) == (285, 10, 5)
    assert max(channel.received.values()) == 1
    assert all(tips[chat] == 0 for chat in chats[10:20]) and all(tips[chat] == 1 for chat in chats[20:])
    assert unsubscribed == 10
    assert sorted(chat for chat, _ in errors) == sorted(chats[20:25])
    assert all("chat not found" in error for _, error in errors)


@quick(SPEED)
async def test_quiet_hours_hold_tips_but_not_area_notices(tmp_path: Path) -> None:
    late = datetime(2027, 3, 1, 14, 0, tzinfo=UTC)  # 22:00 in Shanghai
    settings = fast_settings(
        tmp_path / "b.sqlite3", districts=[{"name": "East", "boxes": [[31.0, 121.0, 32.0, 122.0]]}]
    )
    clock, channel = FakeClock(late), FakeChannel()
    db = await open_database(settings.storage)
    chats = await add_subscribers(db, 20, late)
    async with db._transaction() as tx:
        await tx.execute(
            "INSERT INTO person_districts (person_id, district, updated_at) SELECT id, 'East', '' FROM people"
            " WHERE external_id IN (?, ?)",
            (chats[0], chats[1]),
        )
    await db.close()
    async with broadcaster(settings, channel, clock) as service:
        tip = await service.create(kind="tip", texts=TEXTS)
        notice = await service.create(kind="notice", audience="district:East", texts=TEXTS)
        done = await service.wait_done(notice, timeout_s=20, poll_s=0.005)
        assert done.sent == 2 and done.broadcast.urgent
        # a few more rounds: the tip is held (rounds of real time: each reads the database, at the wall clock's pace)
        await asyncio.sleep(6 * POLL_S * SPEED)
        held = await service.status(tip)
        assert held.sent == 0 and held.pending == 20
        assert held.expected_finish is not None and held.expected_finish.astimezone(settings.utility.tz).hour == 8
        clock.set(datetime(2027, 3, 2, 0, 0, tzinfo=UTC))  # 08:00 next morning
        done = await service.wait_done(tip, timeout_s=20, poll_s=0.005)
    assert done.sent == 20
    assert channel.received[chats[0]] == 2 and channel.received[chats[5]] == 1


async def test_cancel_stops_a_broadcast_and_audiences_are_checked(tmp_path: Path) -> None:
    settings = fast_settings(tmp_path / "b.sqlite3", rate_per_s=50)
    clock, channel = FakeClock(NOON), FakeChannel()
    db = await open_database(settings.storage)
    await add_subscribers(db, 200, NOON)
    async with db.lock:
        assert await audience_size(db.conn, settings, "subscribers") == {"zh": 133, "en": 67}
        assert await audience_size(db.conn, settings, "crews") == {}
    await db.close()
    async with broadcaster(settings, channel, clock) as service:
        with pytest.raises(BadAudience):
            await service.create(audience="district:Nowhere", texts=TEXTS)
        broadcast_id = await service.create(texts=TEXTS)
        await until(lambda: channel.total >= 5)
        assert await service.cancel(broadcast_id)
        state = await service.wait_done(broadcast_id, timeout_s=20, poll_s=0.005)
        sent_at_cancel = channel.total
        await asyncio.sleep(4 * POLL_S)
    assert state.broadcast.status == "cancelled"
    assert channel.total <= sent_at_cancel + 32 < 200  # only what was already under way


class RefusingChannel(FakeChannel):
    """Telegram refuses the token after ``good`` sends (401 to everything)."""

    def __init__(self, good: int) -> None:
        super().__init__(latency_s=0.0005)
        self.good = good

    async def send(self, message: Outbound) -> str | None:
        if self.total >= self.good:
            raise ChannelRefused("Unauthorized", method="sendMessage")
        return await super().send(message)


@quick(SPEED)
async def test_a_refused_token_leaves_the_rest_pending_for_the_next_start(tmp_path: Path) -> None:
    settings = fast_settings(tmp_path / "b.sqlite3")
    clock, refusing = FakeClock(NOON), RefusingChannel(good=300)
    db = await open_database(settings.storage)
    chats = await add_subscribers(db, 1_000, NOON)
    await db.close()
    async with broadcaster(settings, refusing, clock) as first:
        broadcast_id = await first.create(kind="tip", texts=TEXTS)
        await until(lambda: first.lanes["telegram"].refused is not None)
        await asyncio.sleep(0.1)  # the sends under way end
        calls = refusing.total
        await asyncio.sleep(6 * POLL_S * SPEED)  # a few more rounds (of real time, as above): nothing more is taken
        assert refusing.total == calls
    state_db = await open_database(settings.storage)
    assert await state_db.scalar("SELECT COUNT(*) FROM broadcast_deliveries WHERE status = 'failed'") == 0
    await state_db.close()
    assert 300 <= calls < 400
    good = FakeChannel(latency_s=0.0005)
    async with broadcaster(settings, good, clock) as second:
        done = await second.wait_done(broadcast_id, timeout_s=30, poll_s=0.005)
    assert (done.sent, done.failed, done.uncertain) == (1_000, 0, 0)
    assert set(refusing.received) | set(good.received) == set(chats)
    assert not set(refusing.received) & set(good.received), "nobody gets the tip twice"
