"""The callback: retries never open a second ticket, safe mode with the previous key, signatures refused."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from bot.cli.demo import LEAD, running_bot
from sandbox import Sandbox
from sandbox.ports import free_port
from sandbox.wechat import WechatSandbox
from sandbox.wechat.push import message_xml
from sandbox.wechat.sandbox import ACCOUNT
from tests.kit.webhook import webhook_settings
from tests.kit.wechat import wechat_bot, wechat_settings

pytestmark = pytest.mark.e2e  # the whole bot against both sandboxes

RESIDENT = "oResidentRetry"
NEW_KEY = "ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut"


def count(path: Path, sql: str) -> int:
    with closing(sqlite3.connect(path)) as conn:
        return int(conn.execute(sql).fetchone()[0])


@pytest.mark.parametrize("how", ["lose_first", "overlap"])
async def test_a_retried_report_opens_one_ticket(sandbox: Sandbox, tmp_path: Path, how: str) -> None:
    async with WechatSandbox() as wx:
        settings = wechat_settings(sandbox, wx, tmp_path / "retry.sqlite3")
        async with wechat_bot(settings):
            first = await wx.message(
                RESIDENT, {"MsgType": "text", "Content": "I smell gas, it's strong in the kitchen"}
            )
            assert first.reply is not None and "96777" in first.reply["Content"]
            pushed = await wx.message(RESIDENT, {"MsgType": "location", "Location_X": "31.2304",
                                                 "Location_Y": "121.4737", "Label": ""}, **{how: True})  # fmt: skip
            assert pushed.attempts == 2 and pushed.statuses == [200, 200], pushed
            assert pushed.reply is not None  # the retry got the stored reply
            await wx.wait_for(RESIDENT, "工单 #1")
            await sandbox.wait_idle(quiet_s=0.1, timeout_s=10)
    path = settings.storage.path
    assert count(path, "SELECT COUNT(*) FROM tickets") == 1
    assert count(path, "SELECT COUNT(*) FROM wechat_inbox WHERE handled_at IS NULL") == 0


async def test_safe_mode_with_the_previous_key(sandbox: Sandbox, tmp_path: Path) -> None:
    async with WechatSandbox() as wx:  # WeChat still encrypts with the key before the change
        settings = wechat_settings(
            sandbox, wx, tmp_path / "keys.sqlite3", encoding_aes_key=NEW_KEY, previous_aes_key=wx.aes_key
        )
        async with wechat_bot(settings):
            reply = await wx.text(RESIDENT, "I smell gas")
            assert reply is not None and "96777" in reply  # opened, and answered with the key that opened it
            wx.connect(settings.wechat.callback_url, aes_key=NEW_KEY)  # and with the new key
            assert await wx.text(RESIDENT, "/start") is not None


async def test_plain_mode(sandbox: Sandbox, tmp_path: Path) -> None:
    async with WechatSandbox(mode="plain") as wx:
        settings = wechat_settings(sandbox, wx, tmp_path / "plain.sqlite3")
        async with wechat_bot(settings):
            reply = await wx.text(RESIDENT, "I smell gas")
            assert reply is not None and "96777" in reply


async def test_a_bad_signature_is_refused(sandbox: Sandbox, tmp_path: Path) -> None:
    async with WechatSandbox() as wx:
        settings = wechat_settings(sandbox, wx, tmp_path / "sig.sqlite3")
        async with wechat_bot(settings):
            assert wx.pusher is not None
            xml = message_xml({"ToUserName": ACCOUNT, "FromUserName": RESIDENT, "CreateTime": "1700000000",
                               "MsgType": "text", "Content": "I smell gas", "MsgId": "1"})  # fmt: skip
            query, body = wx.pusher.request(xml, openid=RESIDENT, timestamp="1700000000", token="not-the-token")
            status, _ = await wx.pusher.post(query, body)
            assert status == 403
            query, body = wx.pusher.request(xml, openid=RESIDENT, timestamp="1700000000")
            query["msg_signature"] = "0" * 40  # the URL signed, the body not
            status, _ = await wx.pusher.post(query, body)
            assert status == 403
            plain = {k: v for k, v in query.items() if k not in ("encrypt_type", "msg_signature")}
            status, _ = await wx.pusher.post(plain, xml)  # plaintext to an account in safe mode
            assert status == 400
    assert count(settings.storage.path, "SELECT COUNT(*) FROM wechat_inbox") == 0
    assert count(settings.storage.path, "SELECT COUNT(*) FROM tickets") == 0


async def test_the_callback_on_telegrams_webhook_server(sandbox: Sandbox, tmp_path: Path) -> None:
    port = free_port()
    async with WechatSandbox() as wx:
        settings = webhook_settings(sandbox, tmp_path / "shared.sqlite3", port)
        callback = f"http://127.0.0.1:{port}/wechat"  # the same address and port as Telegram's webhook
        settings.wechat = settings.wechat.model_validate(wx.wechat_settings(callback))
        async with running_bot(settings, webhook=True):
            reply = await wx.text(RESIDENT, "I smell gas")
            assert reply is not None and "96777" in reply
            await sandbox.send_text(LEAD, "/duty")  # Telegram's updates still arrive on the same server
            await sandbox.wait_for(LEAD, lambda m: bool(m.text), timeout_s=5)


async def test_past_the_budget_the_card_follows_as_a_message(sandbox: Sandbox, tmp_path: Path) -> None:
    async with WechatSandbox() as wx:
        settings = wechat_settings(sandbox, wx, tmp_path / "late.sqlite3", reply_within_s=0.001)
        async with wechat_bot(settings):
            for n in range(3):  # a budget no handling meets: answered empty, and nothing lost
                assert await wx.text(f"oSlow{n}", "I smell gas, it's strong in the kitchen") is None
            for n in range(3):
                card = await wx.wait_for(f"oSlow{n}", "96777")
                assert card.kind == "custom"
                await wx.wait_for(f"oSlow{n}", "输入地址")  # and what came after it
            assert all(sum("96777" in t for t in wx.texts(f"oSlow{n}")) == 1 for n in range(3))
