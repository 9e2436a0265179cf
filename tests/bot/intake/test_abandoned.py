"""No location after the safety card: asked again once at ``no_location_reask_s`` with one-tap keys, then
the duty dispatcher at ``no_location_desk_s`` (a ticket they can /msg); timers are rows, re-checked
before acting, and a report that has a location is never chased. Fake clock throughout."""

from __future__ import annotations

from pathlib import Path

from bot.clock import FakeClock
from bot.config.settings import IntakeConfig, Settings
from bot.i18n import t
from bot.intake.abandoned import AbandonedWatch
from bot.scheduler import Scheduler
from common.events import EventKind, Priority, Text
from storage.db import Database
from storage.engines import open_database
from tests.kit import template
from tests.kit.harness import Harness
from tests.kit.people import CREW_A, DISPATCHER, RESIDENT


def _watch(settings: Settings, db: Database, clock: FakeClock) -> AbandonedWatch:
    return AbandonedWatch(settings, db, clock, Scheduler(), lambda: None)


async def test_reask_at_60_s_then_the_dispatcher_at_120_s(settings: Settings, db: Database, clock: FakeClock) -> None:
    assert (settings.intake.no_location_reask_s, settings.intake.no_location_desk_s) == (60, 120), "the defaults"
    h = await Harness(settings, db, clock).setup()
    watch = _watch(settings, db, clock)
    await h.event(RESIDENT, EventKind.TEXT, text="I smell gas in the hallway", name="Zhang Wei")
    await h.text(RESIDENT, "it is getting stronger, I can hear hissing")  # not an address
    clock.advance(59)
    assert await watch.run_due() == 0, "not yet"
    clock.advance(1)
    assert await watch.run_due() == 1, "60 s after the card"
    [reask] = await h.outbox("abandoned_reask")
    assert isinstance(reask.message, Text) and reask.priority is Priority.EMERGENCY
    assert reask.message.text == t("en", "abandoned.reask", hotline="96777")
    keys = [key for row in reask.message.keyboard or [] for key in row]
    assert keys[0].location, "one tap: share the location"
    assert t("en", "intake.type_address_key") in [k.text for k in keys]
    assert [k.text for k in keys if k.contact] == [t("en", "intake.call_me_key")], "one tap: call me instead"
    assert await watch.run_due() == 0, "asked once"
    clock.advance(59)
    assert await watch.run_due() == 0
    clock.advance(1)
    assert await watch.run_due() == 1, "120 s after the card"
    desk = await h.outbox("abandoned_desk")
    assert [row.chat for row in desk] == [DISPATCHER]
    text = desk[0].message.text  # type: ignore[union-attr]
    assert "Zhang Wei" in text and "I smell gas in the hallway / it is getting stronger" in text, "all they said"
    assert "/msg 1" in text and t("zh", "abandoned.desk_no_phone") in text
    assert await db.scalar("SELECT status FROM tickets WHERE id = 1") == "followup", "with the desk, not a crew"
    assert await db.scalar("SELECT COUNT(*) FROM outbox WHERE purpose = 'receipt' AND chat = ?", (RESIDENT,)) == 1
    clock.advance(600)
    assert await watch.run_due() == 0, "the timer is done"
    # the dispatcher can write to them
    await h.text(DISPATCHER, "/msg 1 Where are you? Please send your location")
    assert [row.chat for row in await h.outbox("relay")] == [RESIDENT]
    # a location that comes later dispatches the ticket the desk has
    await h.event(RESIDENT, EventKind.LOCATION, latitude=31.2304, longitude=121.4737)
    assert await db.scalar("SELECT status FROM tickets WHERE id = 1") == "dispatched"
    assert sorted(row.chat for row in await h.outbox("dispatch")) == sorted(CREW_A)
    assert await db.scalar("SELECT COUNT(*) FROM tickets") == 1


async def test_the_times_are_configuration(settings: Settings, db: Database, clock: FakeClock) -> None:
    quick = settings.model_copy(update={"intake": IntakeConfig(no_location_reask_s=20, no_location_desk_s=45)})
    h = await Harness(quick, db, clock).setup()
    watch = _watch(quick, db, clock)
    await h.text(RESIDENT, "I smell gas")
    clock.advance(20)
    assert await watch.run_due() == 1 and len(await h.outbox("abandoned_reask")) == 1
    clock.advance(25)
    assert await watch.run_due() == 1 and len(await h.outbox("abandoned_desk")) == 1


async def test_the_chase_waits_while_the_residents_chat_still_has_messages_queued(
    settings: Settings, db: Database, clock: FakeClock
) -> None:
    """In a surge the safety cards go first and the location question waits behind them: nobody is asked
    again, or passed to the desk as silent, before they were asked; the clock runs from the chat being clear."""
    h = await Harness(settings, db, clock).setup()
    queued = {"yes": True}
    watch = AbandonedWatch(
        settings, db, clock, Scheduler(), lambda: None, waiting=lambda channel, chat: queued["yes"] and chat == RESIDENT
    )
    await h.text(RESIDENT, "I smell gas")
    clock.advance(60)
    assert await watch.run_due() == 0, "the question has not reached them yet"
    clock.advance(40)  # the queue drains 100 s after the card
    assert await watch.run_due() == 0
    queued["yes"] = False
    clock.advance(5)
    assert await watch.run_due() == 0, "clear now, but asked only 5 s ago at most"
    clock.advance(50)
    assert await watch.run_due() == 0 and await h.outbox("abandoned_reask") == []
    clock.advance(5)  # 60 s after it was last seen waiting
    assert await watch.run_due() == 1 and len(await h.outbox("abandoned_reask")) == 1
    clock.advance(59)
    assert await watch.run_due() == 0 and await h.outbox("abandoned_desk") == [], "a whole interval to answer"
    clock.advance(1)
    assert await watch.run_due() == 1 and len(await h.outbox("abandoned_desk")) == 1


async def test_a_location_in_time_is_never_chased(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await Harness(settings, db, clock).setup()
    watch = _watch(settings, db, clock)
    await h.text(RESIDENT, "I smell gas")
    clock.advance(30)
    await h.event(RESIDENT, EventKind.LOCATION, latitude=31.2304, longitude=121.4737)
    clock.advance(300)
    assert await watch.run_due() == 0
    assert await h.outbox("abandoned_reask") == [] and await h.outbox("abandoned_desk") == []
    assert await db.scalar("SELECT status FROM timers WHERE kind = 'abandoned'") == "cancelled"


async def test_call_me_instead_reaches_the_desk_at_once(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await Harness(settings, db, clock).setup()
    watch = _watch(settings, db, clock)
    await h.event(RESIDENT, EventKind.TEXT, text="gas smell, I'm outside", name="Zhang Wei")
    await h.event(RESIDENT, EventKind.CONTACT, phone="+86 138 1234 5678")
    desk = await h.outbox("abandoned_desk")
    assert [row.chat for row in desk] == [DISPATCHER]
    assert "138 1234 5678" in desk[0].message.text  # type: ignore[union-attr]
    [receipt] = await h.outbox("receipt")
    assert receipt.message.text == t("en", "intake.call_me_noted", ticket=1, hotline="96777")  # type: ignore[union-attr]
    clock.advance(300)
    assert await watch.run_due() == 0, "nothing left to chase"
    assert await db.scalar("SELECT phone FROM tickets WHERE id = 1") == "+8613812345678"


async def test_type_the_address_key_asks_for_it(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await Harness(settings, db, clock).setup()
    await h.text(RESIDENT, "I smell gas")
    replies = await h.text(RESIDENT, t("en", "intake.type_address_key"))
    assert [r.text for r in replies if isinstance(r, Text)] == [t("en", "intake.type_address")]
    assert await db.scalar("SELECT COUNT(*) FROM tickets") == 0, "the key is not taken for an address"
    await h.text(RESIDENT, "Lane 12 No. 8, flat 301")
    assert await db.scalar("SELECT address FROM tickets WHERE id = 1") == "Lane 12 No. 8, flat 301"


async def test_a_calm_report_is_not_chased(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await Harness(settings, db, clock).setup()
    watch = _watch(settings, db, clock)
    await h.text(RESIDENT, "/report")
    await h.press(RESIDENT, "i:c:meter")
    clock.advance(settings.intake.no_location_desk_s * 3)
    assert await watch.run_due() == 0
    assert await db.scalar("SELECT COUNT(*) FROM timers WHERE kind = 'abandoned'") == 0


async def test_timers_survive_a_restart(settings: Settings, clock: FakeClock, migrated: Path) -> None:
    db = await template.fresh(migrated, settings.storage)
    try:
        h = await Harness(settings, db, clock).setup()
        await h.text(RESIDENT, "I smell gas")
    finally:
        await db.close()
    clock.advance(settings.intake.no_location_reask_s + 1)
    db = await open_database(settings.storage)
    try:
        watch = _watch(settings, db, clock)
        await watch.start()  # start-up runs the rows that fell due while the bot was down
        await watch.stop()
        h = Harness(settings, db, clock)
        assert [n.chat for n in await h.outbox("abandoned_reask")] == [RESIDENT]
    finally:
        await db.close()


async def test_a_service_report_turned_emergency_is_chased_from_the_card(
    settings: Settings, db: Database, clock: FakeClock
) -> None:
    h = await Harness(settings, db, clock).setup()
    watch = _watch(settings, db, clock)
    await h.text(RESIDENT, "/report")
    await h.press(RESIDENT, "i:c:complaint")
    clock.advance(300)  # a while writing
    await h.text(RESIDENT, "the gas pipe in my kitchen is hissing")  # the card now, and where first
    clock.advance(59)
    assert await watch.run_due() == 0, "timed from the card, not from the start of the report"
    clock.advance(1)
    assert await watch.run_due() == 1 and len(await h.outbox("abandoned_reask")) == 1
