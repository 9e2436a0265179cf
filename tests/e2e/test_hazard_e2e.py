"""End to end through the Bot API sandbox: a crew resolves a leak and records the hazard it found; the
resident gets the notice with its button, sends a photo of the fix, and the crew lead confirms it."""

from __future__ import annotations

from pathlib import Path

from bot.cli.demo import DISPATCHER, LEAD, RESIDENT, running_bot, sandbox_settings, tap
from sandbox import Sandbox
from tests.kit.chat import fill_report, has_button


async def test_a_hazard_from_the_crew_card_to_the_confirmed_fix(sandbox: Sandbox, tmp_path: Path) -> None:
    sb = sandbox
    settings = sandbox_settings(sb, tmp_path / "e2e.sqlite3", lang="en")
    async with running_bot(settings) as runtime:
        await fill_report(sb)
        for step in ("t:acc:1", "t:site:1", "t:res:1", "t:cause:1:valve_hose"):
            await tap(sb, None, LEAD, step)
        for step in ("hz:k:1", "hz:p:1:rubber_hose_aged", "hz:r:1:rubber_hose_aged:resident"):
            await tap(sb, None, LEAD, step)
        await sb.wait_for(RESIDENT, lambda m: has_button(m, "hz:d:1"), timeout_s=10)
        assert any("Rubber hose aged" in text and "within 7 days" in text for text in sb.texts(RESIDENT))
        await tap(sb, None, RESIDENT, "hz:d:1")
        await sb.send_photo(RESIDENT, caption="new steel hose")
        await sb.wait_for(DISPATCHER, lambda m: has_button(m, "hz:ok:1"), timeout_s=10)
        await sb.wait_for(LEAD, lambda m: has_button(m, "hz:ok:1"), timeout_s=10)
        await tap(sb, None, LEAD, "hz:ok:1")
        await sb.wait_for_text(RESIDENT, "is confirmed", timeout_s=10)
        assert await runtime.db.scalar("SELECT status FROM hazards WHERE id = 1") == "fixed"
        assert await runtime.db.scalar("SELECT photo IS NOT NULL FROM hazards WHERE id = 1") == 1
