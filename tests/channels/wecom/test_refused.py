"""WeCom refusing the app's credentials stops sending like a revoked Telegram token, and the log tells the
operator WeCom's remedy (the app's settings and trusted IP, `hotline wecom check`), not Telegram's."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path

import pytest

from bot.cli.demo import RESIDENT
from bot.halt import Halted
from sandbox import Sandbox
from tests.kit.wecom import LEAK, wecom_bot


async def test_a_refusal_by_wecom_tells_the_operator_wecoms_remedy(
    sandbox: Sandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO), contextlib.suppress(Halted):
        async with wecom_bot(sandbox, tmp_path) as (wecom, runtime):
            wecom.ip_blocked = True  # the server's IP is no longer among the app's trusted IPs
            await sandbox.send_text(RESIDENT, LEAK)
            await sandbox.send_location(RESIDENT, 31.2304, 121.4737)
            for _ in range(200):
                if runtime.health.state == "failing":
                    break
                await asyncio.sleep(0.05)
            assert runtime.health.state == "failing"
    critical = " ".join(r.getMessage() for r in caplog.records if r.levelno == logging.CRITICAL)
    assert "refused the bot's credentials" in critical
    assert "hotline wecom check" in critical and "bot's current token" not in critical, critical
