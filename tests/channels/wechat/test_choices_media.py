"""Buttons as numbered choices answered by number or words; a refused token fetched again; photos kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli.demo import LEAD
from common.events import Priority, Text
from sandbox import Sandbox
from sandbox.wechat import WechatSandbox
from tests.kit.wechat import has_button, wechat_bot, wechat_settings

pytestmark = pytest.mark.e2e  # the whole bot against both sandboxes
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


async def test_a_photo_is_kept_and_reaches_the_crew_on_telegram(sandbox: Sandbox, tmp_path: Path) -> None:
    async with WechatSandbox() as wx:
        settings = wechat_settings(sandbox, wx, tmp_path / "photo.sqlite3")
        async with wechat_bot(settings):
            await wx.text("oPhoto", LEAK)
            await wx.image("oPhoto", b"\xff\xd8\xff-a-photo")  # a photo first, then the pin: both go with the card
            await wx.location("oPhoto", 31.2304, 121.4737)
            await sandbox.wait_for(LEAD, has_button("t:acc:1"), timeout_s=5)
            shown = await sandbox.wait_for(LEAD, lambda m: m.kind == "photo", timeout_s=10)
            assert "#1" in (shown.text or ""), shown
    files = list((tmp_path / "data" / "wechat_media").glob("*.jpg"))
    assert [f.read_bytes() for f in files] == [b"\xff\xd8\xff-a-photo"]  # kept before WeChat's 3 days end


async def test_call_me_by_typing_the_number(sandbox: Sandbox, tmp_path: Path) -> None:
    async with WechatSandbox() as wx:
        settings = wechat_settings(sandbox, wx, tmp_path / "callme.sqlite3")
        async with wechat_bot(settings) as runtime:
            await wx.text("oCallMe", LEAK)
            asked = await wx.wait_for("oCallMe", "请打电话给我")
            assert "请直接回复您的手机号码" in asked.text and "1. ✍️ 输入地址" in asked.text
            reply = await wx.text("oCallMe", "13812345678")  # the "call me" key on Telegram shares a contact
            phone = await runtime.db.scalar("SELECT phone FROM tickets ORDER BY id DESC LIMIT 1")
    assert phone == "+8613812345678", (reply, phone)
