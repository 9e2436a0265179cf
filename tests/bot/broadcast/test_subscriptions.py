"""Subscriptions and the admin's broadcast tools, through the core (real SQLite, no channel)."""

from __future__ import annotations

from bot.broadcast.subscriptions import district_key
from bot.clock import FakeClock
from bot.config.settings import Settings, load_settings
from common.events import Answer, Edit, Text
from storage.db import Database
from tests.kit.harness import Harness, button_data, texts
from tests.kit.people import DISPATCHER, RESIDENT
from tests.kit.settings import settings_dict

ADMIN = "3001"


def with_admin(settings: Settings) -> Settings:
    data = settings_dict(settings.storage.path)
    data["staff"] = [*data["staff"], {"user_id": ADMIN, "name": "Admin", "role": "admin", "lang": "en"}]
    data["districts"] = [{"name": "East", "boxes": [[31.0, 121.0, 32.0, 122.0]]}]
    return load_settings(None, data)


async def tips_of(db: Database, user: str) -> int:
    return int(await db.scalar("SELECT tips FROM people WHERE external_id = ?", (user,)))


async def test_first_start_tells_about_tips_once_and_tips_off_on(
    settings: Settings, db: Database, clock: FakeClock
) -> None:
    h = await Harness(settings, db, clock).setup()
    first = texts(await h.text(RESIDENT, "/start"))
    assert any("/tips off" in x for x in first)
    assert not any(
        "/tips off" in x and "seasonal gas safety tips a year" in x for x in texts(await h.text(RESIDENT, "/start"))
    )
    assert "no more seasonal tips" in texts(await h.text(RESIDENT, "/tips off"))[0]
    assert await tips_of(db, RESIDENT) == 0
    assert "You do not get" in texts(await h.text(RESIDENT, "/tips"))[0]
    await h.text(RESIDENT, "/tips on")
    assert await tips_of(db, RESIDENT) == 1
    actions = [r[0] for r in await db.fetchall("SELECT action FROM subscription_events ORDER BY id")]
    assert actions == ["notified", "off", "on"]


async def test_stop_button_under_a_tip_unsubscribes_and_offers_undo(
    settings: Settings, db: Database, clock: FakeClock
) -> None:
    h = await Harness(settings, db, clock).setup()
    await h.text(RESIDENT, "/start")
    replies = await h.press(RESIDENT, "tips:off")
    assert any(isinstance(r, Answer) for r in replies)
    assert await tips_of(db, RESIDENT) == 0
    assert "tips:on" in button_data(replies)
    await h.press(RESIDENT, "tips:on")
    assert await tips_of(db, RESIDENT) == 1


async def test_district_chosen_explicitly(settings: Settings, db: Database, clock: FakeClock) -> None:
    settings = with_admin(settings)
    h = await Harness(settings, db, clock).setup()
    replies = await h.text(RESIDENT, "/district")
    assert button_data(replies) == [f"tips:dk:{district_key('East')}"]
    await h.press(RESIDENT, button_data(replies)[0])
    assert "Your district: East" in texts(await h.text(RESIDENT, "/district"))[0]


async def test_district_buttons_of_version_1_still_work_and_unknown_ones_expire(
    settings: Settings, db: Database, clock: FakeClock
) -> None:
    settings = with_admin(settings)
    h = await Harness(settings, db, clock).setup()
    await h.press(RESIDENT, "tips:d:East")
    for data in ("tips:d:West", f"tips:dk:{district_key('West')}", "tips:d:黄浦区"):  # gone, renamed, unreadable
        replies = await h.press(RESIDENT, data)
        assert [r.text for r in replies if isinstance(r, Answer)] == ["This button has expired."]
    assert await db.scalar("SELECT district FROM person_districts") == "East"


async def test_broadcast_needs_preview_and_explicit_confirm_by_an_admin(
    settings: Settings, db: Database, clock: FakeClock
) -> None:
    settings = with_admin(settings)
    h = await Harness(settings, db, clock).setup()
    await h.text(RESIDENT, "/start")
    refused = texts(await h.text(RESIDENT, "/broadcast hello"))
    assert refused == ["Sorry, your role may not do that."]
    preview = await h.text(ADMIN, "/broadcast The service hall is closed on 1 October.")
    assert "Recipients: 1 (0 Chinese, 1 English)" in texts(preview)[0]
    assert "The service hall is closed on 1 October." in texts(preview)[1]
    assert button_data(preview) == ["bc:go:1", "bc:no:1"]
    assert await db.scalar("SELECT status FROM broadcasts WHERE id = 1") == "draft"
    confirmed = await h.press(ADMIN, "bc:go:1", message_id="77")
    assert any(isinstance(r, Edit) and "is being sent" in r.text for r in confirmed)
    assert await db.scalar("SELECT status FROM broadcasts WHERE id = 1") == "queued"
    assert await db.scalar("SELECT created_by FROM broadcasts WHERE id = 1") is not None
    again = await h.press(ADMIN, "bc:go:1")
    assert any(isinstance(r, Answer) and r.text == "This button has expired." for r in again)
    listing = texts(await h.text(ADMIN, "/broadcasts"))[0]
    assert "#1 broadcast → subscribers" in listing and "queued" in listing


async def test_area_notice_by_a_dispatcher(settings: Settings, db: Database, clock: FakeClock) -> None:
    settings = with_admin(settings)
    h = await Harness(settings, db, clock).setup()
    assert "片区：East" in texts(await h.text(DISPATCHER, "/notice Nowhere gas off"))[0]  # staff speak zh
    preview = await h.text(DISPATCHER, "/notice East Crews are on site on Main St: do not use open flames.")
    assert button_data(preview) == ["bc:go:1", "bc:no:1"]
    row = await db.fetchone("SELECT kind, audience, urgent, priority FROM broadcasts WHERE id = 1")
    assert tuple(row) == ("notice", "district:East", 1, 3)  # type: ignore[arg-type]
    await h.press(DISPATCHER, "bc:no:1")
    assert await db.scalar("SELECT status FROM broadcasts WHERE id = 1") == "cancelled"
    assert all(isinstance(r, Text | Answer | Edit) for r in preview)
