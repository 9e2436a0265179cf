"""``hotline purge`` while the bot runs: a 20,000-ticket backlog purged by a separate process in short
batches, while residents' "I smell gas" are answered. The safety cards' times are printed (no timing assert:
timing belongs to ``make bench``); what is asserted is that every card came while the purge ran, nothing said
"something went wrong", and every ticket was purged."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
import time
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli.demo import running_bot, sandbox_settings
from bot.i18n import t
from common.events import Envelope, Priority, Text
from sandbox import Sandbox
from storage.db import Database, to_db
from tests.kit.botproc import REPO, toml_dump

BACKLOG = 20_000
RESIDENTS = 2_000
CALLERS = tuple(range(7_000_001, 7_000_006))  # one "I smell gas" each, about half a second apart


pytestmark = pytest.mark.people(*CALLERS)


async def seed_backlog(path: Path, tickets: int) -> None:
    """``tickets`` resolved two months ago, each with an event and a sent dispatch card (one transaction)."""
    db = await Database.open(path)
    await db.close()
    long_ago = datetime.now(UTC) - timedelta(days=60)
    at = to_db(long_ago)
    card = Envelope(message=Text(chat="1001", text="Flat 501, Building 3", priority=Priority.DISPATCH))
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.executemany(
            "INSERT INTO people (id, channel, external_id, name, phone, created_at)"
            " VALUES (?, 'telegram', ?, ?, '+8613812345678', ?)",
            [(10_000 + i, str(8_000_000 + i), f"Resident {i}", at) for i in range(RESIDENTS)],
        )
        conn.executemany(
            "INSERT INTO tickets (id, resident_id, channel, chat, lang, category, severity, status, address,"
            " latitude, longitude, phone, details, created_at, resolved_at)"
            " VALUES (?, ?, 'telegram', ?, 'en', 'leak', 'P1', 'resolved', 'Building 3, Flat 501', 31.2304, 121.4737,"
            ' \'+8613812345678\', \'{"where": "home", "access": "code 1234"}\', ?, ?)',
            [(n, 10_000 + n % RESIDENTS, str(8_000_000 + n % RESIDENTS), at, at) for n in range(1, tickets + 1)],
        )
        conn.executemany(
            "INSERT INTO ticket_events (ticket_id, at, kind, data)"
            " VALUES (?, ?, 'note', '{\"text\": \"by the lift\"}')",
            [(n, at) for n in range(1, tickets + 1)],
        )
        conn.executemany(
            "INSERT INTO outbox (channel, chat, priority, payload, ticket_id, purpose, status, next_attempt_at,"
            " created_at) VALUES ('telegram', '1001', 1, ?, ?, 'dispatch', 'sent', ?, ?)",
            [(card.model_dump_json(), n, at, at) for n in range(1, tickets + 1)],
        )


def purged_so_far(path: Path) -> int:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)) as conn, conn:
        return int(conn.execute("SELECT COUNT(*) FROM tickets WHERE purged_at IS NOT NULL").fetchone()[0])


async def test_purge_of_a_20000_ticket_backlog_while_a_resident_reports(sandbox: Sandbox, tmp_path: Path) -> None:
    sb = sandbox
    db_path = tmp_path / "backlog.sqlite3"
    await seed_backlog(db_path, BACKLOG)
    config = tmp_path / "purge.toml"
    config.write_text(toml_dump({"storage": {"path": str(db_path)}}), encoding="utf-8")
    async with running_bot(sandbox_settings(sb, db_path, lang="en")):
        started = time.monotonic()
        purge = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "purge", "--older-than", "30", "--config", str(config),
            cwd=REPO, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        for _ in range(600):  # bounded: until the purge is under way
            if purged_so_far(db_path) > 0 or purge.returncode is not None:
                break
            await asyncio.sleep(0.05)
        under_way = purged_so_far(db_path)
        card_ms: list[float] = []
        for caller in CALLERS:
            sent = time.monotonic()
            await sb.send_text(caller, "I smell gas in the kitchen, it is strong")
            # the safety card: the first answer, with the hotline number on it
            await sb.wait_for(caller, lambda m: "96777" in (m.text or ""), timeout_s=30)
            card_ms.append((time.monotonic() - sent) * 1000)
            await asyncio.sleep(0.5)
        during = purged_so_far(db_path)
        out, _ = await asyncio.wait_for(purge.communicate(), timeout=300)
        purge_s = time.monotonic() - started
    text = out.decode(errors="replace")
    print(
        f"\npurge of {BACKLOG:,} tickets with the bot running: {purge_s:.1f} s; {len(CALLERS)} safety cards during it"
        f" after {', '.join(f'{ms:.0f}' for ms in card_ms)} ms (max {max(card_ms):.0f} ms; {under_way:,} tickets"
        f" purged when the first was asked for, {during:,} after the last)\n{text.strip()}"
    )
    assert purge.returncode == 0, text
    assert f"purged {BACKLOG} ticket(s)" in text and "the bot is running" in text
    assert under_way > 0 and during < BACKLOG, "the cards were asked for while the purge ran"
    sorry = t("en", "errors.sorry", hotline="96777")[:30]
    assert not [m for c in CALLERS for m in sb.messages(c) if sorry in (m.text or "")]
    assert purged_so_far(db_path) == BACKLOG
