"""End to end: a dispatcher's /drill through real PTB and the sandbox. The crew works the drill as a
real ticket (card marked 演练/DRILL, accept, on site, resolved); the dispatcher gets the drill report;
no resident hears of it; the real figures (/sla) do not count it."""

from __future__ import annotations

import argparse
import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from bot.cli.demo import DISPATCHER, LEAD, MEMBER, OTHER_CREW, RESIDENT, running_bot, sandbox_settings, tap
from bot.cli.text import Say
from bot.drills.cli import start_command
from bot.i18n import Lang, t
from sandbox import Sandbox
from tests.kit.chat import has_button


async def test_a_drill_through_the_sandbox_accept_resolve_report(sandbox: Sandbox, tmp_path: Path) -> None:
    sb = sandbox
    settings = sandbox_settings(sb, tmp_path / "e2e.sqlite3", lang="en")
    async with running_bot(settings):
        await sb.send_text(DISPATCHER, "/drill A leak-indoor")
        await sb.wait_for_text(DISPATCHER, "Drill #1 (leak-indoor) sent to crew A", timeout_s=10)
        for member in (LEAD, MEMBER):
            card = await sb.wait_for(member, lambda m: has_button(m, "t:acc:1"), timeout_s=10)
            assert (card.text or "").startswith(t("en", "drills.card_mark")), "marked on the crew's card"
        await tap(sb, None, LEAD, "t:acc:1")
        await sb.wait_for(MEMBER, lambda m: t("en", "crew.taken_by", name="Wang Qiang") in (m.text or ""), timeout_s=10)
        await tap(sb, None, LEAD, "t:site:1")
        await tap(sb, None, LEAD, "t:res:1")
        await tap(sb, None, LEAD, "t:cause:1:no_leak")
        report = await sb.wait_for(DISPATCHER, lambda m: "Drill report #1" in (m.text or ""), timeout_s=10)
        text = report.text or ""
        assert text.startswith(t("en", "drills.mark")) and "Took part: Wang Qiang" in text
        assert "(target 2:00) ✅ in time" in text and "(target 30:00) ✅ in time" in text
        await sb.send_text(DISPATCHER, "/sla")
        sla = await sb.wait_for(DISPATCHER, lambda m: (m.text or "").startswith("SLA by crew"), timeout_s=10)
        assert "A:" not in (sla.text or ""), "the drill is not in the crews' real figures"
        await sb.wait_idle(quiet_s=0.2, timeout_s=10)
    assert sb.messages(RESIDENT) == [] and sb.messages(OTHER_CREW) == [], "nobody else heard of it"
    with closing(sqlite3.connect(settings.storage.path)) as conn, conn:
        drill, status = conn.execute("SELECT drill, status FROM tickets WHERE id = 1").fetchone()
    assert (drill, status) == (1, "resolved")


async def test_a_drill_from_the_command_line_is_sent_by_the_running_bot(sandbox: Sandbox, tmp_path: Path) -> None:
    sb = sandbox
    settings = sandbox_settings(sb, tmp_path / "e2e.sqlite3", lang="en")
    async with running_bot(settings):
        args = argparse.Namespace(crew="A", scenario="fire", address="Training yard", lat=31.2304, lon=121.4737)
        assert (
            await start_command(settings, args, datetime.now(UTC), Say(Lang.EN)) == "drill #1 (fire, P1) sent to crew A"
        )
        card = await sb.wait_for(LEAD, lambda m: has_button(m, "t:acc:1"), timeout_s=15)
        assert "Training yard" in (card.text or "") and (card.text or "").startswith(t("en", "drills.card_mark"))
        pin = await sb.wait_for(LEAD, lambda m: m.kind in ("venue", "location"), timeout_s=10)
        assert pin is not None
        await tap(sb, None, LEAD, "t:acc:1")
        await tap(sb, None, LEAD, "t:res:1")
        await tap(sb, None, LEAD, "t:cause:1:repaired")
        report = await sb.wait_for(DISPATCHER, lambda m: "Drill report #1" in (m.text or ""), timeout_s=10)
        assert "Took part: Wang Qiang" in (report.text or ""), "from the command line: the report to the desk"
    assert sb.messages(RESIDENT) == []
