"""Webhook mode with two instances on one PostgreSQL database (behind a load balancer): each stores Telegram's
POSTs in the inbox and answers once the row is committed; a repeat of an update_id is stored once; only the
leader hands the updates to the bot. When the leader stops, the standby takes over: it registers the webhook
and handles what was stored meanwhile."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
import pytest

from bot.app import serve
from bot.cli.demo import running_bot
from bot.config.settings import Settings
from handlers.webhook import SECRET_HEADER
from sandbox import Sandbox
from sandbox.ports import free_port
from tests.kit import postgres
from tests.kit.botproc import wait_until
from tests.kit.chat import file_report
from tests.kit.webhook import SECRET, webhook_settings

pytestmark = pytest.mark.people(7150, 7151, 7152)


def on_postgres(sb: Sandbox, tmp_path: Path, url: str, name: str) -> Settings:
    settings = webhook_settings(sb, tmp_path / f"{name}.sqlite3", free_port())
    settings.storage = settings.storage.model_copy(update={"url": url})
    return settings


def text_update(update_id: int, user: int, text: str) -> dict[str, object]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1790000000,
            "chat": {"id": user, "type": "private"},
            "from": {"id": user, "is_bot": False, "first_name": "Resident"},
            "text": text,
        },
    }


async def post(url: str, update: dict[str, object]) -> int:
    async with aiohttp.ClientSession() as http, http.post(url, json=update, headers={SECRET_HEADER: SECRET}) as r:
        return r.status


async def test_every_instance_stores_updates_and_only_the_leader_handles_them(
    sandbox: Sandbox, tmp_path: Path, pg_server: postgres.Server
) -> None:
    sb = sandbox
    url = pg_server.new_database()
    first, second = on_postgres(sb, tmp_path, url, "first"), on_postgres(sb, tmp_path, url, "second")
    stop_second = asyncio.Event()
    standby: asyncio.Task[None] | None = None
    try:
        async with running_bot(first, webhook=True):
            standby = asyncio.create_task(serve(second, stop_second, webhook=True))
            await asyncio.sleep(1.0)  # the second stands by, its webhook server taking POSTs
            assert not standby.done()
            assert sb.webhook_info()["url"] == first.telegram.webhook_url, "only the leader registered"
            # the load balancer sends an update to the standby: stored there, handled by the leader
            assert await post(second.telegram.webhook_url, text_update(900_001, 7150, "/start")) == 200
            await sb.wait_for(7150, since=0, timeout_s=10)
            await sb.wait_idle(quiet_s=0.5, timeout_s=10)
            once = sb.message_count(7150)  # what one /start is answered with
            # Telegram repeats an update to both machines: acted on once
            repeat = text_update(900_002, 7151, "/start")
            assert await post(first.telegram.webhook_url, repeat) == 200
            assert await post(second.telegram.webhook_url, repeat) == 200
            await sb.wait_for(7151, since=0, timeout_s=10)
            await sb.wait_idle(quiet_s=0.5, timeout_s=10)
            assert sb.message_count(7151) == once, "a repeated update was acted on twice"
            assert postgres.query(url, "SELECT COUNT(*) FROM telegram_inbox WHERE update_id = 900002") == [(1,)]
        # the leader stopped: the standby takes over, registers its webhook, and a whole report works
        loop = asyncio.get_running_loop()
        for _ in range(100):
            if sb.webhook_info()["url"] == second.telegram.webhook_url:
                break
            await asyncio.sleep(0.1)
        assert sb.webhook_info()["url"] == second.telegram.webhook_url, "the standby did not take over"
        outcome = await file_report(sb, 7152, deadline=loop.time() + 30)
        assert outcome.receipts, "no receipt after the takeover"
        pending = "SELECT COUNT(*) FROM telegram_inbox WHERE handled_at IS NULL"
        await wait_until(lambda: postgres.query(url, pending) == [(0,)], timeout_s=10, what="the inbox handled")
    finally:
        stop_second.set()
        if standby is not None:
            await asyncio.wait_for(standby, 30)
