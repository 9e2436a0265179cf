"""``/control/...`` of the WeChat sandbox: the follower's actions and what they were shown, over HTTP (for
scripts and the demo; tests use the ``WechatSandbox`` methods directly)."""

from __future__ import annotations

import dataclasses
from typing import Any, Protocol

from aiohttp import web

from common.jsonfast import loads
from sandbox.wechat.api import Delivered, FakeApi


class Controlled(Protocol):
    """What the endpoints need of the sandbox (``WechatSandbox``, which registers them)."""

    api: FakeApi

    async def text(self, openid: str, text: str) -> str | None: ...
    async def location(self, openid: str, lat: float, lon: float, label: str = "") -> str | None: ...
    async def subscribe(self, openid: str, scene: str | None = None) -> str | None: ...
    async def click(self, openid: str, key: str) -> str | None: ...
    async def unsubscribe(self, openid: str) -> None: ...
    def shown(self, openid: str) -> list[Delivered]: ...


def control_routes(sandbox: Controlled) -> list[web.RouteDef]:
    async def push(request: web.Request) -> web.Response:
        try:
            body: Any = loads(await request.read())
        except ValueError:
            body = None
        if not isinstance(body, dict) or not isinstance(body.get("openid"), str):
            return web.json_response({"ok": False, "error": "a JSON object with openid"}, status=400)
        openid, kind = body["openid"], body.get("kind", "text")
        if kind == "text":
            reply = await sandbox.text(openid, str(body.get("text", "")))
        elif kind == "location":
            reply = await sandbox.location(openid, float(body["lat"]), float(body["lon"]), str(body.get("label", "")))
        elif kind == "subscribe":
            reply = await sandbox.subscribe(openid, body.get("scene"))
        elif kind == "click":
            reply = await sandbox.click(openid, str(body.get("key", "")))
        elif kind == "unsubscribe":
            await sandbox.unsubscribe(openid)
            reply = None
        else:
            return web.json_response({"ok": False, "error": f"unknown kind {kind!r}"}, status=400)
        return web.json_response({"ok": True, "reply": reply})

    async def shown(request: web.Request) -> web.Response:
        openid = request.query.get("openid", "")
        return web.json_response([dataclasses.asdict(d) | {"at": d.at.isoformat()} for d in sandbox.shown(openid)])

    async def faults(request: web.Request) -> web.Response:
        body: Any = loads(await request.read() or b"{}")
        if isinstance(body, dict):
            if "refuse_ip" in body:
                sandbox.api.refuse_ip = bool(body["refuse_ip"])
            if body.get("expire_token"):
                sandbox.api.expire_token()
        return web.json_response({"ok": True, "errors": sandbox.api.errors})

    return [
        web.post("/control/push", push),
        web.get("/control/shown", shown),
        web.post("/control/faults", faults),
    ]
