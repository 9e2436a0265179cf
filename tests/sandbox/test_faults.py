"""Flood limits and injected faults surface as PTB's errors: RetryAfter, NetworkError, TimedOut."""

from __future__ import annotations

import contextlib
import datetime as dtm
import time
from collections.abc import AsyncIterator

import pytest
from telegram import Bot
from telegram.error import NetworkError, RetryAfter, TimedOut

from sandbox import ApiError, FaultConfig, RateLimits, Sandbox, User
from sandbox.limits import RateLimiter
from sandbox.testing import ptb_bot, sandbox_and_bot
from tests.kit.quick_loop import quick

Env = tuple[Sandbox, Bot, User]


@pytest.fixture
async def env() -> AsyncIterator[Env]:
    async with sandbox_and_bot() as (sandbox, bot):
        yield sandbox, bot, sandbox.create_user()


async def test_scripted_429_burst_gives_retry_after(env: Env) -> None:
    sandbox, bot, user = env
    sandbox.burst_429(2, retry_after_s=7)
    for _ in range(2):
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(user.id, "leak!")
        assert caught.value.retry_after == dtm.timedelta(seconds=7)
    assert (await bot.send_message(user.id, "leak!")).text == "leak!"
    assert await bot.get_me()  # not a send call: never limited
    assert sandbox.fault_counts["burst_429"] == 2
    assert [c.status for c in sandbox.calls("sendMessage")] == [429, 429, 200]
    assert sandbox.texts(user.id) == ["leak!"]


async def test_rate_limits_per_private_chat_and_group(env: Env) -> None:
    sandbox, bot, user = env
    group = sandbox.create_group("Crew", [user.id])
    sandbox.set_rate_limits(RateLimits(private_burst=3, group_burst=2))
    for _ in range(3):
        await bot.send_message(user.id, "ok")
    with pytest.raises(RetryAfter):
        await bot.send_message(user.id, "too fast")
    for _ in range(2):
        await bot.send_message(group.id, "ok")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(group.id, "too fast")
    assert isinstance(caught.value.retry_after, dtm.timedelta)
    assert caught.value.retry_after.total_seconds() >= 2  # 20/min refills one message per 3 s
    assert sandbox.fault_counts["rate_limited"] == 2
    sandbox.set_rate_limits(False)
    await bot.send_message(user.id, "limits off")


def test_rate_limiter_refills_with_its_clock() -> None:
    now = [0.0]
    limiter = RateLimiter(clock=lambda: now[0])
    limiter.configure(RateLimits(global_per_s=30, global_burst=30, private_per_s=1, private_burst=1))
    limiter.check(7)
    with pytest.raises(ApiError, match="retry after 1"):
        limiter.check(7)
    now[0] = 1.0
    limiter.check(7)
    for chat in range(100, 129):  # the global bucket (30) empties, whatever the chat
        limiter.check(chat)
    with pytest.raises(ApiError, match="Too Many Requests"):
        limiter.check(999)


async def test_edits_count_like_sends_under_real_limits(env: Env) -> None:
    sandbox, bot, user = env
    sent = await bot.send_message(user.id, "card")
    sandbox.set_rate_limits(RateLimits(private_burst=2))
    await bot.edit_message_text("card, edited", chat_id=user.id, message_id=sent.message_id)
    await bot.send_message(user.id, "second")
    with pytest.raises(RetryAfter) as caught:  # the burst of 2 is spent by one edit and one send
        await bot.edit_message_text("card, edited again", chat_id=user.id, message_id=sent.message_id)
    assert caught.value.retry_after == dtm.timedelta(seconds=1)
    assert [c.status for c in sandbox.calls("editMessageText")] == [200, 429]
    assert sandbox.messages(user.id)[0].text == "card, edited"


def test_real_limits_are_telegrams_and_off_by_default() -> None:
    now = [0.0]
    limiter = RateLimiter(clock=lambda: now[0])
    limiter.check(5)  # off until configured: no bucket, no 429
    limiter.configure(RateLimits())  # Telegram's: 30/s overall, 1/s per private chat (burst 3), 20/min per group
    group = -100
    for _ in range(20):
        limiter.check(group)
    with pytest.raises(ApiError) as caught:
        limiter.check(group)
    assert caught.value.status == 429
    assert caught.value.to_json()["parameters"] == {"retry_after": 3}  # 20/min refills one every 3 s
    for _ in range(3):
        limiter.check(7)
    with pytest.raises(ApiError, match="retry after 1"):
        limiter.check(7)
    for chat in range(100, 107):  # 20 + 3 + 7 = 30: the overall bucket is empty, whatever the chat
        limiter.check(chat)
    with pytest.raises(ApiError):
        limiter.check(200)
    now[0] = 3.0
    limiter.check(group)
    limiter.check(7)


async def test_5xx_fault_is_a_network_error_and_counted(env: Env) -> None:
    sandbox, bot, user = env
    sandbox.set_faults(error_rate=1.0, methods=frozenset({"sendmessage"}))
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(user.id, "x")
    assert await bot.get_me()
    assert sandbox.fault_counts["error_5xx"] == 1
    assert sandbox.messages(user.id) == []
    sandbox.set_faults()
    await bot.send_message(user.id, "x")


async def test_dropped_connection_is_a_network_error(env: Env) -> None:
    sandbox, bot, user = env
    sandbox.set_faults(drop_rate=1.0)
    with pytest.raises(NetworkError):
        await bot.send_message(user.id, "x")
    assert sandbox.fault_counts["dropped"] == 1
    assert sandbox.calls("sendMessage")[-1].status == 0


@quick(4)  # the loop's clock runs 4 times faster: the sandbox's delay and the client's timeouts are in its seconds
async def test_delayed_call_times_out_but_is_carried_out() -> None:
    async with Sandbox() as sandbox:
        user = sandbox.create_user()
        async with ptb_bot(sandbox) as bot:  # its start (getMe) with the usual read timeout
            sandbox.set_faults(delay_rate=1.0, delay_s=0.25)  # answered 0.15 s after the client gave up
            with pytest.raises(TimedOut):
                await bot.send_message(user.id, "slow", read_timeout=0.1)
            message = await sandbox.wait_for(user.id, timeout_s=8)
            assert message.text == "slow"
            assert sandbox.fault_counts["delayed"] >= 1


async def test_seeded_faults_are_reproducible_and_latency_is_added(env: Env) -> None:
    sandbox, bot, user = env

    async def outcomes() -> list[int]:
        sandbox.clear_calls()
        sandbox.set_faults(FaultConfig(error_rate=0.3, seed=11))
        for i in range(20):
            with contextlib.suppress(NetworkError):
                await bot.send_message(user.id, f"m{i}")
        return [call.status for call in sandbox.calls("sendMessage")]

    first, second = await outcomes(), await outcomes()
    assert first == second and 502 in first and 200 in first
    sandbox.set_faults(latency_s=0.05)
    started = time.monotonic()
    await bot.get_me()
    assert time.monotonic() - started >= 0.05


def test_paid_broadcasts_have_their_own_overall_rate() -> None:
    limiter = RateLimiter(clock=lambda: 0.0)
    limiter.configure(RateLimits(global_per_s=30, global_burst=30))
    for chat in range(100, 130):
        limiter.check(chat)
    with pytest.raises(ApiError, match="Too Many Requests"):
        limiter.check(200)  # the free rate is exhausted
    for chat in range(1000, 2000):  # flagged ones: 1,000 a second beyond it
        limiter.check(chat, paid=True)
    with pytest.raises(ApiError, match="Too Many Requests"):
        limiter.check(3000, paid=True)
    with pytest.raises(ApiError, match="retry after 1"):
        limiter.check(1000, paid=True)  # a private chat's own limit still holds
    assert limiter.paid == 1000


async def test_the_api_accepts_allow_paid_broadcast_beyond_the_free_rate(env: Env) -> None:
    sandbox, bot, _ = env
    # a free rate that cannot refill during the test however slow the machine: the third free send is refused
    sandbox.set_rate_limits(RateLimits(global_per_s=0.01, global_burst=2))
    users = [sandbox.create_user() for _ in range(6)]
    for user in users[:2]:
        await bot.send_message(user.id, "free")
    with pytest.raises(RetryAfter):
        await bot.send_message(users[2].id, "free, too fast")
    for user in users[2:]:
        sent = await bot.send_message(user.id, "safety card", allow_paid_broadcast=True)
        assert sent.text == "safety card"
    assert sandbox.paid_sends == 4
    assert [str(c.params.get("allow_paid_broadcast")).lower() for c in sandbox.calls("sendMessage")][-4:] == [
        "true"
    ] * 4
