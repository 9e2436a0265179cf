"""Odd input that used to reach the catch-all error handler or be guessed at: numbers in other scripts
(``/msg ² hi``, a forged ``t:acc:²``), a phone typed with letters, coordinates off the Earth, a danger
message sent as the group by an anonymous admin, and buttons under inline messages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.config.settings import Settings
from bot.danger import flows as first_answer
from bot.danger.detect import detect
from bot.i18n import Lang, t
from common.events import Answer, EventKind, Text
from storage.conversations import ConversationsRepo
from storage.db import Database
from tests.kit import one_ticket
from tests.kit.crew import ADMIN, crew_settings, harness, kinds, new_ticket, ticket
from tests.kit.forms import fill_leak_form
from tests.kit.harness import Harness, texts
from tests.kit.people import CREW_A, DISPATCHER, RESIDENT

GROUP = "-100777"
ODD = ("²", "①", "١٢", "１２", "12²", "9" * 40, "#²")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return crew_settings(tmp_path)


@pytest.fixture
async def ticketed(settings: Settings, migrated: Path) -> AsyncIterator[Database]:
    """The odd-number tests' database: a copy of one with a routed P1 ticket (``tests.kit.one_ticket``)."""
    database = await one_ticket.open_copy(settings, migrated)
    yield database
    await database.close()


async def audits(db: Database) -> int:
    return int(await db.scalar("SELECT COUNT(*) FROM audit"))


@pytest.mark.parametrize("number", ODD)
@pytest.mark.parametrize(
    ("user", "command"),
    [
        (DISPATCHER, "/msg {n} hi"),
        (CREW_A[1], "/msg {n} hi"),
        (RESIDENT, "/msg {n} hi"),
        (DISPATCHER, "/ticket {n}"),
        (DISPATCHER, "/assign {n} A"),
        (DISPATCHER, "/note {n} checked"),
        (DISPATCHER, "/close {n} done"),
        (DISPATCHER, "/sla {n}"),
    ],
)
async def test_numbers_in_other_scripts_get_a_kind_answer(
    settings: Settings, ticketed: Database, clock: FakeClock, user: str, command: str, number: str
) -> None:
    db = ticketed
    h = await harness(settings, db, clock)
    ticket_id = await one_ticket.the_ticket(h)
    before = await kinds(db, ticket_id)
    replies = texts(await h.text(user, command.format(n=number)))
    assert replies, "an answer, not an exception"
    assert await kinds(db, ticket_id) == before


@pytest.mark.parametrize("number", ODD)
@pytest.mark.parametrize(
    ("user", "data"),
    [
        (CREW_A[1], "t:acc:{n}"),
        (CREW_A[1], "t:cause:{n}:repaired"),
        (RESIDENT, "f:y:{n}"),
        (RESIDENT, "f:r:{n}:5"),
        (CREW_A[1], "r:{n}"),
        (ADMIN, "bc:no:{n}"),
    ],
)
async def test_forged_buttons_with_odd_numbers_are_refused_kindly(
    settings: Settings, ticketed: Database, clock: FakeClock, user: str, data: str, number: str
) -> None:
    db = ticketed
    h = await harness(settings, db, clock)
    ticket_id = await one_ticket.the_ticket(h)
    status = (await ticket(db, ticket_id)).status
    replies = await h.press(user, data.format(n=number))
    assert any(isinstance(r, Answer) for r in replies) or texts(replies)
    assert (await ticket(db, ticket_id)).status == status


async def test_a_forged_accept_with_a_superscript_is_audited(
    settings: Settings, db: Database, clock: FakeClock
) -> None:
    h = await harness(settings, db, clock)
    await new_ticket(h)
    (answer,) = await h.press(CREW_A[1], "t:acc:²")
    assert isinstance(answer, Answer) and answer.text == t("zh", "crew.refused_forged")
    assert await audits(db) == 1


async def _phone_step(h: Harness) -> None:
    await h.text(RESIDENT, "I smell gas in my kitchen")
    await fill_leak_form(h, upto="phone")


@pytest.mark.parametrize(
    "typed", ["1381234OOOO", "138OOOO5678", "138l2345678", "１３８１２３４５６７Ｏ", "13812345678 ext 5"]
)
async def test_a_phone_with_letters_is_asked_again_not_guessed(
    settings: Settings, db: Database, clock: FakeClock, typed: str
) -> None:
    h = await harness(settings, db, clock)
    await _phone_step(h)
    async with db.lock:
        step = (await ConversationsRepo(db.conn).get("telegram", RESIDENT)).step  # type: ignore[union-attr]
    replies = texts(await h.text(RESIDENT, typed))
    assert t("en", "intake.phone_letters") in replies
    async with db.lock:
        conv = await ConversationsRepo(db.conn).get("telegram", RESIDENT)
    assert conv is not None and conv.step == step and "phone" not in conv.data["answers"]
    replies = texts(await h.text(RESIDENT, "138 1234 5678"))
    assert t("en", "intake.phone_letters") not in replies and t("en", "intake.need_phone") not in replies


@pytest.mark.parametrize(
    ("lat", "lon"),
    [(91.0, 121.0), (-90.5, 0.0), (31.2, 180.5), (31.2, -181.0), (float("nan"), 121.0), (31.2, float("inf"))],
)
async def test_coordinates_off_the_earth_are_refused_kindly(
    settings: Settings, db: Database, clock: FakeClock, lat: float, lon: float
) -> None:
    h = await harness(settings, db, clock)
    outside = texts(await h.event(RESIDENT, EventKind.LOCATION, latitude=lat, longitude=lon))
    assert outside == [t("en", "intake.bad_location", hotline="96777")]
    await h.text(RESIDENT, "I smell gas in my kitchen")
    async with db.lock:
        step = (await ConversationsRepo(db.conn).get("telegram", RESIDENT)).step  # type: ignore[union-attr]
    inside = texts(await h.event(RESIDENT, EventKind.LOCATION, latitude=lat, longitude=lon))
    assert inside == [t("en", "intake.bad_location", hotline="96777")]
    async with db.lock:
        conv = await ConversationsRepo(db.conn).get("telegram", RESIDENT)
    assert conv is not None and conv.step == step and "location" not in conv.data.get("answers", {})
    assert await db.scalar("SELECT COUNT(*) FROM tickets") == 0


async def test_an_anonymous_admins_danger_message_gets_the_card_in_the_group(
    settings: Settings, db: Database, clock: FakeClock
) -> None:
    h = await harness(settings, db, clock)
    replies = await h.event(GROUP, EventKind.TEXT, chat=GROUP, private=False, anonymous=True, text="I smell gas!")
    card = first_answer.card(detect("I smell gas!"), Lang.EN, GROUP, "96777")
    cards = [r for r in replies if isinstance(r, Text) and r == card]
    assert cards and all(r.chat == GROUP for r in replies)
    assert texts(replies)[-1] == t("en", "start.anonymous_sender", hotline="96777")
    async with db.lock:
        assert await ConversationsRepo(db.conn).get("telegram", GROUP) is None, "no report is started in the group"
    assert await h.event(GROUP, EventKind.TEXT, chat=GROUP, private=False, anonymous=True, text="see you at 8") == []


async def test_a_button_under_an_inline_message_is_answered(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await harness(settings, db, clock)
    ticket_id = await new_ticket(h)
    (answer,) = await h.event(CREW_A[1], EventKind.BUTTON, data=f"t:acc:{ticket_id}", button_id="iq1", inline=True)
    assert isinstance(answer, Answer) and answer.button_id == "iq1"
    assert answer.text == t("zh", "start.inline_button")  # the crew reads Chinese
    assert (await ticket(db, ticket_id)).status == "dispatched"
