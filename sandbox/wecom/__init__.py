"""A local WeCom stand-in (aiohttp on 127.0.0.1): its API for the bot, a member's client for the tests and
the demo (encrypted callbacks POSTed to the bot)."""

from sandbox.wecom.server import FakeWeCom
from sandbox.wecom.world import Received, WeComWorld

__all__ = ["FakeWeCom", "Received", "WeComWorld"]
