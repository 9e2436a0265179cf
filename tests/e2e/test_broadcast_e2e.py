"""Broadcasts end to end: the whole bot (real PTB over HTTP) against the sandbox."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.broadcast.broadcaster import Broadcaster
from bot.cli.demo import RESIDENT, running_bot, sandbox_settings
from bot.clock import SystemClock
from bot.danger.cards import gas_card
from bot.runtime import Runtime
from sandbox import Sandbox
from storage.db import Database
from tests.kit.broadcast import FIRST_ID, QUIET_HOURS_OFF, add_subscribers

TEXTS = {"zh": "春节燃气安全提示 96777", "en": "Spring Festival gas safety tip 96777"}


def broadcaster_of(runtime: Runtime) -> Broadcaster:
    return next(s for s in runtime.services if isinstance(s, Broadcaster))


async def prepare(sb: Sandbox, db_path: Path, count: int, *, missing: int = 0) -> list[str]:
    """``count`` subscribers in the database; all but the last ``missing`` exist in the sandbox."""
    for i in range(count - missing):
        sb.create_user(FIRST_ID + i, first_name="R", language_code="zh-hans")
    db = await Database.open(db_path)
    chats = await add_subscribers(db, count, SystemClock().now())
    await db.close()
    return chats


async def test_a_leak_report_in_the_middle_of_a_10000_broadcast_gets_its_card_first(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    sb = sandbox
    settings = sandbox_settings(
        sb,
        tmp_path / "b.sqlite3",
        outbound={"global_rate_per_s": 5000.0, "private_burst": 20, "private_rate_per_s": 20.0},
        reminders={"rate_per_s": 1000.0, **QUIET_HOURS_OFF},
    )
    await prepare(sb, settings.storage.path, 10_000)
    sb.set_latency(0.001)
    async with running_bot(settings) as runtime:
        service = broadcaster_of(runtime)
        broadcast_id = await service.create(kind="tip", texts=TEXTS)
        async with asyncio.timeout(30):
            while (await service.status(broadcast_id)).sent < 1_000:  # noqa: ASYNC110 - polling the database
                await asyncio.sleep(0.01)
        before = (await service.status(broadcast_id)).sent
        await sb.send_text(RESIDENT, "I smell gas, it's strong in the kitchen")
        card = gas_card("en")
        await sb.wait_for(RESIDENT, lambda m: (m.text or "").startswith(card), timeout_s=10)
        at_card = await service.status(broadcast_id)
    # the card arrived while most of the broadcast was still to go: it did not wait for the broadcast
    assert at_card.audience == 10_000
    assert at_card.sent - before < 1_000, "the card overtook the broadcast's queue"
    assert at_card.pending > 5_000


async def test_429s_blocked_users_and_unknown_chats_through_the_sandbox(sandbox: Sandbox, tmp_path: Path) -> None:
    sb = sandbox
    settings = sandbox_settings(
        sb,
        tmp_path / "c.sqlite3",
        outbound={"global_rate_per_s": 2000.0, "private_burst": 20, "private_rate_per_s": 20.0},
        reminders={"rate_per_s": 500.0, **QUIET_HOURS_OFF},
    )
    chats = await prepare(sb, settings.storage.path, 200, missing=3)
    for chat in chats[:7]:
        await sb.block(int(chat))
    async with running_bot(settings) as runtime:
        service = broadcaster_of(runtime)
        sb.burst_429(15, retry_after_s=1)
        broadcast_id = await service.create(texts=TEXTS)
        done = await service.wait_done(broadcast_id, timeout_s=30)
        tips = {r[0]: r[1] for r in await runtime.db.fetchall("SELECT external_id, tips FROM people")}
        failed = await runtime.db.fetchall(
            "SELECT chat, error FROM broadcast_deliveries WHERE broadcast_id = ? AND status = 'failed'", (broadcast_id,)
        )
    assert (done.sent, done.blocked, done.failed, done.pending) == (190, 7, 3, 0)
    assert sb.fault_counts.get("burst_429") == 15
    assert all(tips[chat] == 0 for chat in chats[:7]) and tips[chats[7]] == 1
    assert sorted(c for c, _ in failed) == sorted(chats[-3:]) and all("not found" in e for _, e in failed)
    for i, chat in enumerate(chats[:-3]):
        if i >= 7:  # add_subscribers makes every third one English
            expected = TEXTS["en" if i % 3 == 0 else "zh"]
            assert sb.texts(int(chat)) == [expected], "each subscriber exactly once, despite the 429s"
