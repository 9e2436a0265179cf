"""A fake WeCom on loopback: ``qyapi`` (gettoken, message/send, message/update_template_card, the group
robot's webhook) and the callbacks a member's client makes (encrypted, POSTed to the bot, retried), with a
control API over HTTP (``/control/...``) and in process for tests and the demo.

Its limits are WeCom's: a member's 31st message within a minute is dropped silently (``world.dropped``
records it), a robot's 21st is refused (45009); a response code updates cards once, within 72 h. WeCom does
not document the errcode of a spent or expired code: the fake answers 60220 (its own) with a reason."""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections.abc import Callable
from typing import Any
from xml.sax.saxutils import escape

import aiohttp
import xmltodict
from aiohttp import web
from wechatpy.enterprise.crypto import WeChatCrypto

from sandbox.wecom.world import Received, WeComWorld

CODE_REFUSED = 60220  # not a documented WeCom code: the fake's "response_code used or expired"
POST_TIMEOUT_S = 5.0
POST_ATTEMPTS = 3


class FakeWeCom:
    def __init__(
        self,
        *,
        corp_id: str = "wwsandbox0001",
        secret: str = "sandbox-secret",
        token: str = "sandboxtoken",
        encoding_aes_key: str = "",
        agent_id: int = 1000002,
    ) -> None:
        self.corp_id, self.secret, self.token, self.agent_id = corp_id, secret, token, agent_id
        self.encoding_aes_key = encoding_aes_key or secrets.token_urlsafe(40).replace("-", "a").replace("_", "b")[:43]
        self.world = WeComWorld()
        self.callback_url = ""  # the bot's; set once it is known
        self.ip_blocked = False  # gettoken answers 60020 (this IP is not a trusted IP of the app)
        self.tokens: dict[str, float] = {}
        self.token_calls = 0
        self.calls: list[str] = []
        self.callbacks_posted = 0
        self._msg_ids = 0
        self._changed = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self.port = 0

    # -- lifecycle ----------------------------------------------------------------------------------

    async def __aenter__(self) -> FakeWeCom:
        app = web.Application()
        app.router.add_get("/cgi-bin/gettoken", self._gettoken)
        app.router.add_post("/cgi-bin/message/send", self._send)
        app.router.add_post("/cgi-bin/message/update_template_card", self._update)
        app.router.add_post("/cgi-bin/webhook/send", self._robot)
        app.router.add_get("/control/chat/{userid}", self._control_chat)
        app.router.add_post("/control/text", self._control_text)
        app.router.add_post("/control/press", self._control_press)
        app.router.add_get("/control/stats", self._control_stats)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        self._session = aiohttp.ClientSession()
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def settings(self, *, callback_listen: str, robots: dict[str, str] | None = None) -> dict[str, Any]:
        """The bot's ``[wecom]`` for this fake."""
        return {
            "corp_id": self.corp_id,
            "agent_id": self.agent_id,
            "secret": self.secret,
            "token": self.token,
            "encoding_aes_key": self.encoding_aes_key,
            "base_url": self.base_url,
            "callback_listen": callback_listen,
            "callback_url": f"http://{callback_listen}/wecom/callback",
            "robots": robots or {},
        }

    def changed(self) -> None:
        self._changed.set()

    # -- qyapi ----------------------------------------------------------------------------------------

    def _err(self, code: int, msg: str) -> web.Response:
        return web.json_response({"errcode": code, "errmsg": msg})

    def _token_ok(self, request: web.Request) -> web.Response | None:
        token = request.query.get("access_token", "")
        expires = self.tokens.get(token)
        if expires is None:
            return self._err(40014, "invalid access_token")
        if expires <= time.monotonic():
            return self._err(42001, "access_token expired")
        return None

    def expire_tokens(self) -> None:
        self.tokens = dict.fromkeys(self.tokens, 0.0)

    async def _gettoken(self, request: web.Request) -> web.Response:
        self.calls.append("gettoken")
        self.token_calls += 1
        if self.ip_blocked:
            return self._err(60020, "not allow to access from your ip")
        if request.query.get("corpid") != self.corp_id:
            return self._err(40013, "invalid corpid")
        if request.query.get("corpsecret") != self.secret:
            return self._err(40001, "invalid credential")
        token = "at-" + secrets.token_hex(8)
        self.tokens[token] = time.monotonic() + 7200
        return web.json_response({"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200})

    async def _send(self, request: web.Request) -> web.Response:
        self.calls.append("message/send")
        if (refused := self._token_ok(request)) is not None:
            return refused
        body = await request.json()
        userid, msgtype = str(body.get("touser", "")), str(body.get("msgtype", ""))
        if userid not in self.world.members:
            return web.json_response(
                {"errcode": 81013, "errmsg": "user & party & tag all invalid", "invaliduser": userid}
            )
        received = self.world.deliver(userid, msgtype, body, asyncio.get_running_loop().time())
        answer: dict[str, Any] = {"errcode": 0, "errmsg": "ok", "msgid": received.msgid if received else "dropped"}
        card = body.get("template_card") or {}
        if msgtype == "template_card" and card.get("card_type") != "text_notice":
            answer["response_code"] = self.world.issue_code(str(card.get("task_id", "")), (userid,))
        self.changed()
        return web.json_response(answer)

    async def _update(self, request: web.Request) -> web.Response:
        self.calls.append("message/update_template_card")
        if (refused := self._token_ok(request)) is not None:
            return refused
        body = await request.json()
        code = self.world.spend(str(body.get("response_code", "")))
        if code is None:
            return self._err(CODE_REFUSED, "response_code used or expired")
        for userid in body.get("userids", []):
            copy = self.world.card_copy(str(userid), code.task_id)
            if copy is not None and "template_card" in body:
                copy.updates.append(dict(body["template_card"]))
            elif copy is not None and "button" in body:  # the buttons become one that cannot be pressed
                card = {k: v for k, v in copy.card.items() if k not in ("button_list", "button_selection")}
                copy.updates.append({**card, "replace_name": str(body["button"].get("replace_name", ""))})
        self.changed()
        return self._err(0, "ok")

    async def _robot(self, request: web.Request) -> web.Response:
        self.calls.append("webhook/send")
        key = request.query.get("key", "")
        if not key:
            return self._err(93000, "invalid webhook url")
        body = await request.json()
        content = str((body.get("markdown") or body.get("text") or {}).get("content", ""))
        if not self.world.push(key, content, asyncio.get_running_loop().time()):
            return self._err(45009, "api freq out of limit")
        self.changed()
        return self._err(0, "ok")

    # -- a member's client: callbacks to the bot --------------------------------------------------

    def _xml(self, userid: str, fields: dict[str, str]) -> str:
        parts = [
            f"<ToUserName><![CDATA[{self.corp_id}]]></ToUserName>",
            f"<FromUserName><![CDATA[{userid}]]></FromUserName>",
            f"<CreateTime>{int(time.time())}</CreateTime>",
            f"<AgentID>{self.agent_id}</AgentID>",
        ]
        for name, value in fields.items():
            parts.append(value if value.startswith("<") else f"<{name}><![CDATA[{value}]]></{name}>")
        return "<xml>" + "".join(parts) + "</xml>"

    def encrypt(self, plain: str) -> tuple[bytes, dict[str, str]]:
        """The body and query WeCom would POST for ``plain``."""
        crypto = WeChatCrypto(self.token, self.encoding_aes_key, self.corp_id)
        nonce, stamp = secrets.token_hex(6), str(int(time.time()))
        reply = xmltodict.parse(crypto.encrypt_message(plain, nonce, stamp))["xml"]
        body = (
            f"<xml><ToUserName><![CDATA[{self.corp_id}]]></ToUserName><AgentID>{self.agent_id}</AgentID>"
            f"<Encrypt><![CDATA[{reply['Encrypt']}]]></Encrypt></xml>"
        )
        return body.encode(), {"msg_signature": reply["MsgSignature"], "timestamp": stamp, "nonce": nonce}

    async def post_raw(self, body: bytes, query: dict[str, str]) -> int:
        """One POST to the bot's callback, retried (up to 3, 5 s each) while it does not answer 200."""
        assert self._session is not None and self.callback_url, "set callback_url first"
        status = 0
        for _ in range(POST_ATTEMPTS):
            try:
                timeout = aiohttp.ClientTimeout(total=POST_TIMEOUT_S)
                async with self._session.post(self.callback_url, data=body, params=query, timeout=timeout) as answer:
                    status = answer.status
                    await answer.read()
            except (aiohttp.ClientError, TimeoutError):
                status = 0
            self.callbacks_posted += 1
            if status == 200 or status in (400, 403):
                return status
            await asyncio.sleep(0.2)
        return status

    async def callback(self, userid: str, fields: dict[str, str], *, deliveries: int = 1) -> int:
        """Encrypt and POST a message or event from ``userid`` (``deliveries`` > 1: WeCom's retry of the same
        callback after an answer it did not see)."""
        body, query = self.encrypt(self._xml(userid, fields))
        status = 0
        for _ in range(deliveries):
            status = await self.post_raw(body, query)
        return status

    def _msg_id(self) -> str:
        self._msg_ids += 1
        return str(7_000_000_000_000_000 + self._msg_ids)

    async def send_text(self, userid: str, text: str, *, deliveries: int = 1) -> int:
        return await self.callback(
            userid, {"MsgType": "text", "Content": text, "MsgId": self._msg_id()}, deliveries=deliveries
        )

    async def send_location(self, userid: str, latitude: float, longitude: float) -> int:
        fields = {
            "MsgType": "location",
            "Location_X": str(latitude),
            "Location_Y": str(longitude),
            "Scale": "15",
            "Label": "",
            "MsgId": self._msg_id(),
        }
        return await self.callback(userid, fields)

    def find(self, userid: str, prefix: str) -> tuple[Received, str]:
        """The newest message in ``userid``'s chat with a key starting with ``prefix``, and that key."""
        for received in reversed(self.world.chats.get(userid, [])):
            for key in received.payloads():
                if key.startswith(prefix):
                    return received, key
        raise LookupError(f"no button {prefix!r} in {userid}'s chat")

    async def click(self, userid: str, received: Received, key: str, *, deliveries: int = 1) -> int:
        """The member taps ``key`` on a card: a template_card_event with a fresh ResponseCode."""
        card = received.card
        fields = {"MsgType": "event", "Event": "template_card_event", "TaskId": received.task_id}
        options = card.get("button_selection", {}).get("option_list", [])
        if options:
            question = escape(str(card["button_selection"]["question_key"]))
            fields["EventKey"] = str(card["button_list"][0]["key"])
            fields["SelectedItems"] = (
                f"<SelectedItems><SelectedItem><QuestionKey><![CDATA[{question}]]></QuestionKey>"
                f"<OptionIds><OptionId><![CDATA[{key}]]></OptionId></OptionIds></SelectedItem></SelectedItems>"
            )
        else:
            fields["EventKey"] = key
        fields["CardType"] = str(card.get("card_type", "button_interaction"))
        fields["ResponseCode"] = self.world.issue_code(received.task_id, (userid,))
        return await self.callback(userid, fields, deliveries=deliveries)

    async def press(self, userid: str, prefix: str, *, timeout_s: float = 10.0) -> str:
        """Wait for a button starting with ``prefix`` in ``userid``'s chat, and tap the newest; its key."""
        await self.wait_for(userid, lambda r: any(k.startswith(prefix) for k in r.payloads()), timeout_s=timeout_s)
        received, key = self.find(userid, prefix)
        await self.click(userid, received, key)
        return key

    # -- waiting and reading ----------------------------------------------------------------------

    def messages(self, userid: str) -> list[Received]:
        return list(self.world.chats.get(userid, []))

    async def wait_for(self, userid: str, check: Callable[[Received], bool], *, timeout_s: float = 10.0) -> Received:
        async def found() -> Received:
            while True:
                for received in self.world.chats.get(userid, []):
                    if check(received):
                        return received
                self._changed.clear()
                await self._changed.wait()

        return await asyncio.wait_for(found(), timeout_s)

    async def wait_until(self, check: Callable[[], bool], *, timeout_s: float = 10.0) -> None:
        async def found() -> None:
            while not check():
                self._changed.clear()
                await self._changed.wait()

        await asyncio.wait_for(found(), timeout_s)

    async def wait_quiet(self, *, quiet_s: float = 0.3, timeout_s: float = 10.0) -> None:
        """Until nothing reached the fake for ``quiet_s`` (bounded by ``timeout_s``)."""

        async def quiet() -> None:
            while True:
                self._changed.clear()
                try:
                    await asyncio.wait_for(self._changed.wait(), quiet_s)
                except TimeoutError:
                    return

        await asyncio.wait_for(quiet(), timeout_s)

    def stats(self) -> dict[str, Any]:
        world = self.world
        return {
            "dropped": dict(world.dropped),
            "robot_refused": world.robot_refused,
            "update_refused": world.update_refused,
            "callbacks_posted": self.callbacks_posted,
            "token_calls": self.token_calls,
        }

    # -- control over HTTP ------------------------------------------------------------------------

    async def _control_chat(self, request: web.Request) -> web.Response:
        userid = request.match_info["userid"]
        chat = [
            {
                "msgid": r.msgid,
                "type": r.msgtype,
                "task_id": r.task_id,
                "text": r.text,
                "keys": r.payloads(),
                "updates": len(r.updates),
            }
            for r in self.messages(userid)
        ]
        return web.json_response(chat)

    async def _control_text(self, request: web.Request) -> web.Response:
        data = json.loads(await request.read())
        status = await self.send_text(str(data["userid"]), str(data["text"]))
        return web.json_response({"status": status})

    async def _control_press(self, request: web.Request) -> web.Response:
        data = json.loads(await request.read())
        try:
            key = await self.press(str(data["userid"]), str(data["prefix"]), timeout_s=float(data.get("timeout_s", 10)))
        except (LookupError, TimeoutError) as exc:
            return web.json_response({"error": str(exc) or "timeout"}, status=404)
        return web.json_response({"key": key})

    async def _control_stats(self, request: web.Request) -> web.Response:
        return web.json_response(self.stats())
