"""The /control HTTP endpoints, several tokens, a PTB Application polling the sandbox, and the CLI."""

from __future__ import annotations

import asyncio
import os
import sys
from typing import Any

import aiohttp
import pytest
from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes, MessageHandler, filters

from sandbox import DEFAULT_TOKEN, Sandbox
from sandbox.testing import ptb_bot, sandbox_and_bot


async def call(http: aiohttp.ClientSession, method: str, url: str, **body: Any) -> Any:
    async with http.request(method, url, json=body if method == "POST" else None) as response:
        payload = await response.json()
        assert payload["ok"], payload
        return payload["result"]


async def test_control_endpoints_drive_a_conversation() -> None:
    async with sandbox_and_bot() as (sandbox, bot), aiohttp.ClientSession() as http:
        control = f"{sandbox.url}/control"
        user = await call(http, "POST", f"{control}/users", user_id=5001, first_name="Zhao")
        posted = await call(http, "POST", f"{control}/act/send_text", user=5001, text="/start")
        assert posted["update_id"] == 1 and user["id"] == 5001
        (update,) = await bot.get_updates(timeout=0)
        assert update.message is not None and update.message.text == "/start"
        await bot.send_message(5001, "Welcome, Zhao")
        waited = await call(http, "POST", f"{control}/wait_for", chat_id=5001, contains="Welcome", timeout_s=1)
        assert waited["text"] == "Welcome, Zhao"
        messages = await call(http, "GET", f"{control}/messages?chat_id=5001")
        assert [m["text"] for m in messages] == ["Welcome, Zhao"]
        await call(http, "POST", f"{control}/burst_429", count=1, retry_after_s=3)
        faults = await call(http, "POST", f"{control}/faults", error_rate=0.5, methods=["sendMessage"])
        assert faults["methods"] == ["sendmessage"]
        state = await call(http, "GET", f"{control}/state")
        assert state["users"] == 1 and state["bots"][0]["pending_updates"] == 1
        calls = await call(http, "GET", f"{control}/calls?method=getUpdates")
        assert calls and calls[0]["status"] == 200 and DEFAULT_TOKEN not in str(calls)
        async with http.post(f"{control}/act/fly", json={"user": 5001}) as response:
            assert response.status == 400 and "unknown action" in (await response.json())["error"]


async def test_each_token_is_its_own_bot() -> None:
    other = "777:OTHER"
    async with Sandbox([DEFAULT_TOKEN, other]) as sandbox:
        user = sandbox.create_user()
        second = sandbox.bot(other)
        async with ptb_bot(sandbox) as first_bot, ptb_bot(sandbox, other) as second_bot:
            assert second_bot.id == 777 and first_bot.id != 777
            await second.send_text(user, "hi second")
            assert await first_bot.get_updates(timeout=0) == ()
            assert len(await second_bot.get_updates(timeout=0)) == 1
            await second_bot.send_message(user.id, "from second")
            assert sandbox.messages(user.id) == [] and second.texts(user.id) == ["from second"]


async def test_ptb_application_polls_and_answers() -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(f"start {' '.join(context.args or [])}".strip())

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None and update.effective_message.text is not None
        await update.effective_message.reply_text(update.effective_message.text.upper(), do_quote=True)

    async with Sandbox() as sandbox:
        user = sandbox.create_user()
        bot = ptb_bot(sandbox)
        app = Application.builder().bot(bot).build()
        app.add_handler(CommandHandler("start", start))
        app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
        async with app:
            assert app.updater is not None
            await app.updater.start_polling(poll_interval=0.0, timeout=1)
            await app.start()
            try:
                await sandbox.send_text(user, "/start QR-17")
                assert (await sandbox.wait_for(user.id, timeout_s=3)).text == "start QR-17"
                await sandbox.send_text(user, "gas smell")
                reply = await sandbox.wait_for_text(user.id, "GAS SMELL", timeout_s=3)
                assert reply.data["reply_to_message"]["text"] == "gas smell"
                await sandbox.wait_idle(timeout_s=3)
            finally:
                await app.updater.stop()
                await app.stop()


@pytest.mark.e2e  # a real process: the end-to-end suite (make test), not the inner loop
async def test_cli_prints_its_base_url() -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "sandbox",
        "--port",
        "0",
        "--token",
        "42:CLI",
        stdout=asyncio.subprocess.PIPE,
        env=env,
    )
    try:
        assert proc.stdout is not None
        line = (await asyncio.wait_for(proc.stdout.readline(), timeout=10)).decode()
        base_url = line.split("base_url=")[1].split()[0]
        async with aiohttp.ClientSession() as http, http.get(f"{base_url}42:CLI/getMe") as response:
            assert (await response.json())["result"]["id"] == 42
    finally:
        proc.terminate()
        await asyncio.wait_for(proc.wait(), timeout=10)
