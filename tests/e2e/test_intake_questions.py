"""End to end: a safety question answered from the knowledge base, and one that was not, answered by a
dispatcher through the bot (question ticket on the desk, relayed back to the resident)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot import knowledge
from bot.demo import DEMO_TOKEN, DISPATCHER, RESIDENT, running_bot, sandbox_settings
from bot.sandbox import Sandbox
from tests.e2e.test_intake_categories import press


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    async with Sandbox(DEMO_TOKEN) as sb:
        sb.create_user(RESIDENT, first_name="Zhang Wei", language_code="zh")
        sb.create_user(DISPATCHER, first_name="Desk", language_code="en")
        yield sb


async def test_question_answered_by_the_knowledge_base_then_by_a_dispatcher(sandbox: Sandbox, tmp_path: Path) -> None:
    sb = sandbox
    settings = sandbox_settings(sb, tmp_path / "e2e.sqlite3", lang="en")
    async with running_bot(settings):
        await sb.send_text(RESIDENT, "燃气软管多久换一次")
        answer = knowledge.entry("hose_replace").answer("zh", hotline="96777")
        await sb.wait_for(RESIDENT, lambda m: m.text == answer, timeout_s=5)
        await sb.send_text(RESIDENT, "燃气费可以用支付宝交吗")
        await press(sb, RESIDENT, "q:ask")
        await sb.wait_for_text(RESIDENT, "单号 #1", timeout_s=5)
        await sb.wait_for_text(DISPATCHER, "/msg 1", timeout_s=5)
        await sb.send_text(DISPATCHER, "/msg 1 可以，在支付宝城市服务里选择燃气缴费。")
        await sb.wait_for_text(RESIDENT, "在支付宝城市服务里选择燃气缴费", timeout_s=5)
