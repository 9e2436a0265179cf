"""``hotline demo --channel wechat`` plays the evening to a resolved ticket without one send WeChat refuses."""

from __future__ import annotations

import logging

import pytest

from bot.cli.demo_wechat import run_wechat_demo

pytestmark = pytest.mark.e2e  # the whole bot against both sandboxes


async def test_the_wechat_demo_resolves_its_ticket(capsys: pytest.CaptureFixture[str]) -> None:
    levels = {name: logging.getLogger(name).level for name in ("", "telegram")}
    try:
        assert await run_wechat_demo("en") == 0
    finally:  # the demo quiets the loggers for its transcript: the next tests get them back
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
    out = capsys.readouterr().out
    assert "Resident (WeChat passive reply)" in out and "Ticket #1: P1, resolved" in out
    assert "Crew A lead (WeCom)" in out, "crew A works the ticket on WeCom"
