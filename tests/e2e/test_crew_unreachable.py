"""End to end: a crew member who blocked the bot gets no dispatch (403), and the dispatcher is told; a
resident who blocked it is phoned by the desk (told once, with the ticket and the callback number)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.demo import DEMO_TOKEN, DISPATCHER, LEAD, MEMBER, OTHER_CREW, RESIDENT, running_bot, sandbox_settings, tap
from bot.sandbox import Sandbox
from tests.e2e.test_first_path import fill_report, has_button


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    async with Sandbox(DEMO_TOKEN) as sb:
        sb.create_user(RESIDENT, first_name="Zhang Wei", language_code="en")
        for user_id, name in (
            (LEAD, "Wang Qiang"),
            (MEMBER, "Li Ming"),
            (OTHER_CREW, "Zhao Lei"),
            (DISPATCHER, "Desk"),
        ):
            sb.create_user(user_id, first_name=name, language_code="en")
        yield sb


async def test_blocked_crew_member_alerts_the_dispatcher(sandbox: Sandbox, tmp_path: Path) -> None:
    sb = sandbox
    settings = sandbox_settings(sb, tmp_path / "e2e.sqlite3", lang="en")
    async with running_bot(settings) as runtime:
        await sb.block(MEMBER)
        await fill_report(sb)
        await sb.wait_for(LEAD, lambda m: has_button(m, "t:acc:1"), timeout_s=10)
        await sb.wait_for_text(DISPATCHER, "Li Ming cannot be reached", timeout_s=10)
        assert sb.messages(MEMBER) == []
        assert sum("Li Ming cannot be reached" in x for x in sb.texts(DISPATCHER)) == 1, "one alert per missed dispatch"
        assert await runtime.db.scalar("SELECT COUNT(*) FROM ticket_events WHERE kind = 'unreachable'") == 1
        # the desk works the ticket over the real channel: /open and a relayed message with a reply
        await tap(sb, None, LEAD, "t:acc:1")
        await sb.send_text(DISPATCHER, "/open")
        await sb.wait_for_text(DISPATCHER, "Open tickets (1)", timeout_s=10)
        await sb.send_text(DISPATCHER, "/msg 1 Please open the gate for the crew")
        await sb.wait_for_text(RESIDENT, "Please open the gate for the crew", timeout_s=10)
        await tap(sb, None, RESIDENT, "r:1")
        await sb.send_text(RESIDENT, "Gate is open")
        await sb.wait_for_text(DISPATCHER, "Gate is open", timeout_s=10)


async def test_resident_who_blocked_the_bot_is_phoned_by_the_desk(sandbox: Sandbox, tmp_path: Path) -> None:
    sb = sandbox
    settings = sandbox_settings(sb, tmp_path / "e2e.sqlite3", lang="en")
    async with running_bot(settings) as runtime:
        await fill_report(sb)  # with the phone +86 138 1234 5678
        await sb.wait_for(LEAD, lambda m: has_button(m, "t:acc:1"), timeout_s=10)
        await sb.wait_idle(quiet_s=0.2, timeout_s=10)
        await sb.block(RESIDENT)
        await tap(sb, None, LEAD, "t:acc:1")  # "accepted" cannot reach the resident: 403
        alert = "The resident of #1"
        await sb.wait_for_text(DISPATCHER, alert, timeout_s=10)
        await tap(sb, None, LEAD, "t:enr:1")  # nor can "on the way": still one alert
        await sb.wait_idle(quiet_s=0.3, timeout_s=10)
        told = [x for x in sb.texts(DISPATCHER) if alert in x]
        assert len(told) == 1 and "138 1234 5678" in told[0]
        assert await runtime.db.scalar("SELECT COUNT(*) FROM ticket_events WHERE kind = 'resident_unreachable'") == 1
