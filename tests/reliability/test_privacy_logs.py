"""Log privacy: every log record of a full e2e run (report, dispatch, accept, on site, resolved), captured
with the root logger at DEBUG, is free of the resident's phone number (in any format), their address
and the bot token."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from bot.cli.demo import DEMO_TOKEN, LEAD, RESIDENT, running_bot, sandbox_settings, tap
from sandbox import Sandbox
from tests.kit.chat import fill_report, has_button

PHONE_DIGITS = "13812345678"  # fill_report shares +86 138 1234 5678
ADDRESS_PARTS = ("Building 3", "Flat 501")
TOKEN_PARTS = (DEMO_TOKEN, DEMO_TOKEN.split(":", 1)[1])


def leaks(text: str) -> list[str]:
    """What in ``text`` would identify the resident or open the bot."""
    found = [part for part in (*ADDRESS_PARTS, *TOKEN_PARTS) if part in text]
    digits_only = re.sub(r"[\s\-().+]", "", text)
    if PHONE_DIGITS in digits_only or PHONE_DIGITS[3:] in digits_only:
        found.append("phone number")
    return found


def test_the_scanner_finds_every_format() -> None:
    for shown in ("+8613812345678", "138 1234 5678", "138-1234-5678", "(138) 1234-5678", "86 138 1234 5678"):
        assert leaks(f"calling {shown} now") == ["phone number"], shown
    assert leaks("ticket 12 at 2026-11-28 23:04:05,123") == []


async def test_full_run_logs_nothing_private(
    sandbox: Sandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    sb = sandbox
    caplog.set_level(logging.DEBUG)  # the root logger and the capture handler at DEBUG
    assert logging.getLogger().getEffectiveLevel() == logging.DEBUG
    settings = sandbox_settings(sb, tmp_path / "privacy.sqlite3", lang="en")
    async with running_bot(settings):
        await fill_report(sb)
        await sb.wait_for_text(RESIDENT, "ticket #1", timeout_s=10)
        await sb.wait_for(LEAD, lambda m: has_button(m, "t:acc:1"), timeout_s=10)
        await tap(sb, None, LEAD, "t:acc:1")
        await sb.wait_for(LEAD, lambda m: has_button(m, "t:site:1"), timeout_s=10)
        await tap(sb, None, LEAD, "t:site:1")
        await tap(sb, None, LEAD, "t:res:1")
        await tap(sb, None, LEAD, "t:cause:1:repaired")
        await sb.wait_for_text(RESIDENT, "resolved", timeout_s=10)
        # the data really went through the bot (so the scan means something)
        assert any("Flat 501" in (m.text or "") for m in sb.messages(LEAD))
    records = caplog.records
    assert len(records) > 10
    problems = []
    for record in records:
        if found := leaks(record.getMessage()):
            problems.append(f"{record.name} {record.levelname}: {found}")
    if found := leaks(caplog.text):  # formatted, with tracebacks
        problems.append(f"formatted log text: {found}")
    assert not problems, "\n".join(problems)
