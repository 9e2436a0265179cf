"""``/duty`` for every role, and linking accounts with ``/start CODE``, through the core over real SQLite."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.config.settings import Settings, load_settings
from bot.i18n import t
from bot.people.invites import InviteError, create_invite
from bot.people.staff import sync_staff
from bot.rota.duty import crews_on_duty, save_overrides
from bot.rota.model import Override, OverrideKind
from storage.audit import AuditRepo
from storage.db import Database
from storage.invites import InvitesRepo
from storage.people import CrewsRepo, PeopleRepo
from tests.kit import template
from tests.kit.harness import Harness, texts
from tests.kit.people import CREW_A, CREW_B, DISPATCHER, RESIDENT
from tests.kit.settings import T0, settings_dict

SUPERVISOR, ADMIN, NEWCOMER, OTHER = "2002", "2003", "6001", "6002"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    staff = [
        {"user_id": DISPATCHER, "name": "Desk", "role": "dispatcher"},
        {"user_id": SUPERVISOR, "name": "Chief", "role": "supervisor"},
        {"user_id": ADMIN, "name": "Admin", "role": "admin"},
    ]
    return load_settings(None, settings_dict(tmp_path / "hotline.sqlite3", staff=staff))


@pytest.fixture
async def h(settings: Settings, db: Database, clock: FakeClock) -> Harness:
    return await Harness(settings, db, clock).setup()


async def audit_count(db: Database, action: str) -> int:
    async with db.lock:
        return await AuditRepo(db.conn).count(action)


async def person(db: Database, user: str) -> tuple[str, str | None]:
    row = await db.fetchone(
        "SELECT p.role, c.name FROM people p LEFT JOIN crews c ON c.id = p.crew_id WHERE p.external_id = ?", (user,)
    )
    assert row is not None
    return row[0], row[1]


# --- /duty --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("user", [CREW_A[0], CREW_A[1], CREW_B[0], DISPATCHER, SUPERVISOR, ADMIN])
async def test_duty_shows_now_and_next_to_every_staff_role(h: Harness, user: str) -> None:
    (reply,) = texts(await h.text(user, "/duty"))  # staff read Chinese unless configured otherwise
    lines = reply.splitlines()
    assert lines[0] == t("zh", "duty.now_title")
    assert lines[1] == t("zh", "duty.slot", crew="A", start="03-01 08:00", end="03-01 20:00")  # T0 is 10:00
    assert lines[2].strip() == "Wang Qiang, Li Ming"
    assert t("zh", "duty.next_title") in lines
    assert t("zh", "duty.slot", crew="B", start="03-01 20:00", end="03-02 08:00") in lines
    assert await audit_count(h.db, "duty") == 0


async def test_duty_is_refused_politely_to_residents_and_audited(h: Harness) -> None:
    assert texts(await h.text(RESIDENT, "/duty")) == [t("en", "duty.refused")]
    assert texts(await h.text(RESIDENT + "9", "/duty", lang="zh")) == [t("zh", "duty.refused")]
    assert await audit_count(h.db, "duty") == 2


async def test_duty_follows_the_stored_overrides(h: Harness, settings: Settings) -> None:
    zone = settings.utility.tz
    day = T0.astimezone(zone).replace(hour=8, minute=0)
    swap = Override(start=day, end=day + timedelta(hours=12), crew="B", kind=OverrideKind.SWAP, replaces="A")
    async with h.db._transaction() as tx:
        await save_overrides(tx, [swap], fmt="csv", source="test", now=T0)
        assert await crews_on_duty(tx, settings, T0) == ["B"]
        assert await crews_on_duty(tx, settings, T0 + timedelta(hours=12)) == ["B"]  # B's own night
        assert await crews_on_duty(tx, settings, T0 + timedelta(hours=24)) == ["A"]
    reply = texts(await h.text(DISPATCHER, "/duty"))[0]
    expected = t("zh", "duty.slot", crew="B", start="03-01 08:00", end="03-01 20:00")
    assert expected + " " + t("zh", "duty.covers", crew="A") in reply


async def test_with_no_rota_every_crew_is_on_duty(tmp_path: Path, clock: FakeClock, migrated: Path) -> None:
    settings = load_settings(None, settings_dict(tmp_path / "none.sqlite3", rota={}))
    db = await template.fresh(migrated, settings.storage)
    try:
        h = await Harness(settings, db, clock).setup()
        async with db._transaction() as tx:
            assert await crews_on_duty(tx, settings, T0) == ["A", "B"]
        assert texts(await h.text(DISPATCHER, "/duty")) == [t("zh", "duty.no_rota", crews="A, B")]
    finally:
        await db.close()


# --- invites ------------------------------------------------------------------------------------------


async def invite(h: Harness, role: str = "crew", crew: str | None = "A", hours: float = 72) -> str:
    made = await create_invite(h.db, h.settings, role=role, crew=crew, expires_h=hours, now=h.clock.now())
    return made.code


async def test_start_with_a_code_links_the_account(h: Harness) -> None:
    code = await invite(h)
    assert texts(await h.text(NEWCOMER, f"/start {code}")) == [
        t("en", "invites.linked_crew", role=t("en", "invites.role_crew"), crew="A")
    ]
    assert await person(h.db, NEWCOMER) == ("crew", "A")
    async with h.db.lock:
        crew = await CrewsRepo(h.db.conn).by_name("A")
        assert crew is not None
        members = [p.external_id for p in await PeopleRepo(h.db.conn).crew_members(crew.id)]
        (used,) = [await InvitesRepo(h.db.conn).by_code(code)]
    assert NEWCOMER in members  # so the crew's dispatches reach the new member
    assert used is not None and used.used_at == T0
    assert texts(await h.text(NEWCOMER, "/duty"))[0].startswith(t("en", "duty.now_title"))
    # the start-up sync mirrors the configuration, and leaves staff linked by invite be
    await sync_staff(h.db, h.settings, h.clock.now())
    assert await person(h.db, NEWCOMER) == ("crew", "A")
    # opening the same link again is answered kindly
    assert texts(await h.text(NEWCOMER, f"/start {code}")) == [
        t("en", "invites.already_linked", role=t("en", "invites.role_crew"))
    ]


async def test_a_code_works_once(h: Harness) -> None:
    code = await invite(h, role="dispatcher", crew=None)
    await h.text(NEWCOMER, f"/start {code}")
    assert await person(h.db, NEWCOMER) == ("dispatcher", None)
    assert texts(await h.text(OTHER, f"/start {code}")) == [t("en", "invites.refused_used")]
    assert await person(h.db, OTHER) == ("resident", None)
    assert await audit_count(h.db, "invite") == 1


async def test_an_expired_code_is_refused(h: Harness) -> None:
    code = await invite(h, hours=1)
    h.clock.advance(timedelta(hours=1))
    assert texts(await h.text(NEWCOMER, f"/start {code}", lang="zh")) == [t("zh", "invites.refused_expired")]
    assert await person(h.db, NEWCOMER) == ("resident", None)
    assert await audit_count(h.db, "invite") == 1


async def test_unknown_codes_and_staff_accounts_are_refused(h: Harness) -> None:
    assert texts(await h.text(NEWCOMER, "/start inv_AAAAAAAAAAAAAAAAAAAAAA")) == [t("en", "invites.refused_unknown")]
    code = await invite(h, role="admin", crew=None)
    assert texts(await h.text(CREW_B[0], f"/start {code}")) == [t("zh", "invites.refused_already_staff")]
    assert await person(h.db, CREW_B[0]) == ("lead", "B")
    assert await audit_count(h.db, "invite") == 2
    details = [row[0] for row in await h.db.fetchall("SELECT detail FROM audit WHERE action = 'invite'")]
    assert details[0] == "unknown" and details[1].startswith("already_staff")
    assert all(code not in detail for detail in details)  # the code itself never reaches the audit
    # the code was not used up by the refusal
    await h.text(NEWCOMER, f"/start {code}")
    assert await person(h.db, NEWCOMER) == ("admin", None)


async def test_a_code_for_a_crew_that_is_gone(h: Harness) -> None:
    async with h.db._transaction() as tx:
        await InvitesRepo(tx).create(
            "inv_crew-removed-0000000", role="crew", crew="Z", created_by="t", now=T0, expires_at=T0 + timedelta(days=1)
        )
    assert texts(await h.text(NEWCOMER, "/start inv_crew-removed-0000000")) == [t("en", "invites.refused_crew_gone")]
    assert await person(h.db, NEWCOMER) == ("resident", None)


async def test_start_without_a_code_is_the_welcome(h: Harness) -> None:
    for text in ("/start", "/start hello"):
        replies = texts(await h.text(NEWCOMER, text))
        assert replies[0] == t("en", "start.start", hotline="96777"), text
    assert await audit_count(h.db, "invite") == 0


@pytest.mark.parametrize(
    ("role", "crew", "hours"),
    [("resident", None, 72), ("crew", None, 72), ("lead", "Z", 72), ("supervisor", "A", 72), ("admin", None, -1)],
)
async def test_invites_are_made_only_for_staff_roles_and_known_crews(
    h: Harness, role: str, crew: str | None, hours: float
) -> None:
    with pytest.raises(InviteError):
        await invite(h, role=role, crew=crew, hours=hours)
    assert await h.db.scalar("SELECT COUNT(*) FROM invites") == 0


@pytest.mark.parametrize(
    ("user", "linked"),
    [
        (NEWCOMER, True),  # a resident (first contact)
        (CREW_A[1], False),  # crew
        (CREW_A[0], False),  # lead
        (DISPATCHER, False),
        (SUPERVISOR, False),
        (ADMIN, False),
    ],
)
async def test_only_residents_can_redeem_an_invite(h: Harness, user: str, linked: bool) -> None:
    code = await invite(h, role="supervisor", crew=None)
    before = None if linked else await person(h.db, user)
    await h.text(user, f"/start {code}")
    if linked:
        assert await person(h.db, user) == ("supervisor", None)
        assert await audit_count(h.db, "invite") == 0
    else:
        assert await person(h.db, user) == before
        assert await audit_count(h.db, "invite") == 1
