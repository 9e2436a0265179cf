"""Invites on WeChat: ``hotline invite --channel wechat`` prints the scene string and how to make the QR code;
following the account through that code (``qrscene_<code>``), or scanning it while following, links the openid."""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import pytest

from bot.cli.main import main
from bot.people.invites import create_invite
from sandbox import Sandbox
from sandbox.wechat import WechatSandbox
from tests.kit.botproc import toml_dump
from tests.kit.roster import run, write_config
from tests.kit.wechat import wechat_bot, wechat_settings


def test_invite_for_wechat_prints_the_scene_string(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    config = write_config(tmp_path / "cfg")
    code, out, err = run(
        capsys, "invite", "--role", "crew", "--crew", "A", "--channel", "wechat", "--config", str(config)
    )
    assert code == 0, err
    invite = out.splitlines()[0].removeprefix("invite code: ")
    assert f"scene string for the WeChat QR code: {invite}" in out
    assert f'"scene_str": "{invite}"' in out and "QR_STR_SCENE" in out
    assert "t.me" not in out


def people(path: Path) -> list[tuple[str, str, str]]:
    with closing(sqlite3.connect(path)) as conn:
        rows = conn.execute("SELECT channel, external_id, role FROM people WHERE channel = 'wechat' ORDER BY id")
        return [(str(a), str(b), str(c)) for a, b, c in rows]


@pytest.mark.e2e
async def test_following_through_the_qr_code_links_the_openid(sandbox: Sandbox, tmp_path: Path) -> None:
    async with WechatSandbox() as wx:
        settings = wechat_settings(sandbox, wx, tmp_path / "inv.sqlite3")
        async with wechat_bot(settings) as runtime:
            now = datetime.now(UTC)
            first = await create_invite(runtime.db, settings, role="crew", crew="A", expires_h=24, now=now)
            second = await create_invite(runtime.db, settings, role="dispatcher", crew=None, expires_h=24, now=now)
            reply = await wx.subscribe("oNewCrew", scene=first.code)  # follows through the QR code
            assert reply is not None and "A" in reply, reply
            await wx.subscribe("oDesk")  # follows without a code: a resident
            reply = (await wx.event("oDesk", "SCAN", second.code)).reply  # then scans the desk's code
            assert reply is not None
            again = await wx.subscribe("oThird", scene=first.code)  # a code works once
            assert again is not None
    assert people(settings.storage.path) == [
        ("wechat", "oNewCrew", "crew"),
        ("wechat", "oDesk", "dispatcher"),
        ("wechat", "oThird", "resident"),
    ]


async def test_with_wechat_configured_the_qr_code_is_made(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    async with WechatSandbox() as wx:
        section = wx.wechat_settings("http://127.0.0.1:9/wechat")
        config = tmp_path / "hotline.toml"
        config.write_text(toml_dump({"storage": {"path": str(tmp_path / "q.sqlite3")}, "wechat": section}))
        capsys.readouterr()
        argv = ["invite", "--role", "dispatcher", "--channel", "wechat", "--config", str(config), "--lang", "en"]
        code = await asyncio.to_thread(main, argv)
        out = capsys.readouterr().out
    assert code == 0, out
    invite = out.splitlines()[0].removeprefix("invite code: ")
    ((ticket, scene),) = wx.api.qr_codes.items()
    assert scene == invite
    assert f"https://mp.weixin.qq.com/cgi-bin/showqrcode?ticket={quote(ticket, safe='')}" in out
