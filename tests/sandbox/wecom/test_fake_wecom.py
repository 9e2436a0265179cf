"""The WeCom sandbox itself: WeCom's limits as the fake enforces them (a member's 31st message in a minute
dropped and recorded, a robot's 21st refused, a response code used once and only within 72 h), and its
control API over HTTP driving a member against the running bot."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest

from bot.cli.demo_wecom import WECOM_DESK, WECOM_LEAD
from sandbox import Sandbox
from sandbox.wecom import WeComWorld
from tests.kit.wecom import leak_to_wecom, wecom_bot


def test_a_members_31st_message_in_a_minute_is_dropped_and_recorded() -> None:
    world = WeComWorld()
    world.member("m")
    delivered = [world.deliver("m", "text", {"text": {"content": str(n)}}, loop_now=n * 1.0) for n in range(31)]
    assert all(delivered[:30]) and delivered[30] is None and world.dropped == {"m": 1}
    assert world.deliver("m", "text", {"text": {"content": "later"}}, loop_now=60.5) is not None  # the first left


def test_a_robots_21st_push_in_a_minute_is_refused() -> None:
    world = WeComWorld()
    assert all(world.push("key", str(n), loop_now=n * 0.5) for n in range(20))
    assert not world.push("key", "21st", loop_now=10.0) and world.robot_refused == 1


def test_a_response_code_updates_once_and_only_within_72_hours() -> None:
    world = WeComWorld()
    code, old = world.issue_code("task", ("m",)), world.issue_code("task", ("m",))
    assert world.spend(code) is not None and world.spend(code) is None  # single use
    world.advance(timedelta(hours=72))
    assert world.spend(old) is None and world.update_refused == 2


@pytest.mark.e2e
async def test_the_sandbox_control_api_drives_a_member_over_http(sandbox: Sandbox, tmp_path: Path) -> None:
    async with wecom_bot(sandbox, tmp_path) as (wecom, runtime), aiohttp.ClientSession() as http:
        await leak_to_wecom(sandbox, wecom)
        base = wecom.base_url
        async with http.post(f"{base}/control/press", json={"userid": WECOM_LEAD, "prefix": "t:acc:"}) as answer:
            assert answer.status == 200 and (await answer.json())["key"] == "t:acc:1"
        await wecom.wait_until(lambda: any("t:enr:1" in r.payloads() for r in wecom.messages(WECOM_LEAD)))
        async with http.get(f"{base}/control/chat/{WECOM_LEAD}") as answer:
            chat = await answer.json()
        assert any("t:enr:1" in item["keys"] and item["updates"] >= 1 for item in chat)
        async with http.post(f"{base}/control/text", json={"userid": WECOM_DESK, "text": "/open"}) as answer:
            assert (await answer.json())["status"] == 200
        async with http.get(f"{base}/control/stats") as answer:
            assert (await answer.json())["dropped"] == {}
        async with http.post(
            f"{base}/control/press", json={"userid": WECOM_DESK, "prefix": "zz", "timeout_s": 0.1}
        ) as a:
            assert a.status == 404
        assert await runtime.db.scalar("SELECT status FROM tickets WHERE id = 1") == "accepted"
