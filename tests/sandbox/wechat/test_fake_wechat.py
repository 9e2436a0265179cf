"""The fake api.weixin.qq.com keeps WeChat's rules: the windows and their quotas, tokens, templates, media."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp

from bot.clock import FakeClock
from sandbox.wechat import WechatSandbox
from sandbox.wechat.sandbox import APP_ID, APP_SECRET


async def post(session: aiohttp.ClientSession, wx: WechatSandbox, path: str, body: dict[str, Any], **q: str) -> Any:
    async with session.post(f"{wx.base_url}{path}", params=q, json=body) as response:
        return await response.json()


async def test_windows_quotas_tokens_templates_and_media() -> None:
    clock = FakeClock(datetime(2026, 12, 7, tzinfo=UTC))
    async with WechatSandbox(clock=clock.now) as wx, aiohttp.ClientSession() as session:

        async def fresh() -> str:
            got = await post(session, wx, "/cgi-bin/stable_token", {"appid": APP_ID, "secret": APP_SECRET})
            return str(got["access_token"])

        token = await fresh()

        async def custom(openid: str) -> int:
            body = {"touser": openid, "msgtype": "text", "text": {"content": "hi"}}
            return int((await post(session, wx, "/cgi-bin/message/custom/send", body, access_token=token))["errcode"])

        wx.api.follower("o1")
        assert await custom("o1") == 45015  # following, but never wrote
        wx.api.saw_message("o1")
        assert [await custom("o1") for _ in range(6)] == [0, 0, 0, 0, 0, 45047]
        wx.api.saw_event("o1", "click")
        assert [await custom("o1") for _ in range(4)] == [0, 0, 0, 45047]
        clock.advance(timedelta(hours=49))
        assert await custom("o1") == 42001  # the token outlived its 7,200 s
        token = await fresh()
        assert await custom("o1") == 45015
        assert await custom("nobody") == 43004
        template = {"touser": "o1", "template_id": "T", "client_msg_id": "c1", "data": {"first": {"value": "x"}}}
        first = await post(session, wx, "/cgi-bin/message/template/send", template, access_token=token)
        again = await post(session, wx, "/cgi-bin/message/template/send", template, access_token=token)
        assert first["errcode"] == 0 and first["msgid"] == again["msgid"]
        assert len([d for d in wx.api.delivered if d.kind == "template"]) == 1  # client_msg_id: one message
        media = wx.api.add_media(b"jpeg")
        async with session.get(f"{wx.base_url}/cgi-bin/media/get",
                               params={"access_token": token, "media_id": media}) as response:  # fmt: skip
            assert await response.read() == b"jpeg"
        clock.advance(timedelta(days=3, seconds=1))
        token = await fresh()
        async with session.get(f"{wx.base_url}/cgi-bin/media/get",
                               params={"access_token": token, "media_id": media}) as response:  # fmt: skip
            assert (await response.json())["errcode"] == 40007
        async with session.post(f"{wx.base_url}/control/faults", json={"refuse_ip": True}) as response:
            assert (await response.json())["ok"]
        refused = await post(session, wx, "/cgi-bin/stable_token", {"appid": APP_ID, "secret": APP_SECRET})
        assert refused["errcode"] == 40164
        async with session.get(f"{wx.base_url}/control/shown", params={"openid": "o1"}) as response:
            shown = await response.json()
        assert [d["kind"] for d in shown].count("custom") == 8
