"""The first path through the core: a resident reports a smell of gas, the crew on duty takes it."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.clock import FakeClock
from bot.config.settings import Settings
from bot.danger.cards import gas_card
from bot.i18n import t
from common.events import Answer, Edit, EventKind, Priority, Text
from storage.db import Database
from storage.engines import open_database
from storage.tickets import TicketsRepo
from tests.kit import template
from tests.kit.forms import LEAK_STEPS, fill_leak_form, report_leak
from tests.kit.harness import Harness, button_data, texts
from tests.kit.people import CREW_A, CREW_B, RESIDENT


async def test_safety_card_comes_first_then_location(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await Harness(settings, db, clock).setup()
    replies = await h.text(RESIDENT, "I smell gas in my kitchen")
    first = replies[0]
    assert isinstance(first, Text) and first.priority is Priority.EMERGENCY and first.safety
    assert "96777" in first.text
    # the advice first, then where, on the same message: asked at the moment the card arrives
    assert first.text == f"{gas_card('en')}\n\n{t('en', 'form.location.ask')}"
    assert first.keyboard and first.keyboard[0][0].location
    keys = [key.text for row in first.keyboard for key in row]
    assert keys == [t("en", k) for k in ("intake.share_location", "intake.type_address_key", "intake.call_me_key")] + [
        t("en", "intake.cancel_key")
    ]
    assert t("en", "form.location.ask") not in texts(replies[1:]), "not asked twice"


async def test_the_menus_i_smell_gas_asks_where_on_its_card(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await Harness(settings, db, clock).setup()
    replies = await h.text(RESIDENT, t("en", "menu.smell_gas"))
    card = replies[0]
    assert isinstance(card, Text) and card.safety and card.text.startswith(gas_card("en"))
    assert card.text.endswith(t("en", "form.location.ask")) and card.keyboard and card.keyboard[0][0].location
    assert texts(replies).count(t("en", "form.location.ask")) == 0, "asked once, on the card"
    await h.event(RESIDENT, EventKind.LOCATION, latitude=31.2304, longitude=121.4737)
    assert await db.scalar("SELECT status FROM tickets WHERE id = 1") == "dispatched", "the card's key answers it"


async def test_full_leak_path_commits_ticket_and_dispatches(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await Harness(settings, db, clock).setup()
    await h.text(RESIDENT, "I smell gas in my kitchen")
    assert await db.scalar("SELECT COUNT(*) FROM tickets") == 0, "no place yet, no ticket"
    await fill_leak_form(h, upto="address")  # the pin
    async with db.lock:
        ticket = await TicketsRepo(db.conn).get(1)
    assert ticket is not None, "committed the moment the bot knows where"
    assert ticket.severity == "P1" and ticket.status == "dispatched", "unanswered questions count as the worst"
    receipt = (await h.outbox("receipt"))[0]
    assert receipt.chat == RESIDENT and receipt.priority is Priority.EMERGENCY
    assert receipt.message.text == t("en", "intake.dispatched_now", ticket=1, hotline="96777")  # type: ignore[union-attr]
    dispatch = await h.outbox("dispatch")
    assert sorted(row.chat for row in dispatch) == sorted(CREW_A), "only crew A is on duty at 10:00"
    assert all(row.priority is Priority.DISPATCH for row in dispatch)
    assert all("t:acc:1" in [b.data for r in row.message.buttons for b in r] for row in dispatch)  # type: ignore[union-attr]
    assert len(await h.outbox("pin")) == 2
    assert h.wakes >= 1
    await fill_leak_form(h, start_at="address")
    async with db.lock:
        ticket = await TicketsRepo(db.conn).get(1)
    assert ticket is not None and ticket.severity == "P1" and ticket.status == "dispatched"
    assert ticket.phone == "+8613812345678"
    assert ticket.address == "Building 3, Unit 2, Flat 501"
    assert ticket.details["vulnerable"] == "elderly"
    assert "_form" not in ticket.details, "the form is finished: nothing is unknown"
    assert len(await h.outbox("receipt")) == 1, "the receipt is not repeated"
    assert await db.scalar("SELECT COUNT(*) FROM tickets") == 1
    assert await db.scalar("SELECT COUNT(*) FROM conversations") == 0, "the form ended with a thank-you"


async def test_first_accept_wins_and_others_see_who(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await Harness(settings, db, clock).setup()
    ticket_id = await report_leak(h)
    before = len(await h.outbox("dispatch_edit"))  # the answers after the pin, edited into the cards
    first, second = await asyncio.gather(
        h.press(CREW_A[0], f"t:acc:{ticket_id}", message_id="11"),
        h.press(CREW_A[1], f"t:acc:{ticket_id}", message_id="12"),
    )
    async with db.lock:
        ticket = await TicketsRepo(db.conn).get(ticket_id)
        events = await TicketsRepo(db.conn).events(ticket_id)
    assert ticket is not None and ticket.status == "accepted"
    assert [e.kind for e in events].count("accepted") == 1
    winners = [r for r in (first, second) if any(isinstance(x, Edit) and x.buttons for x in r)]
    assert len(winners) == 1, "exactly one member gets the progress buttons"
    loser_replies = second if winners[0] is first else first
    loser_answer = next(r for r in loser_replies if isinstance(r, Answer))
    winner = await db.scalar("SELECT name FROM people WHERE id = ?", (ticket.assignee_id,))
    assert loser_answer.text == t("zh", "crew.already_taken", name=winner), "staff speak Chinese unless they switch"
    edits = (await h.outbox("dispatch_edit"))[before:]
    assert len(edits) == 1 and isinstance(edits[0].message, Edit) and edits[0].message.of_outbox is not None
    told = await h.outbox("resident")
    assert len(told) == 1 and told[0].chat == RESIDENT


async def test_crew_progress_to_resolved_tells_resident(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await Harness(settings, db, clock).setup()
    ticket_id = await report_leak(h)
    await h.press(CREW_A[0], f"t:acc:{ticket_id}")
    clock.advance(600)
    await h.press(CREW_A[0], f"t:site:{ticket_id}")
    causes = await h.press(CREW_A[0], f"t:res:{ticket_id}")
    assert any(isinstance(r, Edit) and any("t:cause" in b.data for row in r.buttons for b in row) for r in causes)
    await h.press(CREW_A[0], f"t:cause:{ticket_id}:valve_hose")
    async with db.lock:
        ticket = await TicketsRepo(db.conn).get(ticket_id)
        kinds = [e.kind for e in await TicketsRepo(db.conn).events(ticket_id)]
    assert ticket is not None and ticket.status == "resolved" and ticket.cause == "valve_hose"
    assert ticket.arrived_at is not None and ticket.resolved_at is not None
    assert [k for k in kinds if k != "updated"] == ["created", "dispatched", "accepted", "on_site", "resolved"]
    assert kinds.count("updated") == len(LEAK_STEPS) - 1, "every answer after the pin updated the ticket"
    told = [row.message.text for row in await h.outbox("resident") if isinstance(row.message, Text)]
    assert len(told) == 3 and "Valve or hose replaced" in told[-1]


async def test_resident_pressing_crew_button_is_refused_and_audited(
    settings: Settings, db: Database, clock: FakeClock
) -> None:
    h = await Harness(settings, db, clock).setup()
    ticket_id = await report_leak(h)
    replies = await h.press("7777", f"t:acc:{ticket_id}")
    assert any(isinstance(r, Answer) and "crew" in r.text.lower() for r in replies)
    assert await db.scalar("SELECT COUNT(*) FROM audit WHERE action = 'crew_button'") == 1
    assert await db.scalar("SELECT status FROM tickets WHERE id = ?", (ticket_id,)) == "dispatched"


async def test_only_the_assignee_moves_the_ticket_on(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await Harness(settings, db, clock).setup()
    ticket_id = await report_leak(h)
    await h.press(CREW_A[0], f"t:acc:{ticket_id}")
    await h.press(CREW_B[0], f"t:site:{ticket_id}")
    assert await db.scalar("SELECT status FROM tickets WHERE id = ?", (ticket_id,)) == "accepted"
    assert await db.scalar("SELECT COUNT(*) FROM audit WHERE detail LIKE 'not_yours%'") == 1


async def test_cancel_before_the_location_leaves_no_ticket(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await Harness(settings, db, clock).setup()
    await h.text(RESIDENT, "gas leak")
    replies = await h.text(RESIDENT, "/cancel")
    assert texts(replies) == [t("en", "intake.cancelled")]
    assert await db.scalar("SELECT COUNT(*) FROM tickets") == 0
    assert await db.scalar("SELECT COUNT(*) FROM conversations") == 0
    assert await db.scalar("SELECT COUNT(*) FROM timers WHERE kind = 'abandoned' AND status = 'pending'") == 0


async def test_stopping_after_the_location_keeps_the_dispatched_ticket(
    settings: Settings, db: Database, clock: FakeClock
) -> None:
    h = await Harness(settings, db, clock).setup()
    await h.text(RESIDENT, "gas leak")
    await fill_leak_form(h, upto="valve")
    replies = await h.text(RESIDENT, "/cancel")
    assert texts(replies) == [t("en", "intake.stopped_ticket_stays", ticket=1, hotline="96777")]
    assert await db.scalar("SELECT status FROM tickets WHERE id = 1") == "dispatched"
    assert await db.scalar("SELECT COUNT(*) FROM conversations") == 0


async def test_restart_mid_report_resumes_at_the_same_step(
    settings: Settings, clock: FakeClock, migrated: Path
) -> None:
    first_db = await template.fresh(migrated, settings.storage)
    h = await Harness(settings, first_db, clock).setup()
    await h.text(RESIDENT, "gas leak")
    await fill_leak_form(h, upto="valve")
    await first_db.close()

    second_db = await open_database(settings.storage)
    try:
        h2 = Harness(settings, second_db, clock)
        replies = await h2.text(RESIDENT, "what now?")
        assert texts(replies)[0] == t("en", "intake.need_choice")
        replies = await h2.press(RESIDENT, "i:f:valve:open")
        assert "i:f:unwell:yes" in button_data(replies)
    finally:
        await second_db.close()


async def test_wrong_phone_is_refused_kindly_and_kept_asking(
    settings: Settings, db: Database, clock: FakeClock
) -> None:
    h = await Harness(settings, db, clock).setup()
    await h.text(RESIDENT, "gas leak")
    await fill_leak_form(h, upto="phone")
    replies = await h.text(RESIDENT, "12345")
    assert texts(replies) == [t("en", "intake.need_phone"), t("en", "form.phone.ask")], "told why, then asked again"
    replies = await h.event(RESIDENT, EventKind.CONTACT, phone="+86 139 0000 1111")
    assert t("en", "form.access.ask") in texts(replies)
