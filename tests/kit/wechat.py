"""The bot with WeChat beside Telegram, against both sandboxes: residents on WeChat, crews on Telegram."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, closing
from pathlib import Path
from typing import Any

from bot.cli.demo import running_bot, sandbox_settings
from bot.clock import Clock
from bot.config.settings import Settings
from bot.runtime import Runtime
from sandbox import Sandbox
from sandbox.ports import free_port
from sandbox.wechat import WechatSandbox


def wechat_settings(sb: Sandbox, wx: WechatSandbox, db_path: Path, *, lang: str = "en", **wechat: Any) -> Settings:
    callback = f"http://127.0.0.1:{free_port()}/wechat"
    return sandbox_settings(sb, db_path, lang=lang, wechat=wx.wechat_settings(callback, **wechat))


@asynccontextmanager
async def wechat_bot(settings: Settings, *, clock: Clock | None = None) -> AsyncIterator[Runtime]:
    async with running_bot(settings, clock=clock) as runtime:
        yield runtime


def has_button(prefix: str) -> Callable[[object], bool]:
    """A Telegram sandbox message (a crew's) with a button whose data starts with ``prefix``."""

    def check(message: object) -> bool:
        buttons = message.buttons()  # type: ignore[attr-defined]
        return any(str(b.get("callback_data", "")).startswith(prefix) for b in buttons)

    return check


def outbox_rows(path: Path) -> list[tuple[str, str, str]]:
    """(channel, chat, purpose) of every outbox row, in order."""
    with closing(sqlite3.connect(path)) as conn:
        return [(str(r[0]), str(r[1]), str(r[2])) for r in conn.execute("SELECT channel, chat, purpose FROM outbox")]
