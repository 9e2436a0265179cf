"""A callback taken into the inbox but not handled (the process was killed in between) is handled at the next
start: its replies go out as customer-service messages, the row is marked handled, nothing twice."""

from __future__ import annotations

import sqlite3
import time
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sandbox import Sandbox
from sandbox.wechat import WechatSandbox
from sandbox.wechat.push import message_xml
from sandbox.wechat.sandbox import ACCOUNT
from storage.db import to_db
from tests.kit.wechat import wechat_bot, wechat_settings

pytestmark = pytest.mark.e2e  # the whole bot against both sandboxes


async def test_a_callback_cut_off_by_a_kill_is_handled_at_the_next_start(sandbox: Sandbox, tmp_path: Path) -> None:
    async with WechatSandbox() as wx:
        settings = wechat_settings(sandbox, wx, tmp_path / "recover.sqlite3")
        async with wechat_bot(settings):
            assert await wx.text("oCut", "/start") is not None  # the resident follows; their window opens
        fields = {"ToUserName": ACCOUNT, "FromUserName": "oCut", "CreateTime": str(int(time.time()))}
        xml = message_xml({**fields, "MsgType": "text", "Content": "I smell gas, it's strong", "MsgId": "4242"})
        before = len(wx.shown("oCut"))
        with closing(sqlite3.connect(settings.storage.path)) as conn, conn:  # taken, then SIGKILL
            conn.execute(
                "INSERT INTO wechat_inbox (inbox_key, openid, body, received_at) VALUES (?, ?, ?, ?)",
                ("m:4242", "oCut", xml, to_db(datetime.now(UTC))),
            )
        wx.api.saw_message("oCut")
        async with wechat_bot(settings):
            card = await wx.wait_for("oCut", "96777", after=before)
            assert card.kind == "custom"  # no POST waits for it now: a customer-service message
            query, body = wx.pusher.request(xml, openid="oCut", timestamp="1") if wx.pusher else ({}, "")
            status, answer = await wx.pusher.post(query, body) if wx.pusher else (0, "")
            assert status == 200  # WeChat's late retry of the same MsgId: handled already, nothing twice
    with closing(sqlite3.connect(settings.storage.path)) as conn:
        left = conn.execute("SELECT COUNT(*) FROM wechat_inbox WHERE handled_at IS NULL").fetchone()[0]
    assert left == 0
    assert sum("96777" in text for text in wx.texts("oCut")[before:]) == 1
