"""Dispatch as soon as we know where: the ticket exists after the location, every later answer updates it
and edits the crew's cards in place; severity only rises while a crew is on its way; the card is
readable in the dark (a pin-only report: coordinates, a map link, what is still unknown)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from bot.clock import FakeClock
from bot.config.settings import IntakeConfig, Settings
from bot.i18n import t
from bot.intake import geocode
from common.events import Edit, EventKind, Text
from storage.db import Database, from_db
from storage.tickets import Ticket, TicketsRepo
from tests.kit.forms import fill_leak_form
from tests.kit.harness import Harness, texts
from tests.kit.people import CREW_A, CREW_B, DISPATCHER, RESIDENT

PIN = (31.2304, 121.4737)


async def _ticket(db: Database, ticket_id: int = 1) -> Ticket:
    async with db.lock:
        ticket = await TicketsRepo(db.conn).get(ticket_id)
    assert ticket is not None
    return ticket


async def _latest_card(h: Harness, chat: str) -> str:
    """The text the crew member's card shows now: the last edit of it, else the card as sent."""
    cards = [row for row in await h.outbox("dispatch") if row.chat == chat]
    edits = [row for row in await h.outbox("dispatch_edit") if row.chat == chat]
    assert all(isinstance(e.message, Edit) and e.message.of_outbox == cards[0].id for e in edits), "edited in place"
    latest = edits[-1] if edits else cards[0]
    assert isinstance(latest.message, Text | Edit)
    return latest.message.text


async def test_a_resident_who_stops_after_the_pin_has_a_dispatched_ticket(
    settings: Settings, db: Database, clock: FakeClock
) -> None:
    h = await Harness(settings, db, clock).setup()
    await h.text(RESIDENT, "I smell gas in my kitchen")
    await h.event(RESIDENT, EventKind.LOCATION, latitude=PIN[0], longitude=PIN[1])
    ticket = await _ticket(db)
    assert (ticket.status, ticket.severity) == ("dispatched", "P1")
    card = await _latest_card(h, CREW_A[0])
    # readable in the dark: where (coordinates and a map link), and what nobody knows yet
    assert "31.23040, 121.47370" in card and "https://uri.amap.com/marker?position=121.473700,31.230400" in card
    assert t("zh", "crew.card_unknown", fields="").split("{")[0].strip() in card
    unknown_line = next(line for line in card.split("\n") if line.startswith("❔"))
    for label in ("where", "strength", "valve", "phone"):
        assert t("zh", f"form.{label}.label") in unknown_line, f"{label} is still unknown"
    # they answer two more questions, then nothing: the card shows what they said
    await h.press(RESIDENT, "i:f:address:-")
    await h.press(RESIDENT, "i:f:where:home")
    await h.press(RESIDENT, "i:f:strength:hissing")
    card = await _latest_card(h, CREW_A[0])
    assert f"{t('zh', 'form.strength.label')}: {t('zh', 'form.strength.hissing')}" in card
    assert f"{t('zh', 'form.where.label')}: {t('zh', 'form.where.home')}" in card
    last = card.split("\n")[-1]
    assert last == t(
        "zh", "crew.update_line", what=f"{t('zh', 'form.strength.label')}: {t('zh', 'form.strength.hissing')}"
    )
    unknown_line = next(line for line in card.split("\n") if line.startswith("❔"))
    assert t("zh", "form.strength.label") not in unknown_line and t("zh", "form.valve.label") in unknown_line
    ticket = await _ticket(db)
    assert ticket.details["strength"] == "hissing" and ticket.status == "dispatched"
    assert len(await h.outbox("dispatch")) == 2, "no second card: the same messages are edited"


async def test_answers_after_the_pin_edit_every_copy_and_the_form_ends_with_thanks(
    settings: Settings, db: Database, clock: FakeClock
) -> None:
    h = await Harness(settings, db, clock).setup()
    await h.text(RESIDENT, "I smell gas in my kitchen")
    await fill_leak_form(h, upto="photos")
    await h.press(CREW_A[0], "t:acc:1")  # accepted while the resident still answers
    last = await h.press(RESIDENT, "i:f:photos:-")
    [thanks] = await h.outbox("thanks")
    assert thanks.message.text == t("en", "intake.thanks_ticket", ticket=1, hotline="96777")  # type: ignore[union-attr]
    assert "i:s:ok" not in str(last), "no confirm step for an emergency"
    holder, other = await _latest_card(h, CREW_A[0]), await _latest_card(h, CREW_A[1])
    assert t("zh", "crew.card_unknown", fields="").split("{")[0].strip() not in holder, "nothing unknown now"
    edits = [row for row in await h.outbox("dispatch_edit") if row.chat == CREW_A[0]]
    assert "t:site:1" in str(edits[-1].message), "the assignee's copy keeps the progress buttons"
    assert t("zh", "crew.taken_by", name="Wang Qiang") in other


async def test_a_higher_severity_redispatches_and_restarts_the_ack_clock(
    settings: Settings, db: Database, clock: FakeClock
) -> None:
    h = await Harness(settings, db, clock).setup()
    await h.text(RESIDENT, "/report")
    await h.press(RESIDENT, "i:c:meter")
    await h.event(RESIDENT, EventKind.LOCATION, latitude=PIN[0], longitude=PIN[1])
    await h.press(RESIDENT, "i:f:address:-")
    assert await db.scalar("SELECT COUNT(*) FROM tickets") == 0, "a meter fault waits for its summary"
    await h.press(RESIDENT, "i:f:meter_turning:yes")
    ticket = await _ticket(db)
    assert (ticket.category, ticket.severity, ticket.status) == ("meter", "P2", "dispatched"), "turning = leak, P2"
    p2_due = await db.scalar("SELECT due_at_utc FROM timers WHERE kind = 'ack' AND status = 'pending'")
    assert from_db(str(p2_due)) == clock.now() + timedelta(seconds=600)
    clock.advance(90)
    await h.text(RESIDENT, "the meter box is smashed and there is a strong smell of gas")
    ticket = await _ticket(db)
    assert (ticket.category, ticket.severity, ticket.status) == ("leak", "P1", "dispatched")
    acks = await db.fetchall("SELECT status, due_at_utc FROM timers WHERE kind = 'ack' ORDER BY id")
    assert [row[0] for row in acks] == ["cancelled", "pending"]
    assert from_db(str(acks[1][1])) == clock.now() + timedelta(seconds=120), "the P1 clock starts now"
    card = await _latest_card(h, CREW_A[0])
    assert card.split("\n")[0] == t("zh", "crew.update_severity_raised", old="P2", new="P1"), "stated first"
    assert "t:acc:1" in str((await h.outbox("dispatch_edit"))[-1].message), "still offered, with Accept"
    kinds = [row[0] for row in await db.fetchall("SELECT kind FROM ticket_events WHERE ticket_id = 1")]
    assert "severity_raised" in kinds


async def test_a_lower_severity_is_only_a_note(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await Harness(settings, db, clock).setup()
    await h.text(RESIDENT, "I smell gas outside")
    await h.event(RESIDENT, EventKind.LOCATION, latitude=PIN[0], longitude=PIN[1])
    await h.press(RESIDENT, "i:f:address:-")
    await h.press(RESIDENT, "i:f:where:outdoors")
    await h.press(RESIDENT, "i:f:strength:faint")
    ticket = await _ticket(db)
    assert ticket.severity == "P1", "never silently lowered while a crew is on its way"
    card = await _latest_card(h, CREW_A[0])
    assert card.split("\n")[0] == t("zh", "crew.update_severity_kept", kept="P1", suggested="P2")
    assert await db.scalar("SELECT COUNT(*) FROM ticket_events WHERE kind = 'severity_kept'") >= 1


async def test_i_am_at_home_is_one_tap(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await Harness(settings, db, clock).setup()
    await h.text(RESIDENT, "I smell gas in my kitchen")
    await fill_leak_form(h)  # the first report, typed address "Building 3, Unit 2, Flat 501"
    await h.press(CREW_A[0], "t:acc:1")
    for action in ("t:site:1", "t:res:1", "t:cause:1:repaired"):
        await h.press(CREW_A[0], action)
    replies = await h.text(RESIDENT, "I smell gas again")
    key = t("en", "intake.home_key", address="Building 3, Unit 2, Flat 501")
    asked = next(r for r in replies if isinstance(r, Text) and r.keyboard)
    assert asked is replies[0] and asked.safety, "the key is on the safety card, which asks where"
    assert key in [k.text for row in asked.keyboard or [] for k in row]
    await h.text(RESIDENT, key)
    second = await _ticket(db, 2)
    assert second.status == "dispatched" and second.address == "Building 3, Unit 2, Flat 501"
    assert (second.latitude, second.longitude) == PIN


@pytest.fixture
def fake_geocoder() -> Iterator[None]:
    geocode.register("test", lambda lat, lon: f"No. 1 Test Road ({lat:.2f}, {lon:.2f})")
    yield
    geocode.unregister("test")


@pytest.mark.usefixtures("fake_geocoder")
async def test_a_configured_geocoder_names_the_pin(settings: Settings, db: Database, clock: FakeClock) -> None:
    cfg = settings.model_copy(update={"intake": IntakeConfig(geocoder="test")})
    h = await Harness(cfg, db, clock).setup()
    await h.text(RESIDENT, "I smell gas")
    await h.event(RESIDENT, EventKind.LOCATION, latitude=PIN[0], longitude=PIN[1])
    card = await _latest_card(h, CREW_A[0])
    assert t("zh", "crew.card_address_looked_up", address="No. 1 Test Road (31.23, 121.47)") in card
    assert "31.23040, 121.47370" in card, "the pin as well: a looked-up address can be wrong"
    await h.text(RESIDENT, "Building 9, flat 2")  # the resident's own words win
    assert (await _ticket(db)).address == "Building 9, flat 2"


async def test_without_a_geocoder_no_lookup_is_tried(settings: Settings, db: Database, clock: FakeClock) -> None:
    assert settings.intake.geocoder == ""
    assert geocode.address_of(settings, *PIN) is None


async def test_photos_sent_after_the_card_reach_the_crew(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await Harness(settings, db, clock).setup()
    await h.text(RESIDENT, "I smell gas in my kitchen")
    await fill_leak_form(h, upto="photos")
    assert await h.outbox("photo") == []
    await h.event(RESIDENT, EventKind.PHOTO, photo="file-1")
    await h.press(RESIDENT, "i:f:photos:-")
    assert sorted(row.chat for row in await h.outbox("photo")) == sorted(CREW_A)


async def test_a_raise_while_the_crew_is_on_its_way_is_told_to_them(
    settings: Settings, db: Database, clock: FakeClock
) -> None:
    h = await Harness(settings, db, clock).setup()
    await h.text(RESIDENT, "/report")
    await h.press(RESIDENT, "i:c:meter")
    await h.event(RESIDENT, EventKind.LOCATION, latitude=PIN[0], longitude=PIN[1])
    await h.press(RESIDENT, "i:f:address:-")
    await h.press(RESIDENT, "i:f:meter_turning:yes")  # P2, dispatched
    await h.press(CREW_A[0], "t:acc:1")
    await h.press(CREW_A[0], "t:enr:1")
    await h.text(RESIDENT, "now there is a strong smell of gas and a hissing sound")
    ticket = await _ticket(db)
    assert (ticket.severity, ticket.status) == ("P1", "en_route")
    [told] = await h.outbox("raised")
    assert told.chat == CREW_A[0]
    assert told.message.text == t("zh", "crew.severity_raised_alert", ticket=1, old="P2", new="P1")  # type: ignore[union-attr]
    arrive = await db.fetchall("SELECT status, due_at_utc FROM timers WHERE kind = 'arrive' ORDER BY id")
    assert [row[0] for row in arrive] == ["cancelled", "pending"]
    assert from_db(str(arrive[1][1])) == ticket.created_at + timedelta(minutes=30), "the P1 arrival target"


async def test_a_danger_message_at_the_location_question_is_not_an_address(
    settings: Settings, db: Database, clock: FakeClock
) -> None:
    h = await Harness(settings, db, clock).setup()
    await h.text(RESIDENT, "I smell gas in my kitchen")
    replies = await h.text(RESIDENT, "it smells really strong of gas now")
    assert t("en", "intake.need_location") in texts(replies)
    assert await db.scalar("SELECT COUNT(*) FROM tickets") == 0
    await h.text(RESIDENT, "Lane 12 No. 8, flat 301")
    assert await db.scalar("SELECT address FROM tickets WHERE id = 1") == "Lane 12 No. 8, flat 301"


async def test_cards_withdrawn_from_a_crew_are_not_edited_again(
    settings: Settings, db: Database, clock: FakeClock
) -> None:
    h = await Harness(settings, db, clock).setup()
    await h.text(RESIDENT, "I smell gas in my kitchen")
    await fill_leak_form(h, upto="where")
    await h.text(DISPATCHER, "/assign 1 B")  # crew A's cards are withdrawn, crew B gets the ticket
    before = {row.id for row in await h.outbox("dispatch_edit")}
    await h.press(RESIDENT, "i:f:where:home")
    edited = [row.chat for row in await h.outbox("dispatch_edit") if row.id not in before]
    assert edited == list(CREW_B), "only the crew that holds the ticket now"
