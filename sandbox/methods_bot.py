"""Bot API methods about the bot itself: identity, updates and webhook, commands, files, chats."""

from __future__ import annotations

import json
import re
from typing import Any

from sandbox.botworld import BotWorld
from sandbox.errors import bad_request, conflict
from sandbox.methods_messages import Handler, chat_id_param
from sandbox.params import Params
from sandbox.webhook import check_webhook_url

JSON = dict[str, Any]

WEBHOOK_ACTIVE = "can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
_LANGUAGE = re.compile(r"^([a-z]{2})?$")
_SCOPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)


async def get_me(world: BotWorld, p: Params) -> JSON:
    return dict(world.user)


async def ok(world: BotWorld, p: Params) -> bool:
    return True


async def get_updates(world: BotWorld, p: Params) -> list[JSON]:
    if world.webhook.url:
        raise conflict(WEBHOOK_ACTIVE)
    limit = min(100, max(1, p.get_int("limit", 100) or 100))
    timeout_s = max(0, p.get_int("timeout", 0) or 0)
    allowed = p.get_json("allowed_updates")
    if allowed is not None:
        if not isinstance(allowed, list):
            raise bad_request("can't parse allowed_updates JSON array")
        world.updates.set_allowed([str(kind) for kind in allowed])
    return await world.updates.poll(p.get_int("offset"), limit, float(timeout_s))


async def set_webhook(world: BotWorld, p: Params) -> bool:
    url = p.get_str("url") or ""
    if not url:
        return await delete_webhook(world, p)
    check_webhook_url(url)
    secret = p.get_str("secret_token")
    if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
        raise bad_request("secret token contains unallowed characters")
    if p.get_bool("drop_pending_updates"):
        world.updates.clear()
    allowed = p.get_json("allowed_updates")
    if isinstance(allowed, list):
        world.updates.set_allowed([str(kind) for kind in allowed])
    hook = world.webhook
    hook.url = url
    hook.secret_token = secret
    hook.max_connections = p.get_int("max_connections", 40) or 40
    if world.http_session is None:
        raise bad_request("bad webhook: the sandbox is not running")
    hook.start(world.updates, world.http_session)
    world.updates.end_polls("setWebhook request")
    return True


async def delete_webhook(world: BotWorld, p: Params) -> bool:
    world.webhook.url = ""
    world.webhook.secret_token = None
    world.webhook.stop()
    if p.get_bool("drop_pending_updates"):
        world.updates.clear()
    return True


async def get_webhook_info(world: BotWorld, p: Params) -> JSON:
    return world.webhook.info(len(world.updates), world.updates.allowed)


def _commands_key(p: Params) -> tuple[str, str]:
    scope = p.get_json("scope") or {"type": "default"}
    if not isinstance(scope, dict) or scope.get("type") not in _SCOPES:
        raise bad_request("can't parse BotCommandScope JSON object")
    language = p.get_str("language_code") or ""
    if not _LANGUAGE.match(language):
        raise bad_request("invalid language code specified")
    return json.dumps(scope, sort_keys=True), language


_CHAT_SCOPES = ("chat", "chat_administrators", "chat_member")


async def set_my_commands(world: BotWorld, p: Params) -> bool:
    scope = p.get_json("scope")
    if isinstance(scope, dict) and scope.get("type") in _CHAT_SCOPES:
        chat_id = scope.get("chat_id")
        if not isinstance(chat_id, int) or world.directory.chat_json(chat_id) is None or chat_id in world.not_started:
            raise bad_request("chat not found")
    commands = p.get_json("commands")
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON array")
    if len(commands) > 100:
        raise bad_request("BOT_COMMANDS_TOO_MUCH")
    checked = []
    for item in commands:
        if not isinstance(item, dict) or not _COMMAND.match(str(item.get("command", ""))):
            raise bad_request("BOT_COMMAND_INVALID")
        description = item.get("description")
        if not isinstance(description, str) or not 1 <= len(description) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        checked.append({"command": item["command"], "description": description})
    world.commands[_commands_key(p)] = checked
    return True


async def get_my_commands(world: BotWorld, p: Params) -> list[JSON]:
    return list(world.commands.get(_commands_key(p), []))


async def delete_my_commands(world: BotWorld, p: Params) -> bool:
    world.commands.pop(_commands_key(p), None)
    return True


async def get_file(world: BotWorld, p: Params) -> JSON:
    stored = world.files.get(p.get_str("file_id") or "")
    if stored is None:
        raise bad_request("invalid file_id")
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.data),
        "file_path": stored.file_path,
    }


async def get_chat(world: BotWorld, p: Params) -> JSON:
    chat_id = chat_id_param(p)
    chat = world.directory.chat_json(chat_id) if chat_id is not None else None
    if chat is None:
        raise bad_request("chat not found")
    gifts = dict.fromkeys(
        ("unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription", "gifts_from_channels"),
        True,
    )
    return {**chat, "accent_color_id": 0, "max_reaction_count": 11, "accepted_gift_types": gifts}


METHODS: dict[str, Handler] = {
    "getme": get_me,
    "logout": ok,
    "close": ok,
    "getupdates": get_updates,
    "setwebhook": set_webhook,
    "deletewebhook": delete_webhook,
    "getwebhookinfo": get_webhook_info,
    "setmycommands": set_my_commands,
    "getmycommands": get_my_commands,
    "deletemycommands": delete_my_commands,
    "getfile": get_file,
    "getchat": get_chat,
}
