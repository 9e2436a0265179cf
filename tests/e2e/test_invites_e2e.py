"""End to end: an invite link opened in Telegram links the account; admins hear of gaps in the rota."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.cli.demo import running_bot, sandbox_settings
from bot.i18n import t
from bot.people.invites import create_invite
from bot.rota.duty import save_overrides
from bot.rota.model import Override, OverrideKind
from sandbox import Sandbox
from storage.db import Database
from storage.engines import open_database

NEWCOMER, ADMIN = 7001, 7002


pytestmark = pytest.mark.people(NEWCOMER, ADMIN)


async def test_start_with_an_invite_code_links_the_account(sandbox: Sandbox, tmp_path: Path) -> None:
    sb = sandbox
    settings = sandbox_settings(sb, tmp_path / "e2e.sqlite3")
    async with running_bot(settings) as runtime:
        made = await create_invite(runtime.db, settings, role="crew", crew="B", expires_h=1, now=runtime.clock.now())
        await sb.send_text(NEWCOMER, f"/start {made.code}")
        linked = t("en", "invites.linked_crew", role=t("en", "invites.role_crew"), crew="B")
        await sb.wait_for_text(NEWCOMER, linked, timeout_s=5)
        await sb.send_text(NEWCOMER, "/duty")
        await sb.wait_for_text(NEWCOMER, t("en", "duty.now_title"), timeout_s=5)
        # the same link a second time, by someone else: refused kindly
        await sb.send_text(ADMIN, f"/start {made.code}")
        await sb.wait_for_text(ADMIN, t("en", "invites.refused_used"), timeout_s=5)
    row = await _person(settings.storage.path, NEWCOMER)
    assert row == ("crew", "B")


async def _person(path: Path, user: int) -> tuple[str, str | None]:
    db = await Database.open(path)
    try:
        found = await db.fetchone(
            "SELECT p.role, c.name FROM people p LEFT JOIN crews c ON c.id = p.crew_id WHERE p.external_id = ?",
            (str(user),),
        )
    finally:
        await db.close()
    assert found is not None
    return found[0], found[1]


async def test_admins_are_warned_of_a_gap_at_start_up(sandbox: Sandbox, tmp_path: Path) -> None:
    sb = sandbox
    staff = [{"user_id": ADMIN, "name": "Admin", "role": "admin", "lang": "en"}]
    settings = sandbox_settings(sb, tmp_path / "e2e.sqlite3", staff=staff)
    zone = ZoneInfo(settings.utility.timezone)
    anchor = settings.rota.anchor.replace(tzinfo=zone)
    leave = Override(  # crew A's next day shift, with nobody covering
        start=anchor + timedelta(hours=24),
        end=anchor + timedelta(hours=36),
        crew=None,
        kind=OverrideKind.LEAVE,
        replaces="A",
    )
    db = await open_database(settings.storage)
    try:
        async with db._transaction() as tx:
            await save_overrides(tx, [leave], fmt="csv", source="test", now=datetime.now(zone))
    finally:
        await db.close()
    async with running_bot(settings):
        message = await sb.wait_for_text(ADMIN, t("en", "rota.gaps_title", days=14), timeout_s=10)
        assert "crew A on leave" in (message.text or "")
