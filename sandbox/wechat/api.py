"""A fake ``api.weixin.qq.com``: the endpoints the hotline calls, with WeChat's rules and error codes.

- ``/cgi-bin/stable_token``: one token per account, valid 7,200 s; ``force_refresh`` makes a new one;
  ``refuse_ip`` answers 40164 (this server's IP is not on the whitelist); a wrong AppSecret 40125.
- ``/cgi-bin/message/custom/send``: the customer-service window, counted independently of the bot: after a
  follower's message 5 sends within 48 h, after a click / follow / scan 3 within a minute; outside any window
  45015, past the quota 45047; an unfollowed openid 43004; a text over 2,048 bytes 45002.
  A token no longer valid is 42001 (40001 if unknown).
- ``/cgi-bin/message/template/send``: any follower; the same ``client_msg_id`` twice is one message; the
  outcome follows later as a TEMPLATESENDJOBFINISH event pushed to the bot.
- ``/cgi-bin/menu/create``: at most 3 buttons of at most 5 each, names of at most 16 / 60 bytes (40018, 40023).
- ``/cgi-bin/media/get``: a resident's photo for 3 days, then 40007.
- ``/cgi-bin/get_api_domain_ip``: a token check for ``hotline wechat check``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web

from common.jsonfast import loads

MESSAGE_WINDOW = timedelta(hours=48)
EVENT_WINDOW = timedelta(minutes=1)
MEDIA_LIFE = timedelta(days=3)
MAX_TEXT_BYTES = 2048  # a text message's content


@dataclass
class Follower:
    openid: str
    following: bool = True
    message_at: datetime | None = None
    message_used: int = 0
    event_at: datetime | None = None
    event_used: int = 0


@dataclass
class Delivered:
    """Something the follower's WeChat shows: a passive reply, a customer-service or a template message."""

    openid: str
    kind: str  # passive, custom, template
    text: str
    at: datetime
    data: dict[str, Any] = field(default_factory=dict)


class FakeApi:
    def __init__(self, app_id: str, app_secret: str, clock: Callable[[], datetime]) -> None:
        self.app_id = app_id
        self.app_secret = app_secret
        self.clock = clock
        self.followers: dict[str, Follower] = {}
        self.delivered: list[Delivered] = []
        self.errors: list[tuple[str, int]] = []  # (endpoint, errcode) of every refusal
        self.menu: dict[str, Any] | None = None
        self.media: dict[str, tuple[bytes, datetime]] = {}
        self.refuse_ip = False
        self.on_template: Callable[[str, str, str], None] | None = None  # (openid, msgid, status) -> event
        self.on_delivered: Callable[[], None] | None = None
        self._token: str | None = None
        self._token_until: datetime | None = None
        self._old_tokens: set[str] = set()
        self._tokens = itertools.count(1)
        self._msgids = itertools.count(1000)
        self._templates: dict[str, str] = {}
        self.token_calls = 0
        self.qr_codes: dict[str, str] = {}  # ticket -> scene string
        self.fail_next = 0  # answer the next N sends (custom/send, template/send) with HTTP 500: an outage

    def follower(self, openid: str) -> Follower:
        return self.followers.setdefault(openid, Follower(openid))

    # What WeChat records when the follower acts (called by the pushing side)
    def saw_message(self, openid: str) -> None:
        f = self.follower(openid)
        f.following, f.message_at, f.message_used = True, self.clock(), 0

    def saw_event(self, openid: str, event: str) -> None:
        f = self.follower(openid)
        if event == "unsubscribe":
            f.following = False
            return
        if event in ("subscribe", "scan", "click", "location_select"):
            f.following, f.event_at, f.event_used = True, self.clock(), 0

    def expire_token(self) -> None:
        """The current token stops working (WeChat answers 42001 until a new one is fetched)."""
        if self._token is not None:
            self._old_tokens.add(self._token)
        self._token = None

    def add_media(self, data: bytes) -> str:
        media_id = f"media{next(self._msgids)}"
        self.media[media_id] = (data, self.clock())
        return media_id

    def routes(self) -> list[web.RouteDef]:
        return [
            web.post("/cgi-bin/stable_token", self._stable_token),
            web.post("/cgi-bin/message/custom/send", self._custom),
            web.post("/cgi-bin/message/template/send", self._template),
            web.post("/cgi-bin/menu/create", self._menu),
            web.get("/cgi-bin/media/get", self._media),
            web.get("/cgi-bin/get_api_domain_ip", self._domain_ip),
            web.post("/cgi-bin/qrcode/create", self._qrcode),
        ]

    def _error(self, endpoint: str, code: int, message: str) -> web.Response:
        self.errors.append((endpoint, code))
        return web.json_response({"errcode": code, "errmsg": message})

    async def _body(self, request: web.Request) -> dict[str, Any]:
        try:
            body = loads(await request.read())
        except ValueError:
            return {}
        return body if isinstance(body, dict) else {}

    def _token_error(self, request: web.Request, endpoint: str) -> web.Response | None:
        token = request.query.get("access_token", "")
        if token and token == self._token and self._token_until and self.clock() < self._token_until:
            return None
        if token in self._old_tokens or (token and token == self._token):
            return self._error(endpoint, 42001, "access_token expired")
        return self._error(endpoint, 40001, "invalid credential, access_token is invalid or not latest")

    async def _stable_token(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        self.token_calls += 1
        if self.refuse_ip:
            return self._error("stable_token", 40164, "invalid ip 203.0.113.7, not in whitelist")
        if body.get("appid") != self.app_id:
            return self._error("stable_token", 40013, "invalid appid")
        if body.get("secret") != self.app_secret:
            return self._error("stable_token", 40125, "invalid appsecret")
        now = self.clock()
        if self._token is None or body.get("force_refresh") or not self._token_until or now >= self._token_until:
            if self._token is not None:
                self._old_tokens.add(self._token)
            self._token, self._token_until = f"wxtoken{next(self._tokens)}", now + timedelta(seconds=7200)
        left = int((self._token_until - now).total_seconds())
        return web.json_response({"access_token": self._token, "expires_in": left})

    def _outage(self) -> web.Response | None:
        if self.fail_next <= 0:
            return None
        self.fail_next -= 1
        return web.Response(status=500, text="server busy")

    async def _custom(self, request: web.Request) -> web.Response:
        if (down := self._outage()) is not None:
            return down
        if (refused := self._token_error(request, "custom/send")) is not None:
            return refused
        body = await self._body(request)
        openid = str(body.get("touser", ""))
        text = str((body.get("text") or {}).get("content", "")) if isinstance(body.get("text"), dict) else ""
        if len(text.encode("utf-8")) > MAX_TEXT_BYTES:
            return self._error("custom/send", 45002, "content size out of limit")
        f = self.followers.get(openid)
        if f is None or not f.following:
            return self._error("custom/send", 43004, "require subscribe")
        now = self.clock()
        in_event = f.event_at is not None and now - f.event_at <= EVENT_WINDOW
        in_message = f.message_at is not None and now - f.message_at <= MESSAGE_WINDOW
        if in_event and f.event_used < 3:
            f.event_used += 1
        elif in_message and f.message_used < 5:
            f.message_used += 1
        elif in_event or in_message:
            return self._error("custom/send", 45047, "out of send limit")
        else:
            return self._error("custom/send", 45015, "response out of time limit or subscription is canceled")
        self.delivered.append(Delivered(openid, "custom", text, now))
        if self.on_delivered is not None:
            self.on_delivered()
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def _template(self, request: web.Request) -> web.Response:
        if (down := self._outage()) is not None:
            return down
        if (refused := self._token_error(request, "template/send")) is not None:
            return refused
        body = await self._body(request)
        openid = str(body.get("touser", ""))
        client_msg_id = str(body.get("client_msg_id", ""))
        if client_msg_id and client_msg_id in self._templates:
            return web.json_response({"errcode": 0, "errmsg": "ok", "msgid": int(self._templates[client_msg_id])})
        f = self.followers.get(openid)
        if f is None or not f.following:
            return self._error("template/send", 43004, "require subscribe")
        msgid = str(next(self._msgids))
        if client_msg_id:
            self._templates[client_msg_id] = msgid
        data = body.get("data") if isinstance(body.get("data"), dict) else {}
        assert isinstance(data, dict)
        text = "\n".join(str(v.get("value", "")) for v in data.values() if isinstance(v, dict))
        self.delivered.append(Delivered(openid, "template", text, self.clock(), data))
        if self.on_delivered is not None:
            self.on_delivered()
        if self.on_template is not None:
            self.on_template(openid, msgid, "success")
        return web.json_response({"errcode": 0, "errmsg": "ok", "msgid": int(msgid)})

    async def _menu(self, request: web.Request) -> web.Response:
        if (refused := self._token_error(request, "menu/create")) is not None:
            return refused
        body = await self._body(request)
        buttons = body.get("button")
        if not isinstance(buttons, list) or not 1 <= len(buttons) <= 3:
            return self._error("menu/create", 40017, "invalid button size")
        for button in buttons:
            if not isinstance(button, dict) or len(str(button.get("name", "")).encode()) > 16:
                return self._error("menu/create", 40018, "invalid button name size")
            subs = button.get("sub_button", [])
            if not isinstance(subs, list) or len(subs) > 5:
                return self._error("menu/create", 40023, "invalid sub button size")
            for sub in subs:
                if not isinstance(sub, dict) or len(str(sub.get("name", "")).encode()) > 60:
                    return self._error("menu/create", 40025, "invalid sub button name size")
        self.menu = body
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def _media(self, request: web.Request) -> web.Response:
        if (refused := self._token_error(request, "media/get")) is not None:
            return refused
        media = self.media.get(request.query.get("media_id", ""))
        if media is None or self.clock() - media[1] > MEDIA_LIFE:
            return self._error("media/get", 40007, "invalid media_id")
        return web.Response(body=media[0], content_type="image/jpeg")

    async def _domain_ip(self, request: web.Request) -> web.Response:
        if (refused := self._token_error(request, "get_api_domain_ip")) is not None:
            return refused
        return web.json_response({"ip_list": ["127.0.0.1"]})

    async def _qrcode(self, request: web.Request) -> web.Response:
        if (refused := self._token_error(request, "qrcode/create")) is not None:
            return refused
        body = await self._body(request)
        scene = ((body.get("action_info") or {}).get("scene") or {}).get("scene_str")
        if body.get("action_name") != "QR_STR_SCENE" or not isinstance(scene, str) or not 1 <= len(scene) <= 64:
            return self._error("qrcode/create", 40053, "invalid action info")
        ticket = f"gQ{next(self._msgids)}/{scene}=="
        self.qr_codes[ticket] = scene
        return web.json_response({"ticket": ticket, "expire_seconds": body.get("expire_seconds", 60), "url": ""})
