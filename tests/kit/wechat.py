"""The bot with WeChat beside Telegram, against both sandboxes: residents on WeChat, crews on Telegram."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from bot.cli.demo import running_bot, sandbox_settings
from bot.clock import Clock
from bot.config.settings import Settings
from bot.runtime import Runtime
from sandbox import Sandbox
from sandbox.wechat import WechatSandbox
from tests.kit.webhook import free_port


def wechat_settings(sb: Sandbox, wx: WechatSandbox, db_path: Path, *, lang: str = "en", **wechat: Any) -> Settings:
    callback = f"http://127.0.0.1:{free_port()}/wechat"
    return sandbox_settings(sb, db_path, lang=lang, wechat=wx.wechat_settings(callback, **wechat))


@asynccontextmanager
async def wechat_bot(settings: Settings, *, clock: Clock | None = None) -> AsyncIterator[Runtime]:
    async with running_bot(settings, clock=clock) as runtime:
        yield runtime
