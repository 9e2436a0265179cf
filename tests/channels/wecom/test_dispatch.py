"""Crews on WeCom: the card, first accept wins and every copy says who took it, decline, status buttons."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.cli.demo import RESIDENT
from bot.cli.demo_wecom import WECOM_LEAD, WECOM_MEMBER
from sandbox import Sandbox
from tests.channels.wecom.kit import has, report_leak, wecom_bot


async def test_a_leak_on_telegram_reaches_the_crew_on_wecom_as_a_template_card(sandbox: Sandbox, tmp_path: Path) -> None:
    async with wecom_bot(sandbox, tmp_path) as (wecom, runtime):
        lead, member = await report_leak(sandbox, wecom)
        for copy in (lead, member):
            assert copy.msgtype == "template_card"
            assert copy.card["card_type"] == "button_interaction"
            assert copy.payloads() == ["t:acc:1", "t:dec:1"]
            assert "P1" in copy.text
        assert lead.task_id != member.task_id
        await sandbox.wait_for(RESIDENT, lambda m: "Ticket #1" in (m.text or ""), timeout_s=10)
        rows = await runtime.db.fetchall("SELECT channel, chat FROM outbox WHERE purpose = 'dispatch'")
        assert {(str(r[0]), str(r[1])) for r in rows} >= {("wecom", WECOM_LEAD), ("wecom", WECOM_MEMBER)}


async def test_an_accept_race_has_one_winner_and_every_copy_says_who(sandbox: Sandbox, tmp_path: Path) -> None:
    async with wecom_bot(sandbox, tmp_path) as (wecom, runtime):
        lead, member = await report_leak(sandbox, wecom)
        await asyncio.gather(wecom.click(WECOM_LEAD, lead, "t:acc:1"), wecom.click(WECOM_MEMBER, member, "t:acc:1"))
        await wecom.wait_until(lambda: bool(lead.updates) and bool(member.updates))
        winner = await runtime.db.scalar(
            "SELECT p.external_id FROM tickets t JOIN people p ON p.id = t.assignee_id WHERE t.id = 1"
        )
        assert winner in (WECOM_LEAD, WECOM_MEMBER)
        loser = member if winner == WECOM_LEAD else lead
        assert "Taken by" in loser.text and loser.payloads() == []
        winning = lead if loser is member else member
        assert "t:enr:1" in winning.payloads()
        assert wecom.stats()["update_refused"] == 0
