"""The sandbox's refusals of the bot itself and of one chat: a revoked token (401, then a new token for the
same bot) and a user who never opened the bot (400 "chat not found" until they write to it)."""

from __future__ import annotations

import aiohttp
import pytest
from telegram import BotCommand, BotCommandScopeChat
from telegram.error import BadRequest, InvalidToken

from sandbox import DEFAULT_TOKEN, Sandbox, SandboxError
from sandbox.testing import ptb_bot, sandbox_and_bot

NEW_TOKEN = "123456:ROTATED-TOKEN"


async def test_a_revoked_token_answers_401_and_the_new_one_reaches_the_same_bot() -> None:
    async with sandbox_and_bot() as (sandbox, bot):
        user = sandbox.create_user(first_name="Li")
        await bot.send_message(user.id, "before")
        await sandbox.send_text(user, "written while the token is revoked")
        sandbox.revoke_token(DEFAULT_TOKEN)
        for call in (bot.get_me(), bot.send_message(user.id, "after"), bot.get_updates(timeout=0)):
            with pytest.raises(InvalidToken, match="Unauthorized"):
                await call
        assert sandbox.texts(user.id) == ["before"] and sandbox.pending_updates == 1
        with pytest.raises(SandboxError):  # revoked already
            sandbox.revoke_token(DEFAULT_TOKEN, NEW_TOKEN)


async def test_rotating_hands_the_bot_over_to_the_new_token() -> None:
    async with Sandbox(DEFAULT_TOKEN) as sandbox:
        user = sandbox.create_user(first_name="Li")
        await sandbox.send_text(user, "pending for the bot")
        sandbox.revoke_token(DEFAULT_TOKEN, NEW_TOKEN)
        async with ptb_bot(sandbox, NEW_TOKEN) as fresh:
            (update,) = await fresh.get_updates(timeout=0)
            assert update.message is not None and update.message.text == "pending for the bot"
            await fresh.send_message(user.id, "with the new token")
        assert sandbox.texts(user.id) == ["with the new token"]
        with pytest.raises(InvalidToken):
            async with ptb_bot(sandbox, DEFAULT_TOKEN):
                pass
        with pytest.raises(SandboxError):
            sandbox.revoke_token(NEW_TOKEN, NEW_TOKEN)


async def test_a_user_who_never_opened_the_bot_is_a_chat_not_found_until_they_write() -> None:
    async with sandbox_and_bot() as (sandbox, bot):
        user = sandbox.create_user(first_name="Li")
        sandbox.set_not_started(user)
        with pytest.raises(BadRequest, match="(?i)chat not found"):
            await bot.send_message(user.id, "dispatch card")
        with pytest.raises(BadRequest, match="(?i)chat not found"):
            await bot.set_my_commands([BotCommand("duty", "Duty")], scope=BotCommandScopeChat(user.id))
        await sandbox.send_text(user, "/start")
        await bot.send_message(user.id, "welcome")
        assert await bot.set_my_commands([BotCommand("duty", "Duty")], scope=BotCommandScopeChat(user.id))
        assert sandbox.texts(user.id) == ["welcome"]
        with pytest.raises(BadRequest, match="(?i)chat not found"):  # nobody at all with that id
            await bot.set_my_commands([BotCommand("duty", "Duty")], scope=BotCommandScopeChat(987654))


async def test_the_refusals_over_the_control_api() -> None:
    async with Sandbox(DEFAULT_TOKEN) as sandbox, aiohttp.ClientSession() as http:
        user = sandbox.create_user(first_name="Li")
        control = f"{sandbox.url}/control"
        async with http.post(f"{control}/not_started", json={"user": user.id}) as response:
            assert response.status == 200
        async with http.post(
            f"{sandbox.base_url}{DEFAULT_TOKEN}/sendMessage", json={"chat_id": user.id, "text": "x"}
        ) as r:
            assert r.status == 400 and "chat not found" in (await r.json())["description"]
        body = {"token": DEFAULT_TOKEN, "new_token": NEW_TOKEN}
        async with http.post(f"{control}/revoke_token", json=body) as response:
            assert response.status == 200
        async with http.post(f"{sandbox.base_url}{DEFAULT_TOKEN}/getMe") as r:
            assert r.status == 401 and (await r.json())["error_code"] == 401
        async with http.post(f"{sandbox.base_url}{NEW_TOKEN}/getMe") as r:
            assert r.status == 200
        async with http.post(f"{control}/revoke_token", json={"token": "nope"}) as response:
            assert response.status == 400
