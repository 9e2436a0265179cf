"""Webhook mode: the sandbox delivers updates by POST with Telegram's secret-token header; requests
without it (or with a wrong one) get 403 and never reach the bot; a whole leak report works end to end."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import aiohttp
import pytest
from pydantic import SecretStr

from bot.app import serve
from bot.cli.demo import DEMO_TOKEN, LEAD, RESIDENT, running_bot
from bot.cli.main import EXIT_CONFIG, main
from bot.config.settings import Settings
from bot.halt import Halted
from bot.runtime import Runtime
from common.errors import ConfigError
from handlers.webhook import SECRET_HEADER
from sandbox import Sandbox
from sandbox.ports import free_port
from tests.kit.chat import file_report
from tests.kit.webhook import SECRET, webhook_settings

pytestmark = pytest.mark.people(7100)


async def test_webhook_end_to_end_and_secret_enforced(sandbox: Sandbox, tmp_path: Path) -> None:
    sb = sandbox
    port = free_port()
    settings = webhook_settings(sb, tmp_path / "hook.sqlite3", port)
    url = settings.telegram.webhook_url
    async with running_bot(settings, webhook=True):
        assert sb.webhook_info()["url"] == url
        # a report up to its receipt (the message, then the pin), every update delivered by webhook POSTs
        loop = asyncio.get_running_loop()
        outcome = await file_report(sb, 7100, deadline=loop.time() + 30)
        assert outcome.receipts, "no receipt over the webhook"
        ticket = outcome.receipts[0]
        await sb.wait_for(
            LEAD, lambda m: any(b.get("callback_data") == f"t:acc:{ticket}" for b in m.buttons()), timeout_s=10
        )
        assert sb.stats()["bots"][0]["webhook_posted"] >= 2
        update = {
            "update_id": 10**6,
            "message": {
                "message_id": 1,
                "date": 1790000000,
                "chat": {"id": RESIDENT, "type": "private"},
                "from": {"id": RESIDENT, "is_bot": False, "first_name": "Forger"},
                "text": "/start",
            },
        }
        before = sb.message_count(RESIDENT)
        async with aiohttp.ClientSession() as http:
            for headers in ({}, {SECRET_HEADER: "wrong"}, {SECRET_HEADER: SECRET + "x"}, {SECRET_HEADER: ""}):
                async with http.post(url, json=update, headers=headers) as response:
                    assert response.status == 403, headers
            async with http.post(url, data=b"{not json", headers={SECRET_HEADER: SECRET}) as response:
                assert response.status == 400
            malformed = json.dumps({"update_id": 10**6 + 1, "message": {"chat": 5}})
            async with http.post(url, data=malformed, headers={SECRET_HEADER: SECRET}) as response:
                assert response.status == 200  # acknowledged, ignored (Telegram would redeliver it forever)
            async with http.get(url, headers={SECRET_HEADER: SECRET}) as response:
                assert response.status == 405
        await sb.wait_idle(quiet_s=0.2, timeout_s=5)
        assert sb.message_count(RESIDENT) == before, "a request without the secret reached the bot"
        # the right header works from outside the sandbox too
        async with (
            aiohttp.ClientSession() as http,
            http.post(url, json=update, headers={SECRET_HEADER: SECRET}) as response,
        ):
            assert response.status == 200
        await sb.wait_for(RESIDENT, since=before, timeout_s=5)


def test_webhook_mode_needs_url_and_secret(tmp_path: Path) -> None:
    settings = Settings(telegram={"token": DEMO_TOKEN})
    with pytest.raises(ConfigError, match="webhook_url"):
        settings.require_webhook_secret()
    settings.telegram = settings.telegram.model_copy(update={"webhook_url": "https://bot.example.org/tg"})
    with pytest.raises(ConfigError, match="HOTLINE_TELEGRAM__WEBHOOK_SECRET"):
        settings.require_webhook_secret()
    settings.telegram = settings.telegram.model_copy(update={"webhook_secret": SecretStr("no spaces allowed")})
    with pytest.raises(ConfigError):
        settings.require_webhook_secret()


def test_cli_refuses_webhook_without_secret(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[telegram]\nwebhook_url = "https://bot.example.org/tg"\n[storage]\npath = "{tmp_path / "x.sqlite3"}"\n'
    )
    monkeypatch.setenv("HOTLINE_TELEGRAM__TOKEN", DEMO_TOKEN)
    monkeypatch.delenv("HOTLINE_TELEGRAM__WEBHOOK_SECRET", raising=False)
    assert main(["run", "--webhook", "--config", str(config)]) == EXIT_CONFIG


async def test_webhook_mode_reports_its_health_and_stops_on_a_refused_token(sandbox: Sandbox, tmp_path: Path) -> None:
    sb = sandbox
    port = free_port()
    settings = webhook_settings(sb, tmp_path / "hook.sqlite3", port)
    ready: asyncio.Future[Runtime] = asyncio.get_running_loop().create_future()

    async def on_ready(runtime: Runtime) -> None:
        ready.set_result(runtime)

    task = asyncio.create_task(serve(settings, asyncio.Event(), on_ready=on_ready, webhook=True))
    runtime = await asyncio.wait_for(ready, timeout=20)
    async with aiohttp.ClientSession() as http, http.get(f"http://127.0.0.1:{port}/healthz") as response:
        assert (response.status, await response.json()) == (200, {"status": "ok"})
    sb.revoke_token(DEMO_TOKEN, "123456:NEW-hook-token")
    await sb.send_text(RESIDENT, "/help")  # delivered by webhook; the answer meets the 401
    with pytest.raises(Halted):
        await asyncio.wait_for(task, timeout=20)
    assert runtime.health.as_json()["status"] == "failing"
    assert "sendMessage" in runtime.health.as_json()["reason"]
