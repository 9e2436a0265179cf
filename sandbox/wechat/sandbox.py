"""The WeChat sandbox: a fake ``api.weixin.qq.com`` and a fake WeChat that pushes followers' messages to the
bot, on loopback, with a control API (in process, and over HTTP under ``/control/``) for tests and the demo.

    async with WechatSandbox(clock=clock.now) as wx:
        settings = {..., "wechat": wx.wechat_settings(callback_url)}
        reply = await wx.text("oResident1", "I smell gas")     # the passive reply's text
        await wx.wait_for("oResident1", "Ticket #1")             # a later customer-service message
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from sandbox.wechat.api import MAX_TEXT_BYTES, Delivered, FakeApi
from sandbox.wechat.control import control_routes
from sandbox.wechat.push import Pushed, Pusher, message_xml

APP_ID = "wxsandbox0000001"
APP_SECRET = "sandbox-app-secret"
TOKEN = "sandboxtoken"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # 43 characters, as WeChat generates them
ACCOUNT = "gh_sandbox"


class WechatSandbox:
    def __init__(
        self,
        *,
        clock: Callable[[], datetime] | None = None,
        mode: str = "safe",
        aes_key: str = AES_KEY,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.clock = clock or (lambda: datetime.now(UTC))
        self.api = FakeApi(APP_ID, APP_SECRET, self.clock)
        self.api.on_template = self._template_done
        self.mode = mode
        self.aes_key = aes_key
        self.host, self.port = host, port
        self.pusher: Pusher | None = None
        self._runner: web.AppRunner | None = None
        self._msgids = itertools.count(10_000_000_001)
        self._last_time: dict[str, int] = {}
        self._changed = asyncio.Event()
        self.api.on_delivered = self._changed.set
        self._tasks: set[asyncio.Task[Any]] = set()

    async def __aenter__(self) -> WechatSandbox:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def start(self) -> None:
        app = web.Application(client_max_size=1024 * 1024)
        app.add_routes(self.api.routes())
        app.add_routes(control_routes(self))
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()
        self.port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self.pusher is not None:
            await self.pusher.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def wechat_settings(self, callback_url: str, **extra: Any) -> dict[str, Any]:
        """The bot's ``[wechat]`` section for this sandbox (and where WeChat will push)."""
        self.connect(callback_url)
        section = {
            "app_id": APP_ID,
            "app_secret": APP_SECRET,
            "token": TOKEN,
            "encoding_aes_key": self.aes_key if self.mode != "plain" else "",
            "mode": self.mode,
            "base_url": self.base_url,
            "callback_url": callback_url,
            "listen": "127.0.0.1",
            "port": int(callback_url.rsplit(":", 1)[1].split("/", 1)[0]),
        }
        section.update(extra)
        return section

    def connect(self, callback_url: str, *, aes_key: str | None = None) -> None:
        key = None if self.mode == "plain" else (aes_key or self.aes_key)
        if self.pusher is None:
            self.pusher = Pusher(callback_url, TOKEN, APP_ID, key)
        else:  # the same connection pool, another address or key
            self.pusher.callback_url, self.pusher.aes_key = callback_url, key

    # The follower's side
    def _create_time(self, openid: str) -> str:
        now = int(self.clock().timestamp())
        at = max(now, self._last_time.get(openid, 0) + 1)  # two events of one follower never share a second
        self._last_time[openid] = at
        return str(at)

    async def _push(self, openid: str, fields: dict[str, str], **options: bool) -> Pushed:
        assert self.pusher is not None, "connect() the sandbox to the bot's callback first"
        created = self._create_time(openid)
        xml = message_xml({"ToUserName": ACCOUNT, "FromUserName": openid, "CreateTime": created, **fields})
        pushed = await self.pusher.push(xml, openid=openid, timestamp=created, **options)
        if pushed.reply is not None:
            text = pushed.reply.get("Content", "")
            if len(text.encode("utf-8")) > MAX_TEXT_BYTES:  # WeChat would not show it
                self.api.errors.append(("passive", 45002))
            self.api.delivered.append(Delivered(openid, "passive", text, self.clock()))
            self._changed.set()
        return pushed

    async def message(self, openid: str, fields: dict[str, str], **options: bool) -> Pushed:
        self.api.saw_message(openid)
        return await self._push(openid, {**fields, "MsgId": str(next(self._msgids))}, **options)

    async def event(self, openid: str, event: str, key: str = "", **options: bool) -> Pushed:
        self.api.saw_event(openid, event.lower())
        fields = {"MsgType": "event", "Event": event}
        if key:
            fields["EventKey"] = key
        return await self._push(openid, fields, **options)

    async def text(self, openid: str, text: str, **options: bool) -> str | None:
        """The follower writes ``text``; returns the passive reply's text (None: none)."""
        pushed = await self.message(openid, {"MsgType": "text", "Content": text}, **options)
        return pushed.reply.get("Content") if pushed.reply else None

    async def image(self, openid: str, data: bytes = b"\xff\xd8photo") -> str | None:
        media_id = self.api.add_media(data)
        fields = {"MsgType": "image", "PicUrl": "http://example.invalid/p.jpg", "MediaId": media_id}
        pushed = await self.message(openid, fields)
        return pushed.reply.get("Content") if pushed.reply else None

    async def location(self, openid: str, lat: float, lon: float, label: str = "") -> str | None:
        fields = {"MsgType": "location", "Location_X": str(lat), "Location_Y": str(lon), "Scale": "15", "Label": label}
        pushed = await self.message(openid, fields)
        return pushed.reply.get("Content") if pushed.reply else None

    async def subscribe(self, openid: str, scene: str | None = None) -> str | None:
        pushed = await self.event(openid, "subscribe", f"qrscene_{scene}" if scene else "")
        return pushed.reply.get("Content") if pushed.reply else None

    async def unsubscribe(self, openid: str) -> None:
        await self.event(openid, "unsubscribe")

    async def location_select(self, openid: str, lat: float, lon: float, label: str = "") -> str | None:
        """A pin from the menu's location picker (``location_select``: the place inside SendLocationInfo)."""
        assert self.pusher is not None, "connect() the sandbox to the bot's callback first"
        self.api.saw_event(openid, "location_select")
        created = self._create_time(openid)
        fields = {"ToUserName": ACCOUNT, "FromUserName": openid, "CreateTime": created, "MsgType": "event"}
        head = message_xml({**fields, "Event": "location_select", "EventKey": "location"})
        where = {"Location_X": str(lat), "Location_Y": str(lon), "Scale": "15", "Label": label, "Poiname": ""}
        place = message_xml(where).replace("<xml>", "<SendLocationInfo>").replace("</xml>", "</SendLocationInfo>")
        pushed = await self.pusher.push(head.replace("</xml>", place + "</xml>"), openid=openid, timestamp=created)
        return pushed.reply.get("Content") if pushed.reply else None

    async def click(self, openid: str, key: str) -> str | None:
        pushed = await self.event(openid, "CLICK", key)
        return pushed.reply.get("Content") if pushed.reply else None

    # What the follower was shown
    def shown(self, openid: str) -> list[Delivered]:
        return [d for d in self.api.delivered if d.openid == openid]

    def texts(self, openid: str) -> list[str]:
        return [d.text for d in self.shown(openid)]

    async def wait_for(self, openid: str, fragment: str, *, timeout_s: float = 5.0, after: int = 0) -> Delivered:
        """The first message (from the ``after``-th on) shown to ``openid`` containing ``fragment``."""

        async def found() -> Delivered:
            while True:
                for seen in self.shown(openid)[after:]:
                    if fragment in seen.text:
                        return seen
                self._changed.clear()
                await self._changed.wait()

        return await asyncio.wait_for(found(), timeout_s)

    def notify(self) -> None:
        self._changed.set()

    def _template_done(self, openid: str, msgid: str, status: str) -> None:
        self._changed.set()

        async def later() -> None:
            await asyncio.sleep(0.01)
            fields = {"MsgType": "event", "Event": "TEMPLATESENDJOBFINISH", "MsgID": msgid, "Status": status}
            await self._push(openid, fields)

        task = asyncio.get_running_loop().create_task(later())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
