"""The outbound lane, in virtual time: an event loop whose clock jumps to the next timer whenever nothing
is ready, so rate limits measured in seconds run in milliseconds and exactly."""

from __future__ import annotations

import asyncio
import random
import time

import pytest

from bot.outbound.delivery import Blocked, ChannelRefused, NotModified, Rejected, RetryLater, Transient
from bot.outbound.lane import Lane, LaneClosed
from common.events import Answer, Outbound, Priority, Text
from handlers.channel import TelegramPacing
from tests.kit.lane import DEFAULTS, UNLIMITED, FakeSender, now, started, text
from tests.kit.virtual_time import virtual


def check_bucket(times: list[float], capacity: float, rate_per_s: float) -> None:
    """A token bucket's promise: any span [t_i, t_j] holds at most capacity + rate * span sends."""
    times = sorted(times)
    for i in range(len(times)):
        for j in range(i, len(times)):
            assert j - i + 1 <= capacity + rate_per_s * (times[j] - times[i]) + 1e-6, (
                i,
                j,
                times[i],
                times[j],
            )


@virtual
async def test_emergency_overtakes_a_broadcast_backlog() -> None:
    sender = FakeSender()
    lane = await started(sender)
    broadcast = [lane.submit(text(str(1000 + i), f"b{i}", Priority.BROADCAST)) for i in range(500)]
    await asyncio.sleep(1.0)
    assert 25 <= len(sender.calls) <= 32
    assert lane.backlog(Priority.BROADCAST) == 500 - len(sender.calls)
    submitted = now()
    emergency = lane.submit(text("77", "leak!", Priority.EMERGENCY))
    notice = lane.submit(text("78", "notice", Priority.NOTICE))
    assert await emergency == "id-leak!"
    await notice
    after = [(t, body) for t, _, body in sender.calls if t >= submitted]
    assert after[0][1] == "leak!" and after[0][0] - submitted <= 1 / 28 + 1e-6
    assert after[1][1] == "notice"
    await lane.stop(drain_s=0)
    with pytest.raises(LaneClosed):
        await broadcast[-1]


@virtual
async def test_a_chat_is_waiting_until_everything_queued_for_it_is_sent() -> None:
    lane = await started(FakeSender())
    assert not lane.waiting("41")
    sends = [lane.submit(text("41", f"m{i}", Priority.CONVERSATION)) for i in range(3)]
    assert lane.waiting("41") and not lane.waiting("42")
    await asyncio.gather(*sends)
    assert not lane.waiting("41")
    await lane.stop(drain_s=0)


@virtual
async def test_one_chat_gets_priority_then_submission_order() -> None:
    sender = FakeSender()
    lane = Lane(sender, UNLIMITED, pacing=TelegramPacing(UNLIMITED))
    order = [
        ("b1", Priority.BROADCAST),
        ("c1", Priority.CONVERSATION),
        ("e1", Priority.EMERGENCY),
        ("c2", Priority.CONVERSATION),
        ("d1", Priority.DISPATCH),
        ("e2", Priority.EMERGENCY),
    ]
    futures = [lane.submit(text("5", body, priority)) for body, priority in order]
    await lane.start()
    await asyncio.gather(*futures)
    assert sender.texts() == ["e1", "e2", "d1", "c1", "c2", "b1"]
    starts = sender.times("5")
    assert all(b - a >= sender.latency_s - 1e-9 for a, b in zip(starts, starts[1:], strict=False))  # one at a time
    await lane.stop()


@virtual
async def test_safety_cards_go_before_every_other_message_of_their_priority() -> None:
    """A district: receipts at emergency priority submitted while later residents' safety cards wait (and one in
    a card's own chat) leave only after every card, and the cards keep their order."""
    sender = FakeSender()
    lane = Lane(sender, DEFAULTS, pacing=TelegramPacing(DEFAULTS))  # 30/s: one send after the other
    futures = [lane.submit(Text(chat="1", text="card 1", priority=Priority.EMERGENCY, safety=True))]
    futures += [
        lane.submit(text("1", "receipt 1", Priority.EMERGENCY)),
        lane.submit(text("2", "receipt 2", Priority.EMERGENCY)),
    ]
    futures += [lane.submit(Text(chat=c, text=f"card {c}", priority=Priority.EMERGENCY, safety=True)) for c in "345"]
    futures.append(lane.submit(Text(chat="2", text="card 2 again", priority=Priority.EMERGENCY, safety=True)))
    futures.append(lane.submit(text("6", "crew card", Priority.DISPATCH)))
    await lane.start()
    await asyncio.gather(*futures)
    assert sender.texts() == [
        "card 1",
        "card 3",
        "card 4",
        "card 5",
        "card 2 again",
        "receipt 1",
        "receipt 2",
        "crew card",
    ]
    await lane.stop()


@virtual
async def test_private_and_group_rates_do_not_hold_up_other_chats() -> None:
    sender = FakeSender()
    lane = await started(sender)
    t0 = now()
    busy = [lane.submit(text("42", f"p{i}")) for i in range(8)]
    group = [lane.submit(text("-100", f"g{i}")) for i in range(4)]
    others = [lane.submit(text(str(500 + i), f"o{i}")) for i in range(10)]
    await asyncio.gather(*others)
    assert now() - t0 < 1.0  # other chats did not wait behind chat 42 or the group
    await asyncio.gather(*busy, *group)
    assert sender.texts("42") == [f"p{i}" for i in range(8)]
    private = [t - t0 for t in sender.times("42")]
    assert private[2] < 0.1  # the burst of three
    assert 0.99 <= private[3] <= 1.05  # the bucket refills from the first send on
    gaps = [b - a for a, b in zip(private[3:], private[4:], strict=False)]
    assert all(0.99 <= gap <= 1.05 for gap in gaps), gaps
    check_bucket(sender.times("42"), DEFAULTS.private_burst, DEFAULTS.private_rate_per_s)
    grouped = sender.times("-100")
    assert all(abs((b - a) - 60 / 19) < 0.05 for a, b in zip(grouped, grouped[1:], strict=False)), grouped
    await lane.stop()


@virtual
async def test_global_rate_is_kept() -> None:
    sender = FakeSender(latency_s=0.2)
    lane = await started(sender)
    futures = [lane.submit(text(str(i), f"m{i}", Priority(i % 5))) for i in range(400)]
    await asyncio.gather(*futures)
    times = [t for t, _, _ in sender.calls]
    rate = (len(times) - 1) / (max(times) - min(times))
    assert 27.0 <= rate <= 28.5, rate
    check_bucket(times, max(1.0, DEFAULTS.global_rate_per_s / 20), DEFAULTS.global_rate_per_s)
    worst = max(sum(1 for u in times if t <= u < t + 1) for t in times)
    assert worst <= 30
    await lane.stop()


@virtual
async def test_retry_later_pauses_only_that_chat() -> None:
    sender = FakeSender()
    sender.script["a1"] = [RetryLater(5)]
    lane = await started(sender)
    t0 = now()
    a = [lane.submit(text("1", "a1")), lane.submit(text("1", "a2"))]
    b = [lane.submit(text("2", f"b{i}")) for i in range(3)]
    await asyncio.gather(*b)
    assert now() - t0 < 0.5
    assert await asyncio.gather(*a) == ["id-a1", "id-a2"]
    assert sender.texts("1") == ["a1", "a1", "a2"]
    assert sender.times("1")[1] - t0 >= 5.0
    assert lane.stats.retried == 1 and lane.stats.sent == 5
    await lane.stop()


@virtual
async def test_retry_later_is_bounded() -> None:
    sender = FakeSender()
    sender.always["x"] = RetryLater(1)
    lane = await started(sender, max_pauses=5)
    with pytest.raises(RetryLater):
        await lane.submit(text("1", "x"))
    assert len(sender.calls) == 6
    sender.always["y"] = RetryLater(3600)  # longer than the lane waits: straight back to the caller
    with pytest.raises(RetryLater):
        await lane.submit(text("3", "y"))
    assert lane.stats.failed == 2
    await lane.stop()


@virtual
async def test_transient_is_retried_then_fails() -> None:
    sender = FakeSender(latency_s=0)
    sender.always["down"] = Transient("timeout")
    sender.script["blip"] = [Transient("reset")]
    lane = await started(sender)
    t0 = now()
    with pytest.raises(Transient):
        await lane.submit(text("1", "down"))
    assert [round(t - t0, 3) for t in sender.times("1")] == [0.0, 0.2, 1.2]
    assert await lane.submit(text("2", "blip")) == "id-blip"
    with pytest.raises(Transient):
        await lane.submit(text("3", "down"), retry_transient=False)
    assert len(sender.times("3")) == 1
    await lane.stop()


@virtual
async def test_blocked_rejected_and_not_modified() -> None:
    sender = FakeSender()
    sender.always["blocked"] = Blocked("403")
    sender.always["bad"] = Rejected("400")
    sender.always["edit"] = NotModified("same")
    lane = await started(sender)
    with pytest.raises(Blocked):
        await lane.submit(text("1", "blocked"))
    with pytest.raises(Rejected):
        await lane.submit(text("1", "bad"))
    assert await lane.submit(text("1", "edit")) is None
    assert await lane.submit(text("1", "fine")) == "id-fine"
    assert len(sender.calls) == 4
    assert (lane.stats.sent, lane.stats.failed, lane.stats.retried) == (2, 2, 0)
    await lane.stop()


@virtual
async def test_answers_skip_chat_limits_but_not_the_lane() -> None:
    sender = FakeSender()
    lane = await started(sender)
    t0 = now()
    chat = [lane.submit(text("42", f"p{i}")) for i in range(5)]
    answers = [lane.submit(Answer(chat="42", button_id=f"q{i}", text=f"ok{i}")) for i in range(10)]
    assert await asyncio.gather(*answers) == [None] * 10
    assert now() - t0 < 0.6  # 15 sends at 28/s; chat 42 itself is at its third message
    await asyncio.gather(*chat)
    check_bucket([t for t, _, _ in sender.calls], max(1.0, DEFAULTS.global_rate_per_s / 20), 28.0)
    await lane.stop()


@virtual
async def test_withdraw_and_stop() -> None:
    sender = FakeSender(latency_s=0.5)
    lane = await started(sender)
    first = lane.submit(text("1", "first"))
    queued = [lane.submit(text("1", f"q{i}")) for i in range(5)]
    await asyncio.sleep(0.1)
    assert not lane.withdraw(first)  # already being sent
    assert lane.withdraw(queued[0])
    assert queued[0].cancelled()
    assert lane.backlog(Priority.CONVERSATION) == 5  # counted until the lane reaches it
    t0 = now()
    await lane.stop(drain_s=1.6)
    assert now() - t0 <= 1.6 + 1e-6
    assert await first == "id-first"
    assert "q0" not in sender.texts()
    outcomes = await asyncio.gather(*queued[1:], return_exceptions=True)
    assert outcomes[0] == "id-q1"
    assert any(isinstance(outcome, LaneClosed) for outcome in outcomes)
    with pytest.raises(LaneClosed):
        await lane.submit(text("1", "late"))


@virtual
async def test_random_load_keeps_every_promise() -> None:
    rng = random.Random(7)
    sender = FakeSender(latency_s=0.05)
    chats = [str(100 + i) for i in range(12)] + ["-1", "-2"]
    expected: dict[str, list[tuple[int, int, str]]] = {chat: [] for chat in chats}
    futures = []
    lane = Lane(sender, DEFAULTS, pacing=TelegramPacing(DEFAULTS))
    for n in range(300):
        chat, priority = rng.choice(chats), Priority(rng.randrange(5))
        body = f"m{n}"
        if rng.random() < 0.1:
            sender.script[body] = [RetryLater(rng.choice([0.5, 2.0]))]
        expected[chat].append((priority, n, body))
        futures.append(lane.submit(text(chat, body, priority)))
    await lane.start()
    await asyncio.gather(*futures)
    for chat in chats:
        sent = [body for body in sender.texts(chat)]
        delivered = list(dict.fromkeys(reversed(sent)))[::-1]  # a paused message is retried in place
        assert delivered == [body for _, _, body in sorted(expected[chat])]
        if chat.startswith("-"):
            check_bucket(sender.times(chat), 1, DEFAULTS.group_rate_per_min / 60)
        else:
            check_bucket(sender.times(chat), DEFAULTS.private_burst, DEFAULTS.private_rate_per_s)
    check_bucket([t for t, _, _ in sender.calls], max(1.0, DEFAULTS.global_rate_per_s / 20), 28.0)
    assert lane.backlog(Priority.CONVERSATION) == 0 and lane.in_flight == 0
    await lane.stop()


class NoopSender:
    async def send(self, message: Outbound) -> str | None:
        return "1"


async def test_throughput_with_a_noop_sender() -> None:
    lane = Lane(NoopSender(), UNLIMITED, pacing=TelegramPacing(UNLIMITED))
    await lane.start()
    count = 5_000  # five to each of 1,000 chats, over every priority
    messages = [text(str(i % 1000), "x", Priority(i % 5)) for i in range(count)]
    start = time.perf_counter()
    futures = [lane.submit(message) for message in messages]
    await asyncio.wait_for(asyncio.gather(*futures), 30)
    elapsed = time.perf_counter() - start
    await lane.stop()
    rate = count / elapsed
    print(f"\nlane throughput: {rate:,.0f} messages/s ({count} messages in {elapsed:.2f} s)")
    assert lane.stats.sent == count
    assert rate >= 1_000


@virtual
async def test_a_refused_token_stops_the_lane_and_fails_what_waits() -> None:
    sender = FakeSender()
    sender.always["refused"] = ChannelRefused("Unauthorized", method="sendMessage")
    lane = await started(sender)
    told: list[ChannelRefused] = []
    lane.on_refused = told.append
    first = lane.submit(text("1", "refused"))
    waiting = [lane.submit(text("1", f"w{i}")) for i in range(5)] + [lane.submit(text(str(i), "x")) for i in range(50)]
    outcomes = await asyncio.gather(first, *waiting, return_exceptions=True)
    sent = [o for o in outcomes if not isinstance(o, BaseException)]
    assert all(isinstance(o, ChannelRefused) for o in outcomes if isinstance(o, BaseException))
    assert len(sent) < 40, "most of the queue was never sent"  # the global bucket let a first burst start
    assert len(told) == 1 and lane.refused is told[0]
    calls = len(sender.calls)
    with pytest.raises(ChannelRefused):
        await lane.submit(text("9", "later"))
    assert len(sender.calls) == calls and lane.stats.refused > 0
    assert not any(lane.backlog(p) for p in Priority)
    await lane.stop()
