"""Crews on WeCom: the card, first accept wins and every copy says who took it, decline, status buttons."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli.demo import DISPATCHER, RESIDENT, running_bot
from bot.cli.demo_wecom import ROBOT, ROBOT_KEY, WECOM_LEAD, WECOM_MEMBER, wecom_settings
from bot.clock import FakeClock
from bot.dispatch.escalation import EscalationService
from sandbox import Sandbox
from sandbox.wecom import FakeWeCom
from tests.kit.wecom import leak_to_wecom, wecom_bot

pytestmark = pytest.mark.e2e  # the whole bot against the sandboxes


async def test_a_leak_on_telegram_reaches_the_crew_on_wecom_as_a_template_card(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    async with wecom_bot(sandbox, tmp_path) as (wecom, runtime):
        lead, member = await leak_to_wecom(sandbox, wecom)
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
        lead, member = await leak_to_wecom(sandbox, wecom)
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


async def test_decline_with_a_reason_updates_the_card_and_tells_the_desk(sandbox: Sandbox, tmp_path: Path) -> None:
    async with wecom_bot(sandbox, tmp_path) as (wecom, runtime):
        _, member = await leak_to_wecom(sandbox, wecom)
        await wecom.click(WECOM_MEMBER, member, "t:dec:1")
        await wecom.wait_until(lambda: "t:decr:1:far" in member.payloads())
        await wecom.click(WECOM_MEMBER, member, "t:decr:1:far")
        await wecom.wait_until(lambda: "can't take it" in member.text)
        assert member.payloads() == []
        events = await runtime.db.fetchall("SELECT kind FROM ticket_events WHERE ticket_id = 1")
        assert "declined" in {str(row[0]) for row in events}
        await sandbox.wait_for(DISPATCHER, lambda m: "Li Ming" in (m.text or ""), timeout_s=10)


async def test_the_status_buttons_lead_to_resolved_with_a_cause(sandbox: Sandbox, tmp_path: Path) -> None:
    async with wecom_bot(sandbox, tmp_path) as (wecom, runtime):
        lead, _ = await leak_to_wecom(sandbox, wecom)
        await wecom.click(WECOM_LEAD, lead, "t:acc:1")
        for prefix in ("t:enr:", "t:site:", "t:res:"):
            await wecom.wait_until(lambda p=prefix: lead.payloads()[0].startswith(p))  # type: ignore[misc]
            await wecom.click(WECOM_LEAD, lead, next(k for k in lead.payloads() if k.startswith(prefix)))
        await wecom.wait_until(lambda: "t:cause:1:valve_hose" in lead.payloads())
        assert lead.card["button_selection"]["question_key"]  # seven causes: a dropdown and one button
        await wecom.click(WECOM_LEAD, lead, "t:cause:1:valve_hose")
        await sandbox.wait_for(RESIDENT, lambda m: "resolved" in (m.text or ""), timeout_s=10)
        row = await runtime.db.fetchone("SELECT status, cause FROM tickets WHERE id = 1")
        assert row is not None and (row[0], row[1]) == ("resolved", "valve_hose")


async def test_the_crew_group_gets_the_card_and_the_escalation_through_its_robot(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    clock = FakeClock(datetime.now(UTC))
    async with FakeWeCom() as wecom:
        settings = wecom_settings(sandbox, wecom, tmp_path / "w.sqlite3", lang="en")
        async with running_bot(settings, clock=clock) as runtime:
            await leak_to_wecom(sandbox, wecom)
            await wecom.wait_until(lambda: len(wecom.world.robots.get(ROBOT_KEY, [])) >= 1)
            assert "P1" in wecom.world.robots[ROBOT_KEY][0]
            service = next(s for s in runtime.services if isinstance(s, EscalationService))
            for _ in range(6):  # the chain's steps, each a few minutes apart; nobody accepts
                clock.advance(timedelta(minutes=5))
                await service.run_due()
                if len(wecom.world.robots[ROBOT_KEY]) >= 2:
                    break
                await wecom.wait_quiet(quiet_s=0.2)
            await wecom.wait_until(lambda: len(wecom.world.robots[ROBOT_KEY]) >= 2)
            assert wecom.world.robot_refused == 0
            rows = await runtime.db.fetchall("SELECT channel FROM outbox WHERE chat = ?", (ROBOT,))
            assert {str(r[0]) for r in rows} == {"wecom"}


@pytest.mark.parametrize("why", ["expired", "used"])
async def test_a_card_whose_code_is_spent_or_expired_is_left_and_a_note_sent(
    sandbox: Sandbox, tmp_path: Path, why: str
) -> None:
    async with wecom_bot(sandbox, tmp_path) as (wecom, _):
        lead, member = await leak_to_wecom(sandbox, wecom)
        if why == "expired":
            wecom.world.advance(timedelta(hours=73))  # WeCom's clock: every code issued so far is too old
        else:
            for code in wecom.world.codes.values():
                code.used = code.used or code.task_id == member.task_id
        before = len(wecom.messages(WECOM_MEMBER))
        await wecom.click(WECOM_LEAD, lead, "t:acc:1")  # the lead's click brings a fresh code of its own
        await wecom.wait_until(lambda: any("Taken by" in r.text for r in wecom.messages(WECOM_MEMBER)[before:]))
        note = next(r for r in wecom.messages(WECOM_MEMBER)[before:] if "Taken by" in r.text)
        assert note.msgtype == "text" and "could not be updated" in note.text
        assert member.payloads() == ["t:acc:1", "t:dec:1"]  # the card as it was
        assert wecom.stats()["update_refused"] >= 1
        await wecom.wait_until(lambda: "t:enr:1" in lead.payloads())  # the winner's card: the click's fresh code
