"""Taking staff roles back: ``/revoke`` in chat, its effect at once (buttons, cards, residents' data), and
what the next start does with configured and invited staff (``bot.people.staff.sync_staff``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from telegram import BotCommand, BotCommandScopeChat

from bot.clock import FakeClock
from bot.config.settings import Settings, load_settings
from bot.core import FEATURES
from bot.i18n import t
from bot.people.invites import create_invite
from bot.people.staff import staff_entries, sync_staff
from bot.routes import Routes
from handlers.commands import register_commands
from sandbox.testing import sandbox_and_bot
from storage.db import Database
from tests.kit.crew import ADMIN, SUPERVISOR, crew_settings, harness, kinds, new_ticket, ticket
from tests.kit.harness import Harness, texts
from tests.kit.people import CREW_A, CREW_B, DISPATCHER, RESIDENT
from tests.kit.settings import settings_dict

NEWCOMER = "6001"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return crew_settings(tmp_path)


async def role_of(db: Database, user: str) -> tuple[str, int | None]:
    row = await db.fetchone("SELECT role, crew_id FROM people WHERE external_id = ?", (user,))
    assert row is not None
    return str(row[0]), row[1]


async def link(h: Harness, user: str = NEWCOMER, role: str = "crew", crew: str | None = "A") -> int:
    made = await create_invite(h.db, h.settings, role=role, crew=crew, expires_h=24, now=h.clock.now())
    await h.text(user, f"/start {made.code}")
    assert (await role_of(h.db, user))[0] == role
    return int(await h.db.scalar("SELECT MAX(id) FROM invites"))


async def pending_to(h: Harness, user: str) -> list[str]:
    return [r.purpose for r in await h.outbox() if r.chat == user and r.status == "pending"]


async def staff_audit(db: Database) -> list[str]:
    return [str(r[0]) for r in await db.fetchall("SELECT action FROM staff_audit ORDER BY id")]


async def refusals(db: Database, action: str) -> int:
    return int(await db.scalar("SELECT COUNT(*) FROM audit WHERE action = ?", (action,)))


async def test_an_invited_crew_member_is_revoked_at_once_and_for_good(
    settings: Settings, db: Database, clock: FakeClock
) -> None:
    h = await harness(settings, db, clock)
    await link(h)
    offered = await new_ticket(h)  # the newcomer gets crew A's card, with its buttons
    assert "dispatch" in await pending_to(h, NEWCOMER)
    replies = texts(await h.text(SUPERVISOR, f"/revoke {NEWCOMER}"))
    assert replies[0].startswith("✅") and NEWCOMER in replies[0]
    assert await role_of(db, NEWCOMER) == ("resident", None)
    # what was still queued for them as staff is dropped; only the notice of the revocation is left
    assert await pending_to(h, NEWCOMER) == ["staff_revoked"]
    # the Accept button already on their screen refuses them, and the ticket does not move
    before = await kinds(db, offered)
    (answer,) = await h.press(NEWCOMER, f"t:acc:{offered}")
    assert answer.text == t("en", "crew.refused_not_crew")  # type: ignore[union-attr]
    assert (await ticket(db, offered)).status == "dispatched" and await kinds(db, offered) == before
    assert texts(await h.text(NEWCOMER, "/duty")) == [t("en", "duty.refused")]
    # no new card reaches them, /duty no longer lists them
    await new_ticket(h, user="5009")
    assert await pending_to(h, NEWCOMER) == ["staff_revoked"]
    assert "Newcomer" not in texts(await h.text(DISPATCHER, "/duty"))[0]
    # the next start does not give the invite's role back
    await sync_staff(db, settings, clock.now())
    assert await role_of(db, NEWCOMER) == ("resident", None)
    assert await staff_audit(db) == ["staff_revoke"]
    detail = await db.scalar("SELECT detail FROM staff_audit")
    assert f"user {NEWCOMER} role crew crew A config False invites [1]" in detail
    assert await db.scalar("SELECT revoked_by FROM invites") == f"telegram:{SUPERVISOR}"


async def test_a_ticket_in_the_hands_of_a_revoked_member_goes_back_to_the_crew(
    settings: Settings, db: Database, clock: FakeClock
) -> None:
    h = await harness(settings, db, clock)
    ticket_id = await new_ticket(h)
    await h.press(CREW_A[1], f"t:acc:{ticket_id}")
    await h.press(CREW_A[1], f"t:enr:{ticket_id}")
    assert (await ticket(db, ticket_id)).assignee_id is not None
    await h.text(CREW_A[1], "/start")
    replies = texts(await h.text(ADMIN, f"/revoke {CREW_A[1]}"))
    assert f"#{ticket_id}" in replies[0]
    assert replies[1] == t("en", "staff.revoked_in_config")
    fresh = await ticket(db, ticket_id)
    assert fresh.status == "dispatched" and fresh.assignee_id is None
    assert "holder_revoked" in await kinds(db, ticket_id)
    desk = [r.message.text for r in await h.outbox("desk") if r.chat == DISPATCHER]  # type: ignore[union-attr]
    assert any("Li Ming was removed from the staff" in text for text in desk)
    # offered afresh to crew A: the lead and the group, not the revoked member
    latest = [r.chat for r in await h.outbox("dispatch") if r.status == "pending"]
    assert CREW_A[0] in latest and CREW_A[1] not in latest
    # buttons on the old card: refused
    (answer,) = await h.press(CREW_A[1], f"t:site:{ticket_id}")
    assert answer.text == t("zh", "crew.refused_not_crew")  # type: ignore[union-attr]


async def test_a_revoked_member_in_the_configuration_stays_revoked_until_invited_again(
    settings: Settings, db: Database, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    h = await harness(settings, db, clock)
    await h.text(SUPERVISOR, f"/revoke {CREW_A[1]}")
    await sync_staff(db, settings, clock.now())  # the configuration still lists them
    assert await role_of(db, CREW_A[1]) == ("resident", None)
    assert any("was revoked" in r.getMessage() and CREW_A[1] in r.getMessage() for r in caplog.records)
    async with db.lock:
        entries = {e.user_id: e for e in await staff_entries(db.conn, settings)}
    assert entries[CREW_A[1]].revoked and entries[CREW_A[1]].source.startswith("config (revoked")
    # a new invite is a new grant: linked, and the configuration's role holds again at the next start
    await link(h, CREW_A[1], role="crew", crew="B")
    await sync_staff(db, settings, clock.now())
    role, crew_id = await role_of(db, CREW_A[1])
    assert role == "crew" and crew_id == await db.scalar("SELECT id FROM crews WHERE name = 'A'")


async def test_removed_from_the_configuration_the_role_goes_unless_an_invite_gave_one(
    tmp_path: Path, settings: Settings, db: Database, clock: FakeClock
) -> None:
    h = await harness(settings, db, clock)
    await link(h, NEWCOMER, role="dispatcher", crew=None)
    await h.text(NEWCOMER, "/start")
    # the configuration also lists the newcomer (as crew of B): the configuration's role wins while it does
    data = settings_dict(settings.storage.path)
    data["crews"][1]["members"].append({"user_id": NEWCOMER, "name": "Newcomer"})
    listed = load_settings(None, data)
    await sync_staff(db, listed, clock.now())
    assert (await role_of(db, NEWCOMER))[0] == "crew"
    async with db.lock:
        sources = {e.user_id: e.source for e in await staff_entries(db.conn, listed)}
    assert sources[NEWCOMER] == "config + invite #1" and sources[CREW_A[0]] == "config"
    # both removed from the configuration: the invited one keeps the invite's role, the other is a resident
    data["crews"][0]["members"] = [m for m in data["crews"][0]["members"] if m["user_id"] != CREW_A[0]]
    data["crews"][1]["members"].pop()
    await sync_staff(db, load_settings(None, data), clock.now())
    assert await role_of(db, NEWCOMER) == ("dispatcher", None)
    assert await role_of(db, CREW_A[0]) == ("resident", None)


@pytest.mark.parametrize(
    ("who", "whom", "lang", "key"),
    [
        (SUPERVISOR, ADMIN, "en", "staff.outranked"),
        (SUPERVISOR, SUPERVISOR, "en", "staff.not_yourself"),
        (ADMIN, ADMIN, "en", "staff.not_yourself"),
        (DISPATCHER, CREW_A[1], "en", "staff.refused"),
        (CREW_A[0], CREW_A[1], "zh", "staff.refused"),
        (RESIDENT, CREW_A[1], "en", "staff.refused"),
    ],
)
async def test_revoke_is_refused_and_audited(
    settings: Settings, db: Database, clock: FakeClock, who: str, whom: str, lang: str, key: str
) -> None:
    h = await harness(settings, db, clock)
    before = await role_of(db, whom)
    role = t(lang, "invites.role_admin")
    assert texts(await h.text(who, f"/revoke {whom}")) == [t(lang, key, role=role)]
    assert await role_of(db, whom) == before
    assert await refusals(db, "revoke") == 1 and await staff_audit(db) == []


async def test_revoke_without_an_account_lists_the_staff_and_their_sources(
    settings: Settings, db: Database, clock: FakeClock
) -> None:
    h = await harness(settings, db, clock)
    await link(h)
    (listing,) = texts(await h.text(ADMIN, "/revoke"))
    assert listing.startswith(t("en", "staff.usage"))
    assert f"{NEWCOMER} " in listing and t("en", "staff.source_invite", invite=1) in listing
    assert f"{CREW_B[0]} Zhao Lei" in listing
    for arg in ("12x", "²", "1 2", RESIDENT):
        replies = texts(await h.text(ADMIN, f"/revoke {arg}"))
        assert replies and await refusals(db, "revoke") == 0, arg
    assert texts(await h.text(ADMIN, f"/revoke {RESIDENT}")) == [t("en", "staff.not_staff", user=RESIDENT)]


async def test_a_residents_reply_never_reaches_a_revoked_assignee(
    settings: Settings, db: Database, clock: FakeClock
) -> None:
    h = await harness(settings, db, clock)
    ticket_id = await new_ticket(h)
    await h.press(CREW_A[1], f"t:acc:{ticket_id}")
    await h.press(CREW_A[1], f"t:cause:{ticket_id}:repaired")
    assert (await ticket(db, ticket_id)).status == "resolved"
    await h.text(ADMIN, f"/revoke {CREW_A[1]}")
    await h.press(RESIDENT, f"r:{ticket_id}")
    await h.text(RESIDENT, "The smell is back, 3rd floor")
    relayed = [r.chat for r in await h.outbox("relay")]
    assert CREW_A[1] not in relayed and DISPATCHER in relayed


async def test_the_next_start_gives_a_revoked_member_the_residents_menu_again(
    settings: Settings, db: Database, clock: FakeClock
) -> None:
    h = await harness(settings, db, clock)
    await h.text(SUPERVISOR, f"/revoke {CREW_A[1]}")
    async with sandbox_and_bot() as (sb, bot):
        for user_id in CREW_A:  # they opened the bot (for a chat Telegram does not know: "chat not found")
            sb.create_user(int(user_id))
        scope = BotCommandScopeChat(int(CREW_A[1]))
        await bot.set_my_commands([BotCommand("duty", "Who is on duty")], scope=scope)  # the menu it had as crew
        await register_commands(bot, db, Routes(FEATURES))
        assert await bot.get_my_commands(scope=scope) == ()
        assert [c.command for c in await bot.get_my_commands(scope=BotCommandScopeChat(int(CREW_A[0])))][0] == "duty"


async def test_a_ticket_reopened_by_its_resident_goes_to_the_desk_not_to_a_revoked_holder(
    settings: Settings, db: Database, clock: FakeClock
) -> None:
    h = await harness(settings, db, clock)
    ticket_id = await new_ticket(h)
    await h.press(CREW_A[1], f"t:acc:{ticket_id}")
    await h.press(CREW_A[1], f"t:cause:{ticket_id}:repaired")
    async with db._transaction() as tx:
        await tx.execute(
            "INSERT INTO feedback (ticket_id, asked_at) VALUES (?, ?) ON CONFLICT (ticket_id) DO NOTHING",
            (ticket_id, "2027-03-01"),
        )
    await h.text(ADMIN, f"/revoke {CREW_A[1]}")
    await h.press(RESIDENT, f"f:n:{ticket_id}")
    reopened = [r.chat for r in await h.outbox("reopened")]
    assert reopened and CREW_A[1] not in reopened and DISPATCHER in reopened
    assert (await ticket(db, ticket_id)).status == "dispatched"
