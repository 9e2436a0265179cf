"""A resident on WeChat reports a leak; the crew on Telegram takes it: the safety card is the passive reply."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli.demo import DISPATCHER, LEAD, tap
from sandbox import Sandbox
from sandbox.wechat import WechatSandbox
from tests.kit.wechat import has_button, outbox_rows, wechat_bot, wechat_settings

pytestmark = pytest.mark.e2e  # the whole bot against both sandboxes
RESIDENT = "oResident0001"


async def test_a_leak_on_wechat_reaches_the_crew_on_telegram(sandbox: Sandbox, tmp_path: Path) -> None:
    async with WechatSandbox() as wx:
        settings = wechat_settings(sandbox, wx, tmp_path / "wx.sqlite3")
        async with wechat_bot(settings):
            card = await wx.text(RESIDENT, "I smell gas, it's strong in the kitchen")
            assert card is not None and "96777" in card, card  # the safety card, as the passive reply
            await wx.location(RESIDENT, 31.2304, 121.4737)
            await sandbox.wait_for(LEAD, has_button("t:acc:1"), timeout_s=5)
            await wx.wait_for(RESIDENT, "工单 #1")  # the resident's language: WeChat tells none, so zh
            await tap(sandbox, None, LEAD, "t:acc:1")
            accepted = await wx.wait_for(RESIDENT, "已接单")
            assert accepted.kind == "custom"
            await sandbox.wait_idle(quiet_s=0.1, timeout_s=10)
        assert not wx.api.errors, wx.api.errors
    kinds = [d.kind for d in wx.shown(RESIDENT)]
    assert kinds[0] == "passive", kinds
    for channel, chat, purpose in outbox_rows(settings.storage.path):
        assert channel == ("wechat" if chat == RESIDENT else "telegram"), (purpose, chat)


async def test_the_menu_and_its_location_picker(sandbox: Sandbox, tmp_path: Path) -> None:
    async with WechatSandbox() as wx:
        settings = wechat_settings(sandbox, wx, tmp_path / "menu.sqlite3")
        async with wechat_bot(settings):
            card = await wx.click("oMenu", "menu:smell_gas")  # 燃气泄漏 in the custom menu
            assert card is not None and "96777" in card, card
            await wx.location_select("oMenu", 31.2304, 121.4737, "上海市黄浦区")  # the picker's pin
            await sandbox.wait_for(LEAD, has_button("t:acc:1"), timeout_s=5)


async def test_after_unsubscribe_nothing_is_sent(sandbox: Sandbox, tmp_path: Path) -> None:
    async with WechatSandbox() as wx:
        settings = wechat_settings(sandbox, wx, tmp_path / "unsub.sqlite3")
        async with wechat_bot(settings):
            await wx.text("oLeft", "I smell gas, it's strong in the kitchen")
            await wx.location("oLeft", 31.2304, 121.4737)
            await wx.wait_for("oLeft", "工单 #1")
            await wx.unsubscribe("oLeft")
            await tap(sandbox, None, LEAD, "t:acc:1")
            told = await sandbox.wait_for(DISPATCHER, lambda m: "#1" in m.text and "phone" in m.text, timeout_s=5)
            assert "can no longer be reached by chat" in told.text
    assert not [e for e in wx.api.errors if e[1] == 43004], wx.api.errors  # never tried: the ledger knew
