"""A local Telegram Bot API stand-in (aiohttp on 127.0.0.1) that real PTB talks to over HTTP."""

from bot.sandbox.actors import Posted
from bot.sandbox.botworld import ChatMessage, Edit
from bot.sandbox.errors import ApiError, SandboxError
from bot.sandbox.limits import FaultConfig, RateLimits
from bot.sandbox.reading import BotView
from bot.sandbox.sandbox import DEFAULT_TOKEN, Sandbox
from bot.sandbox.server import ApiCall
from bot.sandbox.world import User

__all__ = [
    "DEFAULT_TOKEN",
    "ApiCall",
    "ApiError",
    "BotView",
    "ChatMessage",
    "Edit",
    "FaultConfig",
    "Posted",
    "RateLimits",
    "Sandbox",
    "SandboxError",
    "User",
]
