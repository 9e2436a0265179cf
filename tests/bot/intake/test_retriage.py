"""Triage that follows the facts, through the core: danger recognised in an answer of a service report,
a pipe hit by works, fire's short form, no gas in winter, a meter turning, works going on now."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.clock import FakeClock
from bot.config.settings import Settings
from bot.danger.cards import gas_card
from bot.dispatch.card import ticket_text
from bot.i18n import Lang, t
from bot.intake.forms import FIELDS
from common.events import Envelope, EventKind, Priority, Text
from storage.conversations import ConversationsRepo
from storage.db import Database
from storage.tickets import TicketsRepo
from tests.kit.harness import Harness, button_data
from tests.kit.people import DISPATCHER, RESIDENT

LAT, LON = 31.2304, 121.4737


async def _step(db: Database) -> str | None:
    async with db.lock:
        conv = await ConversationsRepo(db.conn).get("telegram", RESIDENT)
    return conv.step if conv else None


async def _row(db: Database) -> tuple[str, str, str]:
    rows = await db.fetchall("SELECT category, severity, status FROM tickets ORDER BY id DESC LIMIT 1")
    return (str(rows[0][0]), str(rows[0][1]), str(rows[0][2]))


async def _service(h: Harness, category: str) -> None:
    await h.text(RESIDENT, "/report")
    await h.press(RESIDENT, f"i:c:{category}")
    await h.event(RESIDENT, EventKind.LOCATION, latitude=LAT, longitude=LON)
    await h.press(RESIDENT, "i:f:address:-")


async def test_danger_in_a_meter_report_becomes_a_leak_at_once(
    settings: Settings, db: Database, clock: FakeClock
) -> None:
    h = await Harness(settings, db, clock).setup()
    await _service(h, "meter")
    await h.press(RESIDENT, "i:f:meter_turning:no")
    assert await db.scalar("SELECT COUNT(*) FROM tickets") == 0, "a P3 meter fault waits for its summary"
    replies = await h.text(RESIDENT, "the meter was smashed and now there is a strong smell of gas")
    assert isinstance(replies[0], Text) and replies[0].priority is Priority.EMERGENCY and "96777" in replies[0].text
    assert await _row(db) == ("leak", "P1", "dispatched"), "re-triaged as a leak and dispatched at its pin"
    assert await db.scalar("SELECT details FROM tickets") is not None
    again = await h.text(RESIDENT, "it smells of gas everywhere")
    assert not any(isinstance(r, Text) and r.text == gas_card("en") for r in again), "the card is shown once"


async def test_danger_before_any_location_asks_where_and_is_chased(
    settings: Settings, db: Database, clock: FakeClock
) -> None:
    h = await Harness(settings, db, clock).setup()
    await h.text(RESIDENT, "/report")
    await h.press(RESIDENT, "i:c:complaint")
    replies = await h.text(RESIDENT, "the pipe in my kitchen is hissing and smells of gas")
    assert any(isinstance(r, Text) and r.keyboard and r.keyboard[0][0].location for r in replies), "where first"
    assert await _step(db) == "location"
    assert await db.scalar("SELECT COUNT(*) FROM timers WHERE kind = 'abandoned' AND status = 'pending'") == 1


async def test_a_typed_excavation_report_is_p1_whatever_the_answers(
    settings: Settings, db: Database, clock: FakeClock
) -> None:
    h = await Harness(settings, db, clock).setup()
    await h.text(RESIDENT, "a digger hit the gas pipe outside our building")
    await h.event(RESIDENT, EventKind.LOCATION, latitude=LAT, longitude=LON)
    await h.press(RESIDENT, "i:f:address:-")
    await h.press(RESIDENT, "i:f:strength:faint")
    assert await _row(db) == ("excavation", "P1", "dispatched")
    assert await db.scalar("SELECT COUNT(*) FROM ticket_events WHERE kind = 'severity_kept'") == 0


async def test_fire_is_a_short_form_without_smell_questions(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await Harness(settings, db, clock).setup()
    await h.text(RESIDENT, "there is a fire in the kitchen")
    await h.event(RESIDENT, EventKind.LOCATION, latitude=LAT, longitude=LON)
    assert await _row(db) == ("fire", "P1", "dispatched")
    asked = []
    for _ in range(10):
        step = await _step(db)
        if step is None:
            break
        asked.append(step)
        spec = FIELDS[step]
        if spec.options:
            await h.press(RESIDENT, f"i:f:{step}:{spec.options[0]}")
        elif spec.optional:
            await h.press(RESIDENT, f"i:f:{step}:-")
        else:
            await h.event(RESIDENT, EventKind.CONTACT, phone="+8613812345678")
    assert asked == ["address", "fire_where", "inside", "injured", "phone", "access"]


async def test_no_gas_in_winter_with_vulnerable_people_is_p2_and_neighbours_alert_the_desk(
    settings: Settings, db: Database, clock: FakeClock
) -> None:
    h = await Harness(settings, db, clock).setup()  # 1 March: the heating season by default
    await _service(h, "no_gas")
    assert await _step(db) == "heating"
    await h.press(RESIDENT, "i:f:heating:vulnerable")
    assert await _row(db) == ("no_gas", "P2", "dispatched")
    replies = await h.press(RESIDENT, "i:f:neighbours_out:yes")
    assert "i:f:since:now" in button_data(replies)
    desk = [row for row in await h.outbox("desk") if row.chat == DISPATCHER]
    assert any(t("zh", "desk.network_fault", ticket=1) in row.message.text for row in desk)  # type: ignore[union-attr]


async def test_no_gas_in_summer_does_not_ask_about_heating(settings: Settings, db: Database) -> None:
    clock = FakeClock(datetime(2027, 7, 1, 2, 0, tzinfo=UTC))
    h = await Harness(settings, db, clock).setup()
    await _service(h, "no_gas")
    assert await _step(db) == "neighbours_out"


async def test_works_on_a_gas_line_going_on_now_are_p2(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await Harness(settings, db, clock).setup()
    await _service(h, "illegal")
    await h.press(RESIDENT, "i:f:happening_now:yes")
    assert await _row(db) == ("illegal", "P2", "dispatched")


async def test_works_not_going_on_now_stay_p4(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await Harness(settings, db, clock).setup()
    await _service(h, "occupation")
    await h.press(RESIDENT, "i:f:happening_now:no")
    assert await db.scalar("SELECT COUNT(*) FROM tickets") == 0
    await h.text(RESIDENT, "a shed was built over the pipe last year")
    await h.press(RESIDENT, "i:f:photos:-")
    await h.press(RESIDENT, "i:f:phone_optional:-")
    await h.press(RESIDENT, "i:s:ok")
    assert await _row(db) == ("occupation", "P4", "followup")


async def test_a_co_alarm_with_a_vulnerable_person_is_p1(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await Harness(settings, db, clock).setup()
    await h.text(RESIDENT, "my CO alarm is going off")
    await h.event(RESIDENT, EventKind.LOCATION, latitude=LAT, longitude=LON)
    await h.press(RESIDENT, "i:f:address:-")
    await h.press(RESIDENT, "i:f:symptoms:none")
    await h.press(RESIDENT, "i:f:vulnerable:children")
    assert await _row(db) == ("co", "P1", "dispatched")
    events = [r[0] for r in await db.fetchall("SELECT kind FROM ticket_events WHERE kind LIKE 'severity%'")]
    assert events == ["severity_kept"], "P2 suggested while the vulnerable question was open, never lowered"


async def test_several_flats_smelling_gas_is_p1_with_the_neighbours_line(
    settings: Settings, db: Database, clock: FakeClock
) -> None:
    h = await Harness(settings, db, clock).setup()
    await h.text(RESIDENT, "I smell gas")
    await h.event(RESIDENT, EventKind.LOCATION, latitude=LAT, longitude=LON)
    await h.press(RESIDENT, "i:f:address:-")
    await h.press(RESIDENT, "i:f:where:stairwell")
    for answer in ("i:f:strength:faint", "i:f:valve:closed", "i:f:unwell:no"):
        await h.press(RESIDENT, answer)
    assert await _row(db) == ("leak", "P1", "dispatched")
    edits = await h.outbox("dispatch_edit")
    assert t("zh", "crew.card_neighbours") in edits[-1].message.text  # type: ignore[union-attr]
    assert not any(
        t("zh", "crew.update_severity_kept", kept="P1", suggested="P2") in e.message.text  # type: ignore[union-attr]
        for e in edits
    )


async def test_each_answer_edits_the_crew_card_with_the_ticket_as_stored(
    settings: Settings, db: Database, clock: FakeClock
) -> None:
    """The card edited after an answer is rendered from the ticket as the answer left it in the database."""
    h = await Harness(settings, db, clock).setup()
    await h.text(RESIDENT, "There is a strong smell of gas in my kitchen")
    await h.event(RESIDENT, EventKind.LOCATION, latitude=LAT, longitude=LON)
    answers = [("text", "Building 3, Unit 2, Flat 501"), ("press", "i:f:where:home"), ("press", "i:f:strength:strong")]
    answers += [("press", "i:f:valve:closed"), ("press", "i:f:unwell:no"), ("contact", "+8613812345678")]
    for kind, value in answers:
        if kind == "text":
            await h.text(RESIDENT, value)
        elif kind == "press":
            await h.press(RESIDENT, value)
        else:
            await h.event(RESIDENT, EventKind.CONTACT, phone=value)
        ticket_id = int(await db.scalar("SELECT id FROM tickets"))
        stored = await db.read(lambda tx, ticket_id=ticket_id: TicketsRepo(tx).get(ticket_id))
        assert stored is not None
        edits = await db.fetchall(
            "SELECT o.payload, p.lang FROM outbox o JOIN people p ON p.id = o.recipient_id"
            " WHERE o.purpose = 'dispatch_edit' AND o.status = 'pending'"
        )
        assert edits, f"no card edit after {value!r}"
        for payload, lang in edits:
            card = ticket_text(Lang(lang), stored, settings)
            assert card in Envelope.model_validate_json(payload).message.text, value
