"""Safety questions: answers matched in both scripts, suggestions as buttons, and "this did not answer me"
opens a question ticket on the dispatchers' desk."""

from __future__ import annotations

from bot.clock import FakeClock
from bot.config.settings import Settings
from bot.i18n import t
from bot.questions import knowledge
from storage.db import Database
from storage.tickets import TicketsRepo
from tests.kit.harness import Harness, button_data, texts
from tests.kit.people import DISPATCHER, RESIDENT


async def test_confident_answer_in_english(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await Harness(settings, db, clock).setup()
    replies = await h.text(RESIDENT, "where is the gas valve")
    assert knowledge.entry("valve_where").answer("en", hotline="96777") in texts(replies)
    assert "q:no:valve_where" in button_data(replies)


async def test_confident_answer_in_chinese_and_traditional(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await Harness(settings, db, clock).setup()
    replies = await h.text(RESIDENT, "燃气软管多久换一次", lang="zh")
    assert knowledge.entry("hose_replace").answer("zh", hotline="96777") in texts(replies)
    replies = await h.text(RESIDENT, "燃氣軟管多久換一次", lang="zh")
    assert knowledge.entry("hose_replace").answer("zh", hotline="96777") in texts(replies)


async def test_likely_matches_are_offered_as_buttons(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await Harness(settings, db, clock).setup()
    replies = await h.text(RESIDENT, "my meter")
    assert t("en", "qa.suggest") in texts(replies)
    offered = [d for d in button_data(replies) if d.startswith("q:a:")]
    assert offered and "q:ask" in button_data(replies)
    shown = await h.press(RESIDENT, offered[0])
    assert knowledge.entry(offered[0][4:]).answer("en", hotline="96777") in texts(shown)


async def test_not_answered_opens_a_question_ticket_for_the_desk(
    settings: Settings, db: Database, clock: FakeClock
) -> None:
    h = await Harness(settings, db, clock).setup()
    await h.text(RESIDENT, "where is the gas valve")
    await h.press(RESIDENT, "q:no:valve_where")
    async with db.lock:
        ticket = await TicketsRepo(db.conn).get(1)
    assert ticket is not None and ticket.category == "question" and ticket.status == "followup"
    assert ticket.details["details"] == "where is the gas valve"
    receipt = (await h.outbox("receipt"))[0]
    assert receipt.message.text == t("en", "qa.ticket_opened", ticket=1, hotline="96777")  # type: ignore[union-attr]
    assert any(row.chat == DISPATCHER for row in await h.outbox("desk")), "the desk sees the question"


async def test_no_match_still_gets_a_person(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await Harness(settings, db, clock).setup()
    replies = await h.text(RESIDENT, "are you hiring drivers")  # bills: answered since issue 15
    assert t("en", "qa.no_match", hotline="96777") in texts(replies)
    await h.press(RESIDENT, "q:ask")
    assert await db.scalar("SELECT category FROM tickets WHERE id = 1") == "question"


async def test_asking_a_person_without_a_typed_question_asks_for_it(
    settings: Settings, db: Database, clock: FakeClock
) -> None:
    h = await Harness(settings, db, clock).setup()
    menu = await h.text(RESIDENT, t("en", "menu.questions"))
    assert any(d.startswith("q:a:") for d in button_data(menu))
    replies = await h.press(RESIDENT, "q:ask")
    assert t("en", "form.details.ask") in texts(replies)


async def test_forged_question_button(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await Harness(settings, db, clock).setup()
    replies = await h.press(RESIDENT, "q:a:no_such_entry")
    assert t("en", "start.stale_button") in texts(replies)


async def test_the_dispatchers_answer_reaches_the_resident(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await Harness(settings, db, clock).setup()
    await h.text(RESIDENT, "how do I pay my bill online with alipay")
    await h.press(RESIDENT, "q:ask")
    hint = [row for row in await h.outbox("desk") if "/msg 1" in row.message.text]  # type: ignore[union-attr]
    assert [row.chat for row in hint] == [DISPATCHER]
    await h.text(DISPATCHER, "/msg 1 Open the Alipay city service and choose gas.", lang="en")
    relayed = [row for row in await h.outbox() if row.chat == RESIDENT and row.purpose != "receipt"]
    assert any("Open the Alipay city service" in row.message.text for row in relayed)  # type: ignore[union-attr]
