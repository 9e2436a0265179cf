"""Webhook mode: updates are POSTed with the secret header, retried on failure; getUpdates conflicts."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from aiohttp import web
from telegram import Bot
from telegram.error import BadRequest, Conflict

from sandbox import Sandbox, User
from sandbox.testing import sandbox_and_bot
from sandbox.webhook import SECRET_HEADER
from tests.kit.quick_loop import quick_with


class Receiver:
    """A tiny webhook endpoint on 127.0.0.1 that fails its first ``failures`` requests."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.received: list[tuple[dict[str, Any], str | None]] = []
        self.arrived = asyncio.Event()
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        if self.failures > 0:
            self.failures -= 1
            return web.Response(status=500)
        self.received.append((await request.json(), request.headers.get(SECRET_HEADER)))
        self.arrived.set()
        return web.Response(text="ok")

    async def __aenter__(self) -> Receiver:
        app = web.Application()
        app.router.add_post("/hook", self.handle)
        self.runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", 0).start()
        self.url = f"http://127.0.0.1:{self.runner.addresses[0][1]}/hook"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.runner is not None
        await self.runner.cleanup()


Env = tuple[Sandbox, Bot, User]


@asynccontextmanager
async def open_env() -> AsyncIterator[Env]:
    async with sandbox_and_bot() as (sandbox, bot):
        yield sandbox, bot, sandbox.create_user()


@pytest.fixture
async def env() -> AsyncIterator[Env]:
    async with open_env() as opened:
        yield opened


# Tests that wait on the sandbox's clock (its webhook's retries) run on a loop whose clock runs 4 times faster
# (tests/kit/quick_loop.py): the sandbox, the client's timeouts and the tests' waits are all in its seconds (bounds
# on waits raised so they stay seconds of real time). Not a test that gives a poll time to reach the sandbox: that
# is the network's time, which the faster clock does not speed up.
quickly = quick_with(4, open_env)


@quickly
async def test_webhook_delivers_with_secret_and_blocks_get_updates(env: Env) -> None:
    sandbox, bot, user = env
    async with Receiver(failures=2) as receiver:
        assert await bot.set_webhook(receiver.url, secret_token="s3cret-token")
        with pytest.raises(Conflict, match="webhook is active"):
            await bot.get_updates(timeout=0)
        posted = await sandbox.send_text(user, "/start")
        await asyncio.wait_for(receiver.arrived.wait(), timeout=12)
        body, secret = receiver.received[0]
        assert secret == "s3cret-token" and body["update_id"] == posted.update_id
        assert body["message"]["text"] == "/start"
        info = await bot.get_webhook_info()
        assert info.url == receiver.url and info.pending_update_count == 0
        assert info.last_error_message is not None and "500" in info.last_error_message
        assert await bot.delete_webhook()
    await sandbox.send_text(user, "polling again")
    (update,) = await bot.get_updates(timeout=0)
    assert update.message is not None and update.message.text == "polling again"


async def test_webhook_must_point_at_this_machine(env: Env) -> None:
    _, bot, _ = env
    with pytest.raises(BadRequest, match="loopback"):
        await bot.set_webhook("https://example.com/hook")


async def test_set_webhook_ends_a_waiting_poll(env: Env) -> None:
    _, bot, _ = env
    async with Receiver() as receiver:
        poll = asyncio.create_task(bot.get_updates(timeout=5))
        await asyncio.sleep(0.1)
        assert await bot.set_webhook(receiver.url)
        with pytest.raises(Conflict, match="setWebhook"):
            await asyncio.wait_for(poll, timeout=3)
        assert await bot.delete_webhook(drop_pending_updates=True)
