"""The first answer through the core: the full card and the report, the short card with its one tap, and
the medical path's question."""

from __future__ import annotations

from bot.clock import FakeClock
from bot.config.settings import Settings
from bot.danger.cards import Situation, compose, gas_card, maybe_text
from bot.i18n import Lang, t
from bot.questions import knowledge
from common.events import Priority, Text
from storage.conversations import ConversationsRepo
from storage.db import Database
from storage.tickets import TicketsRepo
from tests.kit.harness import Harness, button_data, texts
from tests.kit.people import CREW_A, DISPATCHER, RESIDENT


async def _conv_flow(db: Database) -> str | None:
    async with db.lock:
        conv = await ConversationsRepo(db.conn).get("telegram", RESIDENT)
    return conv.flow if conv else None


async def test_a_present_alarm_asked_as_a_question_gets_the_card_then_the_report(
    settings: Settings, db: Database, clock: FakeClock
) -> None:
    h = await Harness(settings, db, clock).setup()
    replies = await h.text(RESIDENT, "厨房着火了怎么办", lang="zh")
    first = replies[0]
    assert isinstance(first, Text) and first.priority is Priority.EMERGENCY
    card = compose(Situation(fire=True), Lang.ZH, "96777")
    assert first.text == f"{card}\n\n{t('zh', 'form.location.ask')}", "the card's advice first, then where"
    assert len([r for r in replies if isinstance(r, Text) and r.text.startswith("🔥")]) == 1, "one card"
    assert await _conv_flow(db) == "intake"


async def test_a_maybe_gets_the_answer_and_the_short_card_then_one_tap_to_the_report(
    settings: Settings, db: Database, clock: FakeClock
) -> None:
    h = await Harness(settings, db, clock).setup()
    replies = await h.text(RESIDENT, "What should I do when a gas alarm goes off?")
    assert texts(replies)[0] == maybe_text(Lang.EN, "96777"), "the short card first"
    assert knowledge.entry("alarm_beeping").answer("en", hotline="96777") in texts(replies), "and the answer"
    data = button_data(replies)
    now_button = next(d for d in data if d.startswith("d:now:"))
    assert "d:ask" in data
    tapped = await h.press(RESIDENT, now_button)
    assert gas_card("en") in texts(tapped)
    assert await _conv_flow(db) == "intake", "the report has started"


async def test_just_asking_ends_it_kindly(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await Harness(settings, db, clock).setup()
    await h.text(RESIDENT, "如果燃气泄漏了应该怎么办", lang="zh")
    replies = await h.press(RESIDENT, "d:ask", lang="zh")
    assert t("zh", "danger.just_asking", hotline="96777") in texts(replies)
    assert await _conv_flow(db) != "intake"


async def test_someone_not_breathing_gets_120_first_then_one_question(
    settings: Settings, db: Database, clock: FakeClock
) -> None:
    h = await Harness(settings, db, clock).setup()
    replies = await h.text(RESIDENT, "my mum collapsed and she is not breathing")
    assert texts(replies)[0] == compose(Situation(medical=True), Lang.EN, "96777")
    assert "Call 120" in texts(replies)[0] and "CPR" in texts(replies)[0]
    assert t("en", "danger.source_ask") in texts(replies)
    assert {"d:m:yes", "d:m:no", "d:m:unsure"} <= set(button_data(replies))
    assert await _conv_flow(db) == "medical"


async def test_a_gas_source_nearby_turns_it_into_a_p1_co_report(
    settings: Settings, db: Database, clock: FakeClock
) -> None:
    h = await Harness(settings, db, clock).setup()
    await h.text(RESIDENT, "孩子怎么叫都叫不醒", lang="zh")
    replies = await h.text(RESIDENT, "有", lang="zh")  # typed, not tapped
    assert compose(Situation(co=True, ill=True, medical=True), Lang.ZH, "96777") in texts(replies)
    assert await _conv_flow(db) == "intake"
    async with db.lock:
        conv = await ConversationsRepo(db.conn).get("telegram", RESIDENT)
    assert conv is not None and conv.data["category"] == "co" and conv.data["answers"]["symptoms"] == "severe"


async def test_no_gas_source_tells_the_desk_at_once(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await Harness(settings, db, clock).setup()
    await h.text(RESIDENT, "she is not breathing")
    await h.press(RESIDENT, "d:m:no")
    async with db.lock:
        ticket = await TicketsRepo(db.conn).get(1)
    assert ticket is not None and ticket.details["medical"] is True
    desk = [row for row in await h.outbox("desk") if row.chat == DISPATCHER]
    assert desk and "she is not breathing" in desk[0].message.text  # type: ignore[union-attr]
    receipt = (await h.outbox("receipt"))[0]
    assert receipt.message.text == t("en", "danger.desk_told", ticket=1, hotline="96777")  # type: ignore[union-attr]
    assert await _conv_flow(db) is None


async def test_a_gas_word_while_the_medical_question_waits_answers_it(
    settings: Settings, db: Database, clock: FakeClock
) -> None:
    h = await Harness(settings, db, clock).setup()
    await h.text(RESIDENT, "he collapsed and won't wake up")
    replies = await h.text(RESIDENT, "there is a smell of gas in here")
    assert texts(replies)[0].startswith("🚑"), "the composed gas-and-collapse card"
    assert await _conv_flow(db) == "intake"


async def test_a_crew_members_notes_get_no_card_but_a_resident_in_a_group_does(
    settings: Settings, db: Database, clock: FakeClock
) -> None:
    h = await Harness(settings, db, clock).setup()
    replies = await h.text(RESIDENT, "如果燃气泄漏怎么办", lang="zh", chat="-100", private=False)
    assert not any(r.priority is Priority.EMERGENCY for r in replies), "a maybe in a group is chatter"
    replies = await h.text(CREW_A[0], "kitchen on fire", chat="-100", private=False)
    assert replies and replies[0].priority is Priority.EMERGENCY, "danger in a group gets the card there"
