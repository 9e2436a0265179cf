"""End to end: answers longer than Telegram's 4,096 characters reach the desk in parts, never dropped:
``/open`` with 53 open tickets and ``/ticket N`` with long relayed messages in its timeline."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.cli.demo import DISPATCHER, RESIDENT, running_bot, sandbox_settings
from bot.clock import SystemClock
from bot.runtime import Runtime
from sandbox import Sandbox
from storage.db import Conn
from storage.people import PeopleRepo
from storage.tickets import TicketsRepo


async def open_tickets(runtime: Runtime, count: int, category: str) -> list[int]:
    """``count`` open tickets, reported three hours ago (so their SLA marks show too)."""
    then = SystemClock().now() - timedelta(hours=3)

    async def body(tx: Conn) -> list[int]:
        person = await PeopleRepo(tx).ensure("telegram", str(RESIDENT), name="Zhang", lang="en", now=then)
        return [
            await TicketsRepo(tx).create(
                resident_id=person.id,
                channel="telegram",
                chat=str(RESIDENT),
                lang="en",
                category=category,
                severity="P3",
                status="queued",
                address=None,
                latitude=None,
                longitude=None,
                phone=None,
                details={},
                now=then,
            )
            for _ in range(count)
        ]

    return await runtime.db.run(body)


async def answer(sb: Sandbox, command: str, first_line: str) -> list[str]:
    """Every message the dispatcher got for ``command``, from the one starting with ``first_line`` on."""
    since = sb.message_count(DISPATCHER)
    await sb.send_text(DISPATCHER, command)
    await sb.wait_for(DISPATCHER, lambda m: (m.text or "").startswith(first_line), since=since, timeout_s=10)
    await sb.wait_idle(quiet_s=0.3, timeout_s=10)
    texts = [m.text or "" for m in sb.messages(DISPATCHER)[since:]]
    start = next(i for i, x in enumerate(texts) if x.startswith(first_line))
    return texts[start:]


async def test_open_with_53_tickets_arrives_in_parts(sandbox: Sandbox, tmp_path: Path) -> None:
    sb = sandbox
    settings = sandbox_settings(sb, tmp_path / "e2e.sqlite3", lang="en")
    async with running_bot(settings) as runtime:
        ids = await open_tickets(runtime, 53, "appliance")
        parts = await answer(sb, "/open", "Open tickets (53)")
    assert len(parts) >= 2 and all(len(p) <= 4096 for p in parts)
    whole = "\n".join(parts)
    assert len(whole) > 4096, "the listing is longer than one message can be"
    listed = [line for line in whole.split("\n") if line.startswith("#")]
    assert [int(line.split()[0][1:]) for line in listed] == ids[:50]
    assert whole.endswith("… and 3 more, less urgent (see each with /ticket N).")


async def test_ticket_with_long_relayed_messages_arrives_in_parts(sandbox: Sandbox, tmp_path: Path) -> None:
    sb = sandbox
    settings = sandbox_settings(sb, tmp_path / "e2e.sqlite3", lang="en")
    async with running_bot(settings) as runtime:
        (ticket,) = await open_tickets(runtime, 1, "meter")
        notes = [f"note {n}: " + "the meter in the hall reads wrong, the resident says; " * 16 for n in range(8)]

        async def add_notes(tx: Conn) -> None:
            for text in notes:
                await TicketsRepo(tx).event(ticket, "relay_in", now=SystemClock().now(), actor_id=None, text=text)

        await runtime.db.run(add_notes)
        parts = await answer(sb, f"/ticket {ticket}", "🚨 P3")
    assert len(parts) >= 2 and all(len(p) <= 4096 for p in parts)
    whole = "\n".join(parts)
    missing = [text[:20] for text in notes if text.strip() not in whole]
    assert missing == [], (missing, [len(p) for p in parts], whole[-300:])
