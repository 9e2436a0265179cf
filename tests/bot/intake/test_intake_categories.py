"""Every category's form, in both languages, through the core over real SQLite; summary, edit, confirm;
anonymous reports; a restart at every step of the leak form resumes at that step."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.config.settings import Settings
from bot.i18n import t
from bot.intake.forms import CATEGORIES
from bot.intake.triage import routing, triage
from common.events import EventKind
from storage.conversations import ConversationsRepo
from storage.db import Database
from storage.engines import open_database
from storage.tickets import TicketsRepo
from tests.kit import template
from tests.kit.forms import LEAK_STEPS, fill, fill_leak_form, report
from tests.kit.harness import Harness, button_data, texts
from tests.kit.people import RESIDENT

EXPECTED_ROUTE = {cid: routing(triage(cid, {})) for cid in CATEGORIES}


async def _ticket(db: Database, ticket_id: int = 1):  # type: ignore[no-untyped-def]
    async with db.lock:
        return await TicketsRepo(db.conn).get(ticket_id)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("category", list(CATEGORIES))
async def test_every_category_commits_a_ticket(
    settings: Settings, db: Database, clock: FakeClock, category: str, lang: str
) -> None:
    h = await Harness(settings, db, clock).setup()
    await report(h, RESIDENT, category, lang)
    ticket = await _ticket(db)
    assert ticket is not None and ticket.category == category and ticket.lang == lang
    assert ticket.status == routing(triage(category, ticket.details))
    receipts = await h.outbox("receipt")
    assert len(receipts) == 1 and f"#{ticket.id}" in receipts[0].message.text  # type: ignore[union-attr]
    if "photos" in CATEGORIES[category].fields:
        assert ticket.details["photos"] == ["photo-file-1"]
    if category in ("complaint", "question"):
        assert ticket.details["details"]
    else:
        assert ticket.latitude is not None, "the shared pin is stored"
        assert ticket.address, "and the typed address with it"


async def test_anonymous_theft_report(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await Harness(settings, db, clock).setup()
    await h.text(RESIDENT, "/report")
    await h.press(RESIDENT, "i:c:theft")
    await h.event(RESIDENT, EventKind.TEXT, text="No. 8 Lane 12, the shop on the ground floor")
    await h.text(RESIDENT, "They bypass the meter at night")
    await h.press(RESIDENT, "i:f:photos:-")
    replies = await h.press(RESIDENT, "i:f:phone_optional:-")
    assert "i:s:ok" in button_data(replies)
    await h.press(RESIDENT, "i:s:ok")
    ticket = await _ticket(db)
    assert ticket is not None and ticket.phone is None and ticket.severity == "P4"


async def test_phone_is_validated_with_china_as_default_region(
    settings: Settings, db: Database, clock: FakeClock
) -> None:
    h = await Harness(settings, db, clock).setup()
    await h.text(RESIDENT, "I smell gas")
    await fill_leak_form(h, upto="phone")
    bad = await h.text(RESIDENT, "12345")
    assert t("en", "intake.need_phone") in texts(bad)
    await h.text(RESIDENT, "010-6512 3456")
    async with db.lock:
        conv = await ConversationsRepo(db.conn).get("telegram", RESIDENT)
    assert conv is not None and conv.data["answers"]["phone"] == "+861065123456"


async def test_edit_a_field_from_the_summary(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await Harness(settings, db, clock).setup()
    await h.text(RESIDENT, "/report")
    await h.press(RESIDENT, "i:c:no_gas")
    await fill(h, RESIDENT, "no_gas")
    edit = await h.press(RESIDENT, "i:s:edit")
    assert "i:e:since" in button_data(edit)
    asked = await h.press(RESIDENT, "i:e:since")
    assert "i:f:since:days" in button_data(asked)
    summary = await h.press(RESIDENT, "i:f:since:days")
    assert "i:s:ok" in button_data(summary), "after the change it is straight back to the summary"
    assert any(t("en", "form.since.days") in x for x in texts(summary))
    await h.press(RESIDENT, "i:s:ok")
    ticket = await _ticket(db)
    assert ticket is not None and ticket.details["since"] == "days"


async def test_several_photos_are_kept(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await Harness(settings, db, clock).setup()
    await h.text(RESIDENT, "I smell gas")
    await fill_leak_form(h, upto="photos")
    for n in range(3):
        await h.event(RESIDENT, EventKind.PHOTO, photo=f"file-{n}")
    await h.press(RESIDENT, "i:f:photos:-")
    ticket = await _ticket(db)
    assert ticket is not None and ticket.details["photos"] == ["file-0", "file-1", "file-2"]


@pytest.mark.parametrize("stop", [step for step, _, _ in LEAK_STEPS])
async def test_restart_at_every_step_resumes_there(
    settings: Settings, clock: FakeClock, stop: str, migrated: Path
) -> None:
    db = await template.fresh(migrated, settings.storage)
    try:
        h = await Harness(settings, db, clock).setup()
        await h.text(RESIDENT, "I smell gas in my kitchen")
        await fill_leak_form(h, upto=stop)
    finally:
        await db.close()
    db = await open_database(settings.storage)  # the bot restarted
    try:
        async with db.lock:
            conv = await ConversationsRepo(db.conn).get("telegram", RESIDENT)
        assert conv is not None and conv.step == stop
        h = Harness(settings, db, clock)
        await fill_leak_form(h, start_at=stop)  # the resident carries on where they were
        async with db.lock:
            assert await ConversationsRepo(db.conn).get("telegram", RESIDENT) is None, "the form ended"
        assert await db.scalar("SELECT COUNT(*) FROM tickets") == 1
    finally:
        await db.close()
