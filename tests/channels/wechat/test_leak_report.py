"""A resident on WeChat reports a leak; the crew on Telegram takes it: the safety card is the passive reply."""

from __future__ import annotations

from pathlib import Path

from bot.cli.demo import LEAD, tap
from sandbox import Sandbox
from sandbox.wechat import WechatSandbox
from tests.kit.wechat import has_button, outbox_rows, wechat_bot, wechat_settings

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
