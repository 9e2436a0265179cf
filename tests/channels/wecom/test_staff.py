"""Staff on WeCom: configured by userid, or linked by an invite whose code the member sends to the app."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.cli.demo_wecom import WECOM_DESK, WECOM_LEAD
from bot.cli.main import main
from bot.clock import SystemClock
from bot.config.settings import load_settings
from bot.i18n import t
from bot.people.invites import create_invite
from bot.people.staff import sync_staff
from sandbox import Sandbox
from storage.engines import open_database
from tests.kit.botproc import toml_dump
from tests.kit.settings import settings_dict
from tests.kit.wecom import wecom_bot

pytestmark = pytest.mark.e2e  # the whole bot against the sandboxes

NEWCOMER = "zhou.xin"


async def test_configured_userids_are_staff_on_wecom(sandbox: Sandbox, tmp_path: Path) -> None:
    async with wecom_bot(sandbox, tmp_path) as (_, runtime):
        rows = await runtime.db.fetchall(
            "SELECT external_id, role FROM people WHERE channel = 'wecom' ORDER BY external_id"
        )
        assert {(str(r[0]), str(r[1])) for r in rows} >= {(WECOM_LEAD, "lead"), (WECOM_DESK, "dispatcher")}
        group = await runtime.db.fetchone("SELECT group_channel FROM crews WHERE name = 'A'")
        assert group is not None and group[0] == "wecom"


async def test_an_invite_code_sent_to_the_app_links_the_member(sandbox: Sandbox, tmp_path: Path) -> None:
    async with wecom_bot(sandbox, tmp_path) as (wecom, runtime):
        wecom.world.member(NEWCOMER, "Zhou Xin")
        made = await create_invite(
            runtime.db, runtime.settings, role="crew", crew="B", expires_h=1, now=runtime.clock.now()
        )
        await wecom.send_text(NEWCOMER, made.code)
        linked = t("zh", "invites.linked_crew", role=t("zh", "invites.role_crew"), crew="B")  # WeCom gives no language
        await wecom.wait_for(NEWCOMER, lambda r: r.text == linked)
        row = await runtime.db.fetchone(
            "SELECT p.role, c.name FROM people p JOIN crews c ON c.id = p.crew_id"
            " WHERE p.channel = 'wecom' AND p.external_id = ?",
            (NEWCOMER,),
        )
        assert row is not None and (row[0], row[1]) == ("crew", "B")


async def test_hotline_invite_for_wecom_says_to_send_the_code_to_the_app(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(toml_dump(settings_dict(tmp_path / "staff.sqlite3")), encoding="utf-8")
    code = await asyncio.to_thread(
        main, ["invite", "--role", "crew", "--crew", "A", "--channel", "wecom", "--config", str(config)]
    )
    out = capsys.readouterr().out
    assert code == 0
    invite = out.splitlines()[0].removeprefix("invite code: ")
    assert f"WeCom (企业微信): {invite}" in out and "t.me" not in out


async def test_hotline_staff_lists_and_revokes_a_wecom_member(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = settings_dict(tmp_path / "staff.sqlite3", wecom={"corp_id": "wwstaff"})
    data["crews"][0]["members"].append({"user_id": "li.wei", "name": "Li Wei", "channel": "wecom"})
    config = tmp_path / "config.toml"
    config.write_text(toml_dump(data), encoding="utf-8")
    settings = load_settings(config)
    db = await open_database(settings.storage)
    try:
        await sync_staff(db, settings, SystemClock().now())
    finally:
        await db.close()

    def run(*argv: str) -> tuple[int, str]:
        code = main([*argv, "--config", str(config)])
        return code, capsys.readouterr().out

    code, out = await asyncio.to_thread(run, "staff", "list", "--channel", "wecom")
    assert code == 0 and "li.wei" in out and "1001" not in out
    code, out = await asyncio.to_thread(run, "staff", "revoke", "li.wei", "--channel", "wecom")
    assert code == 0 and "Li Wei" in out
    code, out = await asyncio.to_thread(run, "staff", "list", "--channel", "wecom")
    assert "revoked" in out
