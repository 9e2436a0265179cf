"""End to end: a safety question answered from the knowledge base, and one that was not, answered by a
dispatcher through the bot (question ticket on the desk, relayed back to the resident)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli.demo import DISPATCHER, RESIDENT, running_bot, sandbox_settings
from bot.questions import knowledge
from sandbox import Sandbox
from tests.kit.chat import press

pytestmark = pytest.mark.people(zh=(RESIDENT,))


async def test_question_answered_by_the_knowledge_base_then_by_a_dispatcher(sandbox: Sandbox, tmp_path: Path) -> None:
    sb = sandbox
    settings = sandbox_settings(sb, tmp_path / "e2e.sqlite3", lang="en")
    async with running_bot(settings):
        await sb.send_text(RESIDENT, "燃气软管多久换一次")
        answer = knowledge.entry("hose_replace").answer("zh", hotline="96777")
        await sb.wait_for(RESIDENT, lambda m: m.text == answer, timeout_s=5)
        await sb.send_text(RESIDENT, "你们公司招人吗")  # the knowledge base has no answer (bills: it has since #15)
        await press(sb, RESIDENT, "q:ask")
        await sb.wait_for_text(RESIDENT, "单号 #1", timeout_s=5)
        await sb.wait_for_text(DISPATCHER, "/msg 1", timeout_s=5)
        await sb.send_text(DISPATCHER, "/msg 1 招聘信息请看公司官网的“加入我们”。")
        await sb.wait_for_text(RESIDENT, "招聘信息请看公司官网", timeout_s=5)


async def test_an_answer_names_the_configured_offices_hours_and_accounts(sandbox: Sandbox, tmp_path: Path) -> None:
    sb = sandbox
    utility = {
        "timezone": "Asia/Shanghai",
        "hotline": "12319",
        "website": "gas.example",
        "wechat": "港城燃气服务",
        "hours": {"zh": "周一至周六 8:30-17:00", "en": "Mon-Sat 8:30-17:00"},
        "offices": [{"zh": "中心营业厅：海港路1号", "en": "Central hall: 1 Harbour Road"}],
    }
    settings = sandbox_settings(sb, tmp_path / "facts.sqlite3", utility=utility)
    async with running_bot(settings):
        await sb.send_text(RESIDENT, "营业厅在哪里？几点上班？可以网上办理吗？")
        reply = await sb.wait_for(RESIDENT, lambda m: "营业时间" in (m.text or ""), timeout_s=5)
        for fact in ("• 中心营业厅：海港路1号", "周一至周六 8:30-17:00", "gas.example", "港城燃气服务", "12319"):
            assert fact in (reply.text or "")
        assert "{" not in (reply.text or "")


async def test_the_running_bot_answers_with_the_safety_officers_imported_text(sandbox: Sandbox, tmp_path: Path) -> None:
    sb = sandbox
    override = tmp_path / "content.toml"
    override.write_text(
        '[knowledge.hose_replace]\nzh = "橡胶软管每12个月更换一次（本公司规定），有问题请拨打 {hotline}。"\n'
        'source = "The utility\'s hose rule 2027"\n',
        encoding="utf-8",
    )
    utility = {"timezone": "Asia/Shanghai", "hotline": "96777", "content_override": str(override)}
    settings = sandbox_settings(sb, tmp_path / "override.sqlite3", utility=utility)
    try:
        async with running_bot(settings):
            await sb.send_text(RESIDENT, "燃气软管多久换一次")
            await sb.wait_for_text(
                RESIDENT, "橡胶软管每12个月更换一次（本公司规定），有问题请拨打 96777。", timeout_s=5
            )
    finally:
        knowledge.use_content(None)
