"""The campaign runner over a real SQLite file: a simulated year and more, stepping a fake clock from one
firing to the next, with a restart in the middle, tips delivered through the real broadcaster."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bot.broadcast.broadcaster import Broadcaster
from bot.broadcast.calendar import load_calendar
from bot.broadcast.runner import ReminderRunner
from bot.clock import FakeClock
from bot.outbound.channels import Lanes
from bot.outbound.lane import Lane
from common.events import Text
from handlers.channel import TelegramPacing
from storage.engines import open_database
from tests.kit.broadcast import EXPECTED, FakeChannel, add_subscribers, fast_settings

START = datetime(2026, 12, 31, 16, 0, tzinfo=UTC)  # 2027-01-01 00:00 in Shanghai
END = datetime(2028, 12, 31, 16, 0, tzinfo=UTC)  # 2029-01-01 00:00


async def test_two_simulated_years_fire_every_campaign_once_at_the_right_local_hour(tmp_path: Path) -> None:
    override = tmp_path / "override.toml"
    override.write_text(
        '[[campaign]]\nid = "late_evening"\ndate = "03-03 22:30"\n'
        'texts.zh = "晚间提示 {hotline}"\ntexts.en = "Late tip {hotline}"\n',
        encoding="utf-8",
    )
    settings = fast_settings(tmp_path / "y.sqlite3", reminders={"calendar_override": str(override)})
    tz = settings.utility.tz
    clock, channel = FakeClock(START), FakeChannel()
    db = await open_database(settings.storage)
    chats = await add_subscribers(db, 3, START)
    lane = Lane(channel, settings.outbound, pacing=TelegramPacing(settings.outbound))
    await lane.start()
    # each of the ~40 firings waits for its broadcast to end: the broadcaster's rounds and the wait's checks come
    # every 2 ms, so the two years take a fraction of a second
    broadcaster = Broadcaster(
        db, Lanes({"telegram": lane}), clock, settings, channel="telegram", poll_interval_s=0.002, tick_s=0.002
    )
    await broadcaster.start()
    runner = ReminderRunner(db, clock, settings, channel="telegram", on_broadcast=broadcaster.wake)
    await runner.start()
    fired: list[tuple[str, datetime]] = []
    restarted = False
    while (due := await runner.next_due()) is not None and due < END:
        if not restarted and due >= datetime(2027, 7, 1, tzinfo=UTC):
            runner = ReminderRunner(db, clock, settings, channel="telegram", on_broadcast=broadcaster.wake)  # a restart
            await runner.start()
            restarted = True
            assert await runner.next_due() == due
        clock.set(due)
        for broadcast_id in await runner.tick():
            state = await broadcaster.wait_done(broadcast_id, timeout_s=10, poll_s=0.002)
            assert state.sent == 3
            fired.append((state.broadcast.campaign_id or "", due))
        assert await runner.tick() == [], "a second tick at the same instant fires nothing"
    await broadcaster.stop()
    await lane.stop()
    await db.close()

    counts = Counter(cid for cid, _ in fired)
    assert set(counts) == set(EXPECTED) | {"late_evening"}
    assert counts == {cid: len(days) for cid, days in EXPECTED.items()} | {"late_evening": 2}, counts
    for cid, when in fired:
        local = when.astimezone(tz)
        if cid == "late_evening":  # 22:30 is in quiet hours: it waits until 08:00 the next morning
            assert (local.month, local.day, local.hour, local.minute) == (3, 4, 8, 0)
        else:
            assert local.date() == EXPECTED[cid][local.year] and (local.hour, local.minute) == (10, 0)
            assert not (local.hour >= 21 or local.hour < 8)
    spring = sorted(when.astimezone(tz).date() for cid, when in fired if cid == "spring_festival")
    assert spring == [date(2027, 2, 3), date(2028, 1, 23)]  # the breaks start 5 Feb 2027, 25 Jan 2028
    # every subscriber got every tip once, in their language
    texts = [m for m in channel.log if isinstance(m, Text)]
    assert Counter(m.chat for m in texts) == dict.fromkeys(chats, len(fired))

    def chinese(text: str) -> bool:
        return any("\u4e00" <= ch <= "\u9fff" for ch in text)

    assert all(chinese(m.text) == (m.chat != chats[0]) for m in texts)  # chats[0] reads English


async def test_a_firing_missed_while_down_fires_late_or_is_recorded_missed(tmp_path: Path) -> None:
    calendar = load_calendar()
    settings = fast_settings(tmp_path / "m.sqlite3", reminders={"catch_up_h": 6})
    clock = FakeClock(datetime(2027, 5, 11, 0, 0, tzinfo=UTC))
    db = await open_database(settings.storage)
    runner = ReminderRunner(db, clock, settings, channel="telegram", calendar=calendar)
    await runner.start()
    # down from before 12 May 10:00 (02:00 UTC) until 12:00: fires when it comes back, once
    clock.set(datetime(2027, 5, 12, 4, 0, tzinfo=UTC))
    runner = ReminderRunner(db, clock, settings, channel="telegram", calendar=calendar)
    assert len(await runner.tick()) == 1
    assert await runner.tick() == []
    # down over 1 June 10:00 until 2 June: too late for "Safety Month starts today": missed, not sent
    clock.set(datetime(2027, 6, 2, 4, 0, tzinfo=UTC))
    runner = ReminderRunner(db, clock, settings, channel="telegram", calendar=calendar)
    await runner.tick()
    runs = {(r.campaign_id, r.local_date): r.status for r in await runner.runs()}
    assert runs[("disaster_prevention_day", date(2027, 5, 12))] == "fired"
    assert runs[("safety_month", date(2027, 6, 1))] == "missed"
    assert runs[("safety_month", date(2028, 6, 1))] == "pending"  # next year's is planned
    await db.close()


async def test_a_disabled_campaign_is_cancelled_and_not_fired(tmp_path: Path) -> None:
    off = tmp_path / "off.toml"
    off.write_text('[[campaign]]\nid = "fire_safety_day"\nenabled = false\n', encoding="utf-8")
    settings = fast_settings(tmp_path / "d.sqlite3")
    clock = FakeClock(datetime(2027, 11, 1, 0, 0, tzinfo=UTC))
    db = await open_database(settings.storage)
    await ReminderRunner(db, clock, settings, channel="telegram").start()
    runner = ReminderRunner(db, clock, settings, channel="telegram", calendar=load_calendar(overrides=off))
    clock.advance(timedelta(days=9))
    fired = await runner.tick()
    runs = {r.campaign_id: r.status for r in await runner.runs() if r.local_date == date(2027, 11, 9)}
    assert runs == {"fire_safety_day": "cancelled"} and fired == []
    await db.close()
