"""``/control/...`` JSON endpoints: the in-process control API over HTTP, for scripts and demos.
Every endpoint takes an optional ``bot_id`` (query or body) to pick a bot other than the first."""

from __future__ import annotations

import base64
import dataclasses
import json
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from aiohttp import web

from sandbox.actors import Posted
from sandbox.botworld import ChatMessage
from sandbox.errors import SandboxError
from sandbox.limits import FaultConfig, RateLimits
from sandbox.reading import BotView
from sandbox.server import ApiCall


class Controlled(Protocol):
    """What the endpoints need of the sandbox (``sandbox.Sandbox``, which registers them): its bots, its
    call log and its fault switches. Typed here so this module does not import the sandbox back."""

    def bot_by_id(self, bot_id: int) -> BotView: ...
    def stats(self) -> dict[str, Any]: ...
    def calls(self, method: str | None = None) -> list[ApiCall]: ...
    def set_faults(self, config: FaultConfig | None = None, **fields: Any) -> FaultConfig: ...
    def set_rate_limits(self, limits: RateLimits | bool = True) -> None: ...
    def burst_429(self, count: int, retry_after_s: int = 1) -> None: ...
    def revoke_token(self, token: str, new_token: str | None = None) -> None: ...
    async def wait_idle(self, *, quiet_s: float = 0.05, timeout_s: float = 5.0) -> None: ...


JSON = dict[str, Any]
MAX_WAIT_S = 30.0
ACTIONS = frozenset(
    {
        "send_text",
        "send_location",
        "send_contact",
        "send_photo",
        "send_sticker",
        "send_voice",
        "send_video",
        "send_document",
        "edit_text",
        "press_button",
        "block",
        "unblock",
    }
)


def message_json(stored: ChatMessage) -> JSON:
    return {
        "chat_id": stored.chat_id,
        "message_id": stored.message_id,
        "from_bot": stored.from_bot,
        "text": stored.text,
        "kind": stored.kind,
        "deleted": stored.deleted,
        "message": stored.data,
        "sent_markup": stored.sent_markup,
        "edits": [dataclasses.asdict(edit) for edit in stored.edits],
    }


def posted_json(posted: Posted) -> JSON:
    return dataclasses.asdict(posted)


def add_control_routes(app: web.Application, sandbox: Controlled, first: BotView) -> None:
    """``first``: the view of the sandbox's first bot (the sandbox itself), when no ``bot_id`` is given."""

    def view(args: JSON) -> BotView:
        bot_id = args.pop("bot_id", None)
        return first if bot_id is None else sandbox.bot_by_id(int(bot_id))

    def endpoint(fn: Callable[[JSON], Awaitable[Any]]) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def handle(request: web.Request) -> web.Response:
            args: JSON = dict(request.query)
            if request.method == "POST" and request.can_read_body:
                try:
                    body = await request.json()
                except ValueError:
                    return web.json_response({"ok": False, "error": "body must be JSON"}, status=400)
                if not isinstance(body, dict):
                    return web.json_response({"ok": False, "error": "body must be a JSON object"}, status=400)
                args.update(body)
            args.update(request.match_info)
            try:
                result = await fn(args)
            except (SandboxError, TypeError, ValueError, KeyError) as exc:
                return web.json_response({"ok": False, "error": f"{exc.__class__.__name__}: {exc}"}, status=400)
            except TimeoutError as exc:
                return web.json_response({"ok": False, "error": str(exc)}, status=408)
            return web.json_response({"ok": True, "result": result})

        return handle

    async def state(args: JSON) -> Any:
        return sandbox.stats()

    async def create_user(args: JSON) -> Any:
        return view(args).create_user(**args).to_json()

    async def create_group(args: JSON) -> Any:
        return view(args).create_group(**args).to_json()

    async def act(args: JSON) -> Any:
        action = args.pop("action")
        if action not in ACTIONS:
            raise SandboxError(f"unknown action {action}; one of {sorted(ACTIONS)}")
        target = view(args)
        if "data_b64" in args:
            args["data"] = base64.b64decode(args.pop("data_b64"))
        user = args.pop("user")
        result = await getattr(target, action)(int(user), **args)
        return posted_json(result)

    async def raw_update(args: JSON) -> Any:
        target = view(args)
        return {"update_id": await target.inject_raw_update(args.get("update", args))}

    async def messages(args: JSON) -> Any:
        target = view(args)
        include_deleted = str(args.get("include_deleted", "")).lower() in ("1", "true")
        if str(args.get("all", "")).lower() in ("1", "true"):
            return [message_json(m) for m in target.history(int(args["chat_id"]))]
        return [message_json(m) for m in target.messages(int(args["chat_id"]), include_deleted=include_deleted)]

    async def reply_keyboard(args: JSON) -> Any:
        return view(args).reply_keyboard(int(args["chat_id"]))

    async def callback_answers(args: JSON) -> Any:
        return view(args).callback_answers

    async def commands(args: JSON) -> Any:
        scope = args.get("scope")
        parsed = json.loads(scope) if isinstance(scope, str) else scope
        return view(args).commands(scope=parsed, language_code=str(args.get("language_code", "")))

    async def calls(args: JSON) -> Any:
        found = sandbox.calls(args.get("method"))
        limit = int(args.get("limit", 100))
        return [dataclasses.asdict(call) for call in found[-limit:]] if limit > 0 else []

    async def faults(args: JSON) -> Any:
        if "methods" in args and args["methods"] is not None:
            args["methods"] = frozenset(str(m).lower() for m in args["methods"])
        config = sandbox.set_faults(FaultConfig(**args))
        return {**dataclasses.asdict(config), "methods": sorted(config.methods) if config.methods else None}

    async def rate_limits(args: JSON) -> Any:
        sandbox.set_rate_limits(RateLimits(**args))
        return True

    async def burst_429(args: JSON) -> Any:
        sandbox.burst_429(int(args["count"]), int(args.get("retry_after_s", 1)))
        return True

    async def wait_for(args: JSON) -> Any:
        target = view(args)
        fragment = str(args.get("contains", ""))
        timeout_s = min(MAX_WAIT_S, float(args.get("timeout_s", 3.0)))
        found = await target.wait_for(
            int(args["chat_id"]),
            lambda m: fragment in (m.text or ""),
            timeout_s=timeout_s,
            since=int(args.get("since", 0)),
        )
        return message_json(found)

    async def revoke_token(args: JSON) -> Any:
        sandbox.revoke_token(str(args["token"]), str(args["new_token"]) if args.get("new_token") else None)
        return True

    async def not_started(args: JSON) -> Any:
        view(args).set_not_started(int(args["user"]))
        return True

    async def wait_idle(args: JSON) -> Any:
        await sandbox.wait_idle(timeout_s=min(MAX_WAIT_S, float(args.get("timeout_s", 5.0))))
        return True

    routes: list[tuple[str, str, Callable[[JSON], Awaitable[Any]]]] = [
        ("GET", "/control/state", state),
        ("POST", "/control/users", create_user),
        ("POST", "/control/groups", create_group),
        ("POST", "/control/act/{action}", act),
        ("POST", "/control/raw_update", raw_update),
        ("GET", "/control/messages", messages),
        ("GET", "/control/reply_keyboard", reply_keyboard),
        ("GET", "/control/callback_answers", callback_answers),
        ("GET", "/control/commands", commands),
        ("GET", "/control/calls", calls),
        ("POST", "/control/faults", faults),
        ("POST", "/control/rate_limits", rate_limits),
        ("POST", "/control/burst_429", burst_429),
        ("POST", "/control/revoke_token", revoke_token),
        ("POST", "/control/not_started", not_started),
        ("POST", "/control/wait_for", wait_for),
        ("POST", "/control/wait_idle", wait_idle),
    ]
    for method, path, fn in routes:
        app.router.add_route(method, path, endpoint(fn))
