"""Abandoned emergencies: a nudge after a quiet spell, then the dispatcher sees what is known; timers are
rows, re-checked before acting, and a finished report is never chased."""

from __future__ import annotations

from bot.abandoned import AbandonedWatch
from bot.clock import FakeClock
from bot.config import Settings
from bot.i18n import t
from bot.scheduler import Scheduler
from storage.db import Database
from tests.conftest import DISPATCHER, RESIDENT
from tests.core.harness import Harness
from tests.core.test_leak_report import fill_leak_form


def _watch(settings: Settings, db: Database, clock: FakeClock) -> AbandonedWatch:
    return AbandonedWatch(settings, db, clock, Scheduler(), lambda: None)


async def test_nudge_then_desk(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await Harness(settings, db, clock).setup()
    watch = _watch(settings, db, clock)
    after = settings.intake.abandoned_after_s
    await h.text(RESIDENT, "I smell gas")
    await fill_leak_form(h, upto="where")  # a pin and an address, then silence
    assert await watch.run_due() == 0
    clock.advance(after - 1)
    assert await watch.run_due() == 0, "not yet"
    clock.advance(2)
    assert await watch.run_due() == 1
    nudges = await h.outbox("abandoned_nudge")
    assert [n.chat for n in nudges] == [RESIDENT]
    assert nudges[0].message.text == t("en", "abandoned.nudge", hotline="96777")  # type: ignore[union-attr]
    assert await watch.run_due() == 0, "acted once"
    clock.advance(after + 1)
    assert await watch.run_due() == 1
    desk = await h.outbox("abandoned_desk")
    assert {row.chat for row in desk} == {DISPATCHER}
    card = next(row.message.text for row in desk if hasattr(row.message, "text"))  # type: ignore[union-attr]
    assert "Building 3, Unit 2, Flat 501" in card, "what is known goes with it"
    assert any(row.message.type == "location" for row in desk), "and the pin"
    clock.advance(after * 5)
    assert await watch.run_due() == 0, "the timer is done"


async def test_activity_postpones_and_finishing_cancels(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await Harness(settings, db, clock).setup()
    watch = _watch(settings, db, clock)
    after = settings.intake.abandoned_after_s
    await h.text(RESIDENT, "I smell gas")
    clock.advance(after - 10)
    await fill_leak_form(h, upto="where")  # still answering
    clock.advance(20)
    assert await watch.run_due() == 0, "quiet for only 20 s"
    await fill_leak_form(h, start_at="where")
    await h.press(RESIDENT, "i:s:ok")
    clock.advance(after * 3)
    assert await watch.run_due() == 0
    assert await h.outbox("abandoned_nudge") == []
    assert await db.scalar("SELECT status FROM timers WHERE kind = 'abandoned'") == "cancelled"


async def test_a_calm_report_is_not_chased(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await Harness(settings, db, clock).setup()
    watch = _watch(settings, db, clock)
    await h.text(RESIDENT, "/report")
    await h.press(RESIDENT, "i:c:meter")
    clock.advance(settings.intake.abandoned_after_s * 3)
    assert await watch.run_due() == 0
    assert await db.scalar("SELECT COUNT(*) FROM timers WHERE kind = 'abandoned'") == 0


async def test_timers_survive_a_restart(settings: Settings, clock: FakeClock) -> None:
    db = await Database.open(settings.storage.path)
    try:
        h = await Harness(settings, db, clock).setup()
        await h.text(RESIDENT, "I smell gas")
    finally:
        await db.close()
    clock.advance(settings.intake.abandoned_after_s + 1)
    db = await Database.open(settings.storage.path)
    try:
        watch = _watch(settings, db, clock)
        await watch.start()  # start-up runs the rows that fell due while the bot was down
        await watch.stop()
        h = Harness(settings, db, clock)
        assert [n.chat for n in await h.outbox("abandoned_nudge")] == [RESIDENT]
    finally:
        await db.close()
