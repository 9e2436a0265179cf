"""End to end: a crew member who blocked the bot (403) or never opened it (400 "chat not found") gets no
dispatch, and the dispatcher is told at once; /duty and ``hotline roster show`` mark them until they are
reached again. A resident who blocked it is phoned by the desk (told once, with the ticket and the callback
number)."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from bot.cli.demo import DISPATCHER, LEAD, MEMBER, RESIDENT, running_bot, sandbox_settings, tap
from bot.cli.roster import render_show
from bot.cli.text import Say
from bot.clock import SystemClock
from bot.i18n import Lang
from bot.rota.operator import show
from common.events import Text
from sandbox import Sandbox
from storage.outbox import OutboxRepo
from tests.kit.chat import fill_report, has_button


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
        # they unblock the bot: the next message that reaches them ends the mark
        member = await runtime.db.scalar("SELECT id FROM people WHERE external_id = ?", (str(MEMBER),))
        assert runtime.reach.unreachable == {member}
        await sb.unblock(MEMBER)
        async with runtime.db._transaction() as tx:
            note = Text(chat=str(MEMBER), text="Your next shift starts at 08:00")
            await OutboxRepo(tx).add(note, now=SystemClock().now(), purpose="notice", recipient_id=member)
        runtime.outbox.wake()
        await sb.wait_for_text(MEMBER, "Your next shift", timeout_s=10)
        for _ in range(100):
            if not runtime.reach.unreachable:
                break
            await asyncio.sleep(0.05)
        assert await runtime.db.scalar("SELECT unreachable_at FROM people WHERE id = ?", (member,)) is None


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


async def test_a_crew_member_who_never_opened_the_bot_is_listed_at_start_and_the_desk_is_told(
    sandbox: Sandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    sb = sandbox
    sb.set_not_started(MEMBER)  # Telegram answers "chat not found" for a user who never opened the bot
    settings = sandbox_settings(sb, tmp_path / "e2e.sqlite3", lang="en")
    with caplog.at_level(logging.WARNING):
        async with running_bot(settings) as runtime:
            started = [r.getMessage() for r in caplog.records if r.name == "bot.outbound.reach"]
            assert len(started) == 1 and "Li Ming (crew, crew A" in started[0], started
            roster = render_show(await show(runtime.db, settings, SystemClock().now()), settings, Say(Lang.EN))
            assert "Staff the bot cannot reach" in roster and "Li Ming (crew, crew A" in roster
            await fill_report(sb)
            await sb.wait_for(LEAD, lambda m: has_button(m, "t:acc:1"), timeout_s=10)
            await sb.wait_for_text(
                DISPATCHER, "Li Ming cannot be reached by the bot: they have never opened it", timeout_s=10
            )
            assert sb.messages(MEMBER) == []
            await sb.send_text(DISPATCHER, "/duty")
            duty = await sb.wait_for_text(DISPATCHER, "On duty now", timeout_s=10)
            assert "Li Ming 📵 (the bot cannot reach them)" in (duty.text or "")
            assert "Wang Qiang 📵" not in (duty.text or "")
            # they open the bot: reachable again, at once
            await sb.send_text(MEMBER, "/start")
            await sb.wait_for(MEMBER, lambda m: True, timeout_s=10)
            since = sb.message_count(DISPATCHER)
            await sb.send_text(DISPATCHER, "/duty")
            duty = await sb.wait_for(DISPATCHER, lambda m: "On duty now" in (m.text or ""), since=since, timeout_s=10)
            assert "Li Ming" in (duty.text or "") and "📵" not in (duty.text or "")
            roster = render_show(await show(runtime.db, settings, SystemClock().now()), settings, Say(Lang.EN))
            assert "cannot reach" not in roster
    failures = [
        r.getMessage() for r in caplog.records if r.name == "bot.outbound.outbox" and r.levelno == logging.WARNING
    ]
    assert any(
        "given up after 1 attempt(s): ticket #1, sendMessage, 400 chat not found (row " in x and ", dispatch)" in x
        for x in failures
    ), failures
