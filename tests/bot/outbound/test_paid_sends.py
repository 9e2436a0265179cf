"""Safety cards sent as paid broadcasts are counted by the lanes, recorded per day (they survive a restart)
and shown in /sla with the log line; nothing is shown while the option is off and nothing was paid for."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.i18n import t
from bot.outbound.channels import Lanes
from bot.outbound.lane import Lane
from bot.outbound.paid import PaidSends
from bot.scheduler import Scheduler
from common.events import Text
from handlers.channel import TelegramPacing
from tests.kit.crew import DISPATCHER, crew_settings, opened
from tests.kit.harness import Harness
from tests.kit.lane import FakeSender


async def sla(h: Harness, user: str) -> str:
    replies = await h.text(user, "/sla")
    return "\n".join(r.text for r in replies if isinstance(r, Text))


async def test_paid_sends_are_recorded_and_shown_in_sla(
    tmp_path: Path, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    settings = crew_settings(tmp_path, outbound={"paid_safety_cards": True})
    lane = Lane(FakeSender(), settings.outbound, pacing=TelegramPacing(settings.outbound))
    async with opened(settings, clock) as h:
        assert t("en", "sla.paid", count=0) in await sla(h, DISPATCHER), "on: shown even at zero"
        recorder = PaidSends(h.db, clock, Scheduler(), Lanes({"telegram": lane}))
        for _ in range(3):
            assert lane.on_paid is not None
            lane.on_paid()  # what the lane calls after each paid send
        with caplog.at_level(logging.INFO, logger="bot.outbound.paid"):
            assert await recorder.record() == 3
        assert "3 safety cards sent as paid broadcasts" in caplog.text
        assert await recorder.record() == 0
    async with opened(settings, clock) as h:  # after a restart
        recorder = PaidSends(h.db, clock, Scheduler(), Lanes({"telegram": lane}))
        recorder.count()
        await recorder.stop()
        assert t("en", "sla.paid", count=4) in await sla(h, DISPATCHER)


async def test_sla_says_nothing_of_paid_sends_when_off_and_none(tmp_path: Path, clock: FakeClock) -> None:
    async with opened(crew_settings(tmp_path), clock) as h:
        assert "paid" not in await sla(h, DISPATCHER)
