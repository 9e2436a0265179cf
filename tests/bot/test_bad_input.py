"""Bad input gets a clear, kind answer and loses nothing."""

from __future__ import annotations

from bot.clock import FakeClock
from bot.config.settings import AreaCircle, IntakeConfig, Settings
from bot.danger.cards import gas_card
from bot.i18n import t
from common.events import Answer, EventKind, Priority, Text
from storage.conversations import ConversationsRepo
from storage.db import Database
from tests.kit.forms import fill_leak_form
from tests.kit.harness import Harness, texts
from tests.kit.people import RESIDENT


async def _step(db: Database, user: str = RESIDENT) -> str | None:
    async with db.lock:
        conv = await ConversationsRepo(db.conn).get("telegram", user)
    return conv.step if conv else None


async def test_long_text_is_kept_shortened(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await Harness(settings, db, clock).setup()
    await h.text(RESIDENT, "/report")
    await h.press(RESIDENT, "i:c:complaint")
    replies = await h.text(RESIDENT, "x" * 5000)
    assert t("en", "intake.text_shortened", limit=1000) in texts(replies)
    assert await _step(db) == "phone_optional", "the answer was taken, the report goes on"


async def test_emoji_only_text(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await Harness(settings, db, clock).setup()
    outside = await h.text(RESIDENT, "🙂🙂👍")
    assert t("en", "qa.empty", hotline="96777") in texts(outside)
    await h.text(RESIDENT, "/report")
    await h.press(RESIDENT, "i:c:complaint")
    inside = await h.text(RESIDENT, "   ")
    assert t("en", "intake.need_text") in texts(inside)
    assert await _step(db) == "details"


async def test_media_in_a_report_says_what_we_accept_and_goes_on(
    settings: Settings, db: Database, clock: FakeClock
) -> None:
    h = await Harness(settings, db, clock).setup()
    await h.text(RESIDENT, "I smell gas")
    await fill_leak_form(h, upto="where")
    for media in ("sticker", "voice", "video", "document"):
        replies = await h.event(RESIDENT, EventKind.MEDIA, media=media)
        assert t("en", "intake.media_unsupported", hotline="96777") in texts(replies)
        assert t("en", "form.where.ask") in texts(replies), "the question is asked again"
        assert await _step(db) == "where"
    outside = await h.event("5002", EventKind.MEDIA, media="voice")
    assert t("en", "start.media_unsupported", hotline="96777") in texts(outside)


async def test_a_photo_sent_early_is_kept(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await Harness(settings, db, clock).setup()
    await h.text(RESIDENT, "I smell gas")
    await fill_leak_form(h, upto="where")
    replies = await h.event(RESIDENT, EventKind.PHOTO, photo="early-photo")
    assert t("en", "intake.photo_kept") in texts(replies)
    await fill_leak_form(h, start_at="where")
    await h.press(RESIDENT, "i:s:ok")
    assert "early-photo" in str(await db.scalar("SELECT details FROM tickets WHERE id = 1"))


async def test_location_outside_the_service_area(settings: Settings, db: Database, clock: FakeClock) -> None:
    area = IntakeConfig(area_circles=[AreaCircle(lat=31.2304, lon=121.4737, radius_km=50)])
    h = await Harness(settings.model_copy(update={"intake": area}), db, clock).setup()
    await h.text(RESIDENT, "I smell gas")
    replies = await h.event(RESIDENT, EventKind.LOCATION, latitude=39.9042, longitude=116.4074)  # Beijing
    assert t("en", "intake.outside_area", hotline="96777") in texts(replies)
    assert await _step(db) == "location", "nothing kept, the question stays"
    await h.event(RESIDENT, EventKind.LOCATION, latitude=31.23, longitude=121.47)
    assert await _step(db) == "address"


async def test_stale_and_forged_buttons(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await Harness(settings, db, clock).setup()
    await h.text(RESIDENT, "I smell gas")
    await fill_leak_form(h, upto="strength")
    stale = await h.press(RESIDENT, "i:f:where:basement")
    assert t("en", "intake.stale_button") in texts(stale)
    assert await _step(db) == "strength"
    for data in ("zz:1", "f:y:abc", "f:r:1:9", "q:a:../../etc", "i:f:strength:nuclear"):
        replies = await h.press(RESIDENT, data)
        assert replies and all(isinstance(r, Text | Answer) for r in replies)
    assert await _step(db) == "strength"
    assert await db.scalar("SELECT COUNT(*) FROM tickets") == 1, "dispatched at the pin"
    assert "strength" not in str(await db.scalar("SELECT details FROM tickets")), "no answer was forged"


async def test_edited_message_does_not_change_an_answer(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await Harness(settings, db, clock).setup()
    await h.text(RESIDENT, "/report")
    await h.press(RESIDENT, "i:c:complaint")
    await h.text(RESIDENT, "The crew was rude")
    replies = await h.event(RESIDENT, EventKind.TEXT, text="The crew was late", edited=True)
    assert t("en", "intake.edited_ignored") in texts(replies)
    assert await _step(db) == "phone_optional"


async def test_danger_in_a_group_gets_the_card_there_and_the_report_goes_on_in_private(
    settings: Settings, db: Database, clock: FakeClock
) -> None:
    h = await Harness(settings, db, clock).setup()
    replies = await h.event(RESIDENT, EventKind.TEXT, text="smell gas in the stairwell", chat="-100500", private=False)
    card, invitation, *private = replies
    assert isinstance(card, Text) and card.priority is Priority.EMERGENCY and card.chat == "-100500"
    assert card.keyboard is None and t("en", "form.location.ask") not in card.text, "no location key in a group"
    assert isinstance(invitation, Text) and invitation.chat == "-100500"
    assert invitation.text == t("en", "start.write_privately", hotline="96777")
    assert private and all(r.chat == RESIDENT for r in private), "questions go to the private chat only"
    assert t("en", "form.location.ask") in texts(private)
    assert await _step(db) == "location"


async def test_a_command_in_a_group_is_answered_in_private(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await Harness(settings, db, clock).setup()
    replies = await h.event(
        RESIDENT, EventKind.COMMAND, command="status", text="/status", chat="-100500", private=False
    )
    assert [r.chat for r in replies] == ["-100500", RESIDENT]
    assert t("en", "status.none") in texts(replies)


async def test_group_chatter_is_left_alone(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await Harness(settings, db, clock).setup()
    assert await h.event(RESIDENT, EventKind.TEXT, text="see you at lunch", chat="-100500", private=False) == []


async def test_unknown_command(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await Harness(settings, db, clock).setup()
    replies = await h.text(RESIDENT, "/frobnicate")
    assert t("en", "start.unknown_command") in texts(replies)


async def test_flood_is_calmed_but_danger_always_passes(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await Harness(settings, db, clock).setup()
    limit = settings.intake.flood_max_messages
    answered = [await h.text(RESIDENT, f"hello {n}") for n in range(limit + 5)]
    warnings = [r for r in answered if t("en", "flood.slow_down", hotline="96777") in texts(r)]
    assert len(warnings) == 1, "told once, calmly"
    assert answered[-1] == [], "then quiet until the window passes"
    danger = await h.text(RESIDENT, "I smell gas!!")
    assert gas_card("en") in texts(danger)
    assert await _step(db) == "location", "the leak report starts despite the limit"
    for _ in range(limit + 5):  # a panicking resident's leak report is never dropped
        await h.text(RESIDENT, "🙏")
    assert await _step(db) == "location"
    await fill_leak_form(h)
    confirmed = await h.press(RESIDENT, "i:s:ok")
    assert confirmed is not None
    assert await db.scalar("SELECT COUNT(*) FROM tickets") == 1
    clock.advance(settings.intake.flood_window_s + 1)
    assert texts(await h.text(RESIDENT, "where is the gas valve")), "after the window all is normal"
