"""A resident on WeChat can press only the buttons they were shown (as numbers): staff commands are refused
and audited, a crew button's payload typed as text is just text."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from bot.cli.demo import LEAD
from sandbox import Sandbox
from sandbox.wechat import WechatSandbox
from tests.kit.wechat import has_button, wechat_bot, wechat_settings

pytestmark = pytest.mark.e2e  # the whole bot against both sandboxes


async def test_a_wechat_resident_cannot_act_as_staff(sandbox: Sandbox, tmp_path: Path) -> None:
    async with WechatSandbox() as wx:
        settings = wechat_settings(sandbox, wx, tmp_path / "authz.sqlite3")
        async with wechat_bot(settings):
            await wx.text("oReporter", "I smell gas, it's strong in the kitchen")
            await wx.location("oReporter", 31.2304, 121.4737)
            await sandbox.wait_for(LEAD, has_button("t:acc:1"), timeout_s=5)
            for attempt in ("/broadcast 明天停气", "/notice 明天停气", "/desk", "t:acc:1", "/drill A leak-indoor"):
                assert await wx.text("oIntruder", attempt) is not None  # answered, never obeyed
            assert await wx.text("oIntruder", "1") is not None  # no choice was shown to them: just text
    with closing(sqlite3.connect(settings.storage.path)) as conn:
        status = conn.execute("SELECT status FROM tickets WHERE id = 1").fetchone()[0]
        broadcasts = conn.execute("SELECT COUNT(*) FROM broadcasts").fetchone()[0]
        refused = conn.execute("SELECT COUNT(*) FROM audit WHERE channel = 'wechat' AND actor = 'oIntruder'")
        audited = refused.fetchone()[0]
    assert status == "dispatched" and broadcasts == 0
    assert audited >= 3, audited  # each refused staff command recorded with who tried
