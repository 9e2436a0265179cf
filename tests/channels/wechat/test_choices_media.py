"""Buttons as numbered choices answered by number or words; a refused token fetched again; photos kept."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from common.events import Priority, Text
from sandbox import Sandbox
from sandbox.wechat import WechatSandbox
from tests.kit.wechat import wechat_bot, wechat_settings

LEAK = "I smell gas, it's strong in the kitchen"


async def test_choices_by_number_and_by_words(sandbox: Sandbox, tmp_path: Path) -> None:
    async with WechatSandbox() as wx:
        settings = wechat_settings(sandbox, wx, tmp_path / "choices.sqlite3")
        async with wechat_bot(settings):
            await wx.text("oNumber", LEAK)
            asked = await wx.wait_for("oNumber", "输入地址")
            assert "1. ✍️ 输入地址" in asked.text and "2. 取消" in asked.text, asked.text
            reply = await wx.text("oNumber", "1")  # the number
            assert reply is not None and "请输入地址" in reply, reply
            await wx.text("oWords", LEAK)
            await wx.wait_for("oWords", "输入地址")
            reply = await wx.text("oWords", "取消")  # the words
            assert reply is not None and "请输入地址" not in reply
            reply = await wx.text("oWords", "7")  # no such choice: taken as words
            assert reply is not None


async def test_a_refused_token_is_fetched_again(sandbox: Sandbox, tmp_path: Path) -> None:
    async with WechatSandbox() as wx:
        settings = wechat_settings(sandbox, wx, tmp_path / "token.sqlite3")
        async with wechat_bot(settings) as runtime:
            await wx.text("oToken", "/start")
            await runtime.lanes.submit("wechat", Text(chat="oToken", text="first", priority=Priority.NOTICE))
            wx.api.expire_token()
            await runtime.lanes.submit("wechat", Text(chat="oToken", text="second", priority=Priority.NOTICE))
    assert [e for e in wx.api.errors] == [("custom/send", 42001)]
    assert wx.api.token_calls == 2
    assert "second" in wx.texts("oToken")


async def test_a_photo_is_kept_before_wechat_forgets_it(sandbox: Sandbox, tmp_path: Path) -> None:
    async with WechatSandbox() as wx:
        settings = wechat_settings(sandbox, wx, tmp_path / "photo.sqlite3")
        async with wechat_bot(settings):
            await wx.text("oPhoto", LEAK)
            await wx.image("oPhoto", b"\xff\xd8\xff-a-photo")
            media = tmp_path / "data" / "wechat_media"
            for _ in range(200):
                if list(media.glob("*.jpg")):
                    break
                await sandbox.wait_idle(quiet_s=0.01, timeout_s=1)
    files = list((tmp_path / "data" / "wechat_media").glob("*.jpg"))
    assert [f.read_bytes() for f in files] == [b"\xff\xd8\xff-a-photo"]
    with closing(sqlite3.connect(settings.storage.path)) as conn:
        kept = conn.execute("SELECT data FROM conversations").fetchall()
    assert any("wechat:media" in str(row[0]) for row in kept), kept
