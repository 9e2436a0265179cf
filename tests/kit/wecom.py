"""The bot with crew A on the WeCom sandbox and the resident on the Bot API sandbox (tests/channels/wecom/)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from bot.cli.demo import RESIDENT, running_bot
from bot.cli.demo_wecom import WECOM_LEAD, WECOM_MEMBER, wecom_settings
from bot.runtime import Runtime
from sandbox import Sandbox
from sandbox.wecom import FakeWeCom, Received

LEAK = "There is a strong smell of gas in my kitchen"


def has(prefix: str) -> Any:
    return lambda received: any(key.startswith(prefix) for key in received.payloads())


@asynccontextmanager
async def wecom_bot(sb: Sandbox, tmp_path: Path, **extra: Any) -> AsyncIterator[tuple[FakeWeCom, Runtime]]:
    async with FakeWeCom() as wecom:
        settings = wecom_settings(sb, wecom, tmp_path / "wecom.sqlite3", lang="en", **extra)
        async with running_bot(settings) as runtime:
            yield wecom, runtime


async def leak_to_wecom(sb: Sandbox, wecom: FakeWeCom) -> tuple[Received, Received]:
    """The resident reports a leak on Telegram and drops a pin: both crew A copies of the card."""
    await sb.send_text(RESIDENT, LEAK)
    await sb.send_location(RESIDENT, 31.2304, 121.4737)
    lead = await wecom.wait_for(WECOM_LEAD, has("t:acc:"))
    member = await wecom.wait_for(WECOM_MEMBER, has("t:acc:"))
    return lead, member
