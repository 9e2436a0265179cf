"""A local Telegram Bot API stand-in (aiohttp on 127.0.0.1) that real PTB talks to over HTTP."""

from sandbox.actors import Posted
from sandbox.botworld import ChatMessage, Edit
from sandbox.errors import ApiError, SandboxError
from sandbox.limits import FaultConfig, RateLimits
from sandbox.reading import BotView
from sandbox.sandbox import DEFAULT_TOKEN, Sandbox
from sandbox.server import ApiCall
from sandbox.world import User

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
