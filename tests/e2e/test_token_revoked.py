"""End to end: the token is revoked while notifications are on their way (401 from every Bot API call).

The bot must stop sending, keep every outbox row pending (nothing marked failed), say at CRITICAL what to
do (never the token), fail its health, and end (``Halted``: the process exits non-zero so its supervisor
restarts it). Started again with the new token, it delivers everything pending, once. (A token refused at
start-up: tests/reliability/test_startup.py.)"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.app import serve
from bot.cli.demo import DEMO_TOKEN, LEAD, MEMBER, RESIDENT, running_bot, sandbox_settings, tap
from bot.config.settings import Settings
from bot.halt import Halted
from bot.runtime import Runtime
from sandbox import Sandbox
from tests.kit.chat import has_button

NEW_TOKEN = "123456:NEW-sandbox-token"
RECEIPT = "Ticket #1: a crew is being sent now"


def with_token(settings: Settings, token: str) -> Settings:
    telegram = settings.telegram.model_copy(update={"token": SecretStr(token)})
    return settings.model_copy(update={"telegram": telegram})


def outbox(settings: Settings) -> list[tuple[str, str, int, str | None]]:
    with closing(sqlite3.connect(settings.storage.path)) as conn, conn:
        rows = conn.execute("SELECT purpose, status, attempts, last_error FROM outbox ORDER BY id").fetchall()
    return [(str(r[0]), str(r[1]), int(r[2]), r[3]) for r in rows]


async def start(settings: Settings, stop: asyncio.Event) -> tuple[asyncio.Task[None], Runtime]:
    ready: asyncio.Future[Runtime] = asyncio.get_running_loop().create_future()

    async def on_ready(runtime: Runtime) -> None:
        ready.set_result(runtime)

    task = asyncio.create_task(serve(settings, stop, on_ready=on_ready))
    await asyncio.wait({task, ready}, timeout=20, return_when=asyncio.FIRST_COMPLETED)
    return task, ready.result()


def cards(sb: Sandbox, user: int) -> int:
    """Dispatch cards of ticket 1 that reached ``user`` (as sent: accepting edits the buttons away)."""
    sent = [m.sent_markup or {} for m in sb.messages(user)]
    return sum(
        any(b.get("callback_data") == "t:acc:1" for row in k.get("inline_keyboard", []) for b in row) for k in sent
    )


async def test_a_revoked_token_keeps_every_notification_and_the_next_start_sends_each_once(
    sandbox: Sandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    sb = sandbox
    settings = sandbox_settings(sb, tmp_path / "e2e.sqlite3", lang="en")
    stop = asyncio.Event()
    task, runtime = await start(settings, stop)
    await sb.send_text(RESIDENT, "I smell gas, it's strong in the kitchen")
    await sb.wait_for(RESIDENT, lambda m: "96777" in (m.text or ""), timeout_s=5)
    sb.burst_429(100, retry_after_s=2)  # the receipt and the cards wait in the lane a moment...
    await sb.send_location(RESIDENT, 31.2304, 121.4737)  # the ticket is dispatched as soon as we know where
    for _ in range(200):
        if sum(call.status == 429 for call in sb.calls()) >= 3:
            break
        await asyncio.sleep(0.02)
    sb.revoke_token(DEMO_TOKEN, NEW_TOKEN)  # ... and meanwhile the token is revoked (@BotFather's /revoke)
    with caplog.at_level(logging.INFO), pytest.raises(Halted):
        await asyncio.wait_for(task, timeout=20)  # the process ends by itself: nobody set ``stop``
    assert not stop.is_set() and runtime.health.state == "failing"
    rows = outbox(settings)
    assert {purpose for purpose, *_ in rows} >= {"receipt", "dispatch"}
    assert [row for row in rows if row[1] != "pending"] == [], "nothing sent, nothing marked failed"
    assert sb.messages(LEAD) == [] and sb.messages(MEMBER) == []
    critical = [r.getMessage() for r in caplog.records if r.levelno == logging.CRITICAL]
    assert any("refused the bot's credentials" in x and "BotFather" in x for x in critical), critical
    assert any("notifications stay pending" in x for x in critical), critical
    assert DEMO_TOKEN.split(":")[1] not in caplog.text, "the token is in the log"
    refused = [c for c in sb.calls() if c.status == 401]
    assert 1 <= len(refused) <= 10, f"it went on calling with a refused token: {len(refused)} calls"

    sb.burst_429(0)
    async with running_bot(with_token(settings, NEW_TOKEN)):  # the operator sets the new token
        await sb.wait_for_text(RESIDENT, RECEIPT, timeout_s=10)
        for member in (LEAD, MEMBER):
            await sb.wait_for(member, lambda m: has_button(m, "t:acc:1"), timeout_s=10)
        await tap(sb, None, LEAD, "t:acc:1")
        await sb.wait_for_text(RESIDENT, "Wang Qiang of our crew accepted", timeout_s=10)
        await sb.wait_idle(quiet_s=0.3, timeout_s=10)
    assert sum(RECEIPT in x for x in sb.texts(RESIDENT)) == 1, "one receipt"
    assert (cards(sb, LEAD), cards(sb, MEMBER)) == (1, 1), "one card each"
    assert [row for row in outbox(settings) if row[1] != "sent"] == []


async def test_a_401_to_get_updates_ends_the_process_instead_of_leaving_it_deaf(
    sandbox: Sandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = sandbox_settings(sandbox, tmp_path / "e2e.sqlite3", lang="en")
    task, runtime = await start(settings, asyncio.Event())
    await sandbox.wait_idle(quiet_s=0.1, timeout_s=10)
    sandbox.revoke_token(DEMO_TOKEN)
    with caplog.at_level(logging.INFO), pytest.raises(Halted):
        await asyncio.wait_for(task, timeout=20)
    assert runtime.health.state == "failing" and "getUpdates" in runtime.health.reason
    assert "Aborting retry loop" not in caplog.text  # PTB's polling no longer ends on its own, deaf
    assert [c.method for c in sandbox.calls() if c.status == 401] == ["getUpdates"]
