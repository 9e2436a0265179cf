"""The WeCom callback: URL verification, signatures (a wrong one refused, nothing kept), a retried delivery
acted on once, the desk's commands as text through the same router as Telegram's."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest

from bot.cli.demo import running_bot
from bot.cli.demo_wecom import WECOM_DESK, WECOM_LEAD, wecom_settings
from sandbox import Sandbox
from sandbox.ports import free_port
from sandbox.wecom import FakeWeCom
from tests.kit.webhook import webhook_settings
from tests.kit.wecom import leak_to_wecom, wecom_bot

pytestmark = pytest.mark.e2e  # the whole bot against the sandboxes


async def test_url_verification_answers_the_decrypted_echostr_only_when_signed(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    async with wecom_bot(sandbox, tmp_path) as (wecom, _), aiohttp.ClientSession() as http:
        _, query = wecom.encrypt("<xml/>")  # a signature over another ciphertext
        body, signed = wecom.encrypt("1234567890-echo")
        echostr = body.decode().split("<![CDATA[")[-1].split("]]>")[0]
        async with http.get(wecom.callback_url, params={**signed, "echostr": echostr}) as answer:
            assert (answer.status, await answer.text()) == (200, "1234567890-echo")
        async with http.get(wecom.callback_url, params={**query, "echostr": echostr}) as answer:
            assert answer.status == 403


async def test_a_bad_signature_is_refused_and_nothing_is_kept(sandbox: Sandbox, tmp_path: Path) -> None:
    async with wecom_bot(sandbox, tmp_path) as (wecom, runtime):
        body, query = wecom.encrypt(wecom._xml(WECOM_DESK, {"MsgType": "text", "Content": "/open", "MsgId": "1"}))
        forged = {**query, "msg_signature": "0" * 40}
        assert await wecom.post_raw(body, forged) == 403
        assert await wecom.post_raw(body, {**query, "timestamp": "1"}) == 403
        other_corp = body.replace(wecom.corp_id.encode(), b"wwsomeoneelse")  # the envelope's name only
        assert await wecom.post_raw(other_corp, query) == 200  # the ciphertext (with the corp id inside) is intact
        assert await runtime.db.scalar("SELECT COUNT(*) FROM wecom_inbox") == 1


async def test_a_retried_callback_is_acted_on_once(sandbox: Sandbox, tmp_path: Path) -> None:
    async with wecom_bot(sandbox, tmp_path) as (wecom, runtime):
        lead, _ = await leak_to_wecom(sandbox, wecom)
        await wecom.click(WECOM_LEAD, lead, "t:acc:1", deliveries=3)  # WeCom saw no answer twice: same body
        await wecom.wait_until(lambda: "t:enr:1" in lead.payloads())
        await wecom.wait_quiet(quiet_s=0.3)
        assert await runtime.db.scalar("SELECT COUNT(*) FROM wecom_inbox") == 1
        accepted = await runtime.db.scalar("SELECT COUNT(*) FROM ticket_events WHERE kind = 'accepted'")
        assert accepted == 1
        assert sum(r.text.startswith("You accepted #1") for r in wecom.messages(WECOM_LEAD)) == 1


async def test_the_desk_on_wecom_sends_commands_as_text(sandbox: Sandbox, tmp_path: Path) -> None:
    async with wecom_bot(sandbox, tmp_path) as (wecom, _):
        await leak_to_wecom(sandbox, wecom)
        await wecom.send_text(WECOM_DESK, "/open")
        found = await wecom.wait_for(WECOM_DESK, lambda r: "#1" in r.text)
        assert found.msgtype in ("text", "template_card")
        await wecom.send_text(WECOM_DESK, "/ticket 1")
        await wecom.wait_until(lambda: sum("#1" in r.text for r in wecom.messages(WECOM_DESK)) >= 2)


async def test_with_a_webhook_the_callback_is_served_on_the_webhooks_server(sandbox: Sandbox, tmp_path: Path) -> None:
    port = free_port()
    async with FakeWeCom() as wecom:
        settings = wecom_settings(sandbox, wecom, tmp_path / "hook.sqlite3", lang="en")
        settings.telegram = webhook_settings(sandbox, tmp_path / "unused.sqlite3", port).telegram
        wecom.callback_url = f"http://127.0.0.1:{port}/wecom/callback"  # not wecom.callback_listen
        async with running_bot(settings, webhook=True):
            assert await wecom.send_text(WECOM_DESK, "/help") == 200
            await wecom.wait_until(lambda: bool(wecom.messages(WECOM_DESK)))
