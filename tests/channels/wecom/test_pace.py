"""The WeCom lane never sends a member more than 30 messages in a minute (WeCom drops the excess without a
word): a burst of 100 cards to one member, in virtual time, against the WeCom sandbox, which records every
message it would have dropped (that it drops a member's 31st message in a minute is the sandbox's own test,
tests/sandbox/wecom/test_fake_wecom.py). A crew group's robot (20 a minute, the 21st refused) gets 50 pushes
without a refusal."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from bot.clock import SystemClock
from bot.config.settings import OutboundConfig
from bot.config.wecom import WeComConfig
from bot.outbound.lane import Lane
from channels.wecom.client import QyApi
from channels.wecom.sender import MEMBER_PACE, ROBOT_PACE, WeComPacing, WeComSender
from common.events import Button, Text
from sandbox.wecom import FakeWeCom
from storage.db import Database
from tests.kit.virtual_time import virtual

MEMBER = "zhang.san"
ROBOT, ROBOT_KEY = "crew_a", "robot-key-a"


async def burst(*, chat: str = MEMBER, count: int = 100) -> FakeWeCom:
    # The database answers from its thread: a timer every 10 ms keeps virtual time moving meanwhile. A bare
    # callback that sets itself again: one turn of the loop per tick and no task (a wait_for in a task took six).
    loop = asyncio.get_running_loop()
    ticker: list[asyncio.TimerHandle] = []

    def tick() -> None:
        ticker[:] = [loop.call_later(0.01, tick)]

    tick()
    with tempfile.TemporaryDirectory() as tmp:
        async with FakeWeCom() as wecom:
            wecom.world.member(MEMBER)
            config = WeComConfig(
                corp_id=wecom.corp_id,
                agent_id=wecom.agent_id,
                secret=wecom.secret,
                base_url=wecom.base_url,
                robots={ROBOT: ROBOT_KEY},
            )
            db = await Database.open(Path(tmp) / "pace.sqlite3")
            api = QyApi(config, db, SystemClock())
            sender = WeComSender(api, config, db, SystemClock())
            lane = Lane(sender, OutboundConfig(), pacing=WeComPacing({ROBOT}), concurrency=8)
            await lane.start()
            cards = [
                Text(chat=chat, text=f"#{n}", buttons=[[Button(text="Accept", data=f"t:acc:{n}")]], priority=1)
                for n in range(count)
            ]
            await asyncio.gather(*(lane.submit(card) for card in cards))
            await lane.stop()
            await api.close()
            await db.close()
    ticker[0].cancel()
    return wecom


def test_the_pace_keeps_within_wecom_limits_in_any_minute() -> None:
    assert MEMBER_PACE.burst + 60 * MEMBER_PACE.rate_per_s <= 30 + 1e-9
    assert ROBOT_PACE.burst + 60 * ROBOT_PACE.rate_per_s <= 20 + 1e-9
    assert WeComPacing({"crew-a"}).pace("crew-a") == ROBOT_PACE
    assert WeComPacing({"crew-a"}).pace(MEMBER) == MEMBER_PACE


@virtual
async def test_a_burst_of_100_cards_to_one_member_loses_none() -> None:
    wecom = await burst()
    assert wecom.world.dropped == {}
    assert len(wecom.messages(MEMBER)) == 100
    print(f"100 cards to one member: {wecom.stats()}")


@virtual
async def test_a_burst_of_50_pushes_to_a_crew_groups_robot_is_never_refused() -> None:
    wecom = await burst(chat=ROBOT, count=50)
    assert wecom.world.robot_refused == 0
    assert len(wecom.world.robots[ROBOT_KEY]) == 50
