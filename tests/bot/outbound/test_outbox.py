"""The outbox worker delivering rows: each sent once, faults backed off, 429s waited out, refusals final, a
refused token halting it (the rig: tests/kit/outbox_rig.py; the order and pace of rows: test_outbox_order.py)."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from bot.clock import SystemClock
from bot.config.settings import OutboundConfig
from bot.outbound.delivery import Blocked, ChannelRefused, NotStarted, Rejected, RetryLater, Transient
from common.events import Priority, Text
from storage.db import to_db
from tests.kit.outbox_rig import FAST, SPEED, Factory, Sender, quickly


@quickly
async def test_rows_added_in_a_transaction_are_sent_once(make: Factory) -> None:
    rig = await make(poll_interval_s=0.02)
    ids = await rig.add(*[Text(chat=str(i % 7), text=f"t{i}") for i in range(40)])
    rows = await rig.settled(*ids)
    # a few more polls (one each 20 ms): nothing is sent again (in real time: each poll reads the database)
    await asyncio.sleep(0.1 * SPEED)
    assert sorted(rig.sender.texts()) == sorted(f"t{i}" for i in range(40))
    assert all(row.status == "sent" and row.attempts == 1 for row in rows)
    assert [row.message_id for row in rows] == [f"m-t{i}" for i in range(40)]
    assert sorted(rig.sent) == [(row.id, row.message_id) for row in rows]


@quickly
async def test_transient_faults_back_off_then_send(make: Factory) -> None:
    sender = Sender()
    sender.script["flaky"] = [Transient("timeout"), Transient("reset"), Transient("502")]
    rig = await make(sender)
    (row_id,) = await rig.add(Text(chat="1", text="flaky"))
    (row,) = await rig.settled(row_id)
    assert (row.status, row.attempts, row.message_id) == ("sent", 4, "m-flaky")
    times = [t for t, _ in sender.calls]
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert gaps[0] >= 0.015 and gaps[1] >= 0.03 and gaps[2] >= 0.06  # 20, 40, 80 ms, +-20 %
    assert rig.sent == [(row_id, "m-flaky")]


@quickly
async def test_flood_control_waits_at_least_retry_after(make: Factory) -> None:
    sender = Sender()
    sender.script["busy"] = [RetryLater(0.1)]  # five times the first backoff (20 ms +-20 %)
    rig = await make(sender, lane_kw={"max_pauses": 0})  # the lane hands 429s straight back
    (row_id,) = await rig.add(Text(chat="1", text="busy"))
    (row,) = await rig.settled(row_id)
    assert (row.status, row.attempts) == ("sent", 2)
    assert sender.calls[1][0] - sender.calls[0][0] >= 0.095


@quickly
async def test_blocked_and_rejected_fail_at_once(make: Factory) -> None:
    sender = Sender()
    sender.always["blocked"] = Blocked("403: bot was blocked by the user")
    sender.always["bad"] = Rejected("400: chat not found")
    rig = await make(sender)
    blocked, bad = await rig.add(Text(chat="1", text="blocked"), Text(chat="2", text="bad"))
    rows = await rig.settled(blocked, bad)
    assert [(row.status, row.attempts) for row in rows] == [("failed", 1), ("failed", 1)]
    assert rows[0].last_error is not None and rows[0].last_error.startswith("Blocked")
    assert [row.id for row in rig.blocked] == [blocked]
    assert len(sender.calls) == 2


@quickly
async def test_max_attempts_ends_in_failed(make: Factory) -> None:
    sender = Sender()
    sender.always["down"] = Transient("503")
    rig = await make(sender, OutboundConfig(**{**FAST.model_dump(), "max_attempts": 3}))
    (row_id,) = await rig.add(Text(chat="1", text="down"))
    (row,) = await rig.settled(row_id)
    assert (row.status, row.attempts) == ("failed", 3)
    assert len(sender.calls) == 3 and rig.blocked == []


async def test_an_unreadable_row_is_dropped_and_the_rest_flows(make: Factory) -> None:
    rig = await make()
    now = to_db(SystemClock().now())
    async with rig.db._transaction() as conn:
        cursor = await conn.execute(
            "INSERT INTO outbox (channel, chat, priority, payload, next_attempt_at, created_at) "
            "VALUES ('telegram', '1', 0, 'not json', ?, ?) RETURNING id",
            (now, now),
        )
        bad = (await cursor.fetchone())[0]
    (good,) = await rig.add(Text(chat="1", text="fine"))
    (row,) = await rig.settled(good)
    assert row.status == "sent"
    deadline = time.monotonic() + 2
    while True:
        found = await rig.db.fetchone("SELECT status, last_error FROM outbox WHERE id = ?", (bad,))
        assert found is not None
        if found["status"] != "pending":
            break
        assert time.monotonic() < deadline
        await asyncio.sleep(0.01)
    assert (found["status"], found["last_error"]) == ("dropped", "payload cannot be read")


@quickly
async def test_a_refused_token_leaves_every_row_pending_and_stops_taking_rows(make: Factory) -> None:
    sender = Sender()
    for i in range(3):
        sender.always[f"card{i}"] = ChannelRefused("Unauthorized", method="sendMessage")
    rig = await make(sender, poll_interval_s=0.02)
    ids = await rig.add(*[Text(chat=str(i), text=f"card{i}", priority=Priority.DISPATCH) for i in range(3)])
    deadline = time.monotonic() + 5
    while not rig.worker.halted:
        assert time.monotonic() < deadline
        await asyncio.sleep(0.01)
    more = await rig.add(Text(chat="9", text="receipt"))
    await asyncio.sleep(0.1 * SPEED)  # a few polls (one each 20 ms, in real time as above): nothing more is taken
    rows = [await rig.row(row_id) for row_id in ids + more]
    assert [(row.status, row.attempts, row.last_error) for row in rows] == [("pending", 0, None)] * 4
    assert "receipt" not in sender.texts() and rig.blocked == [] and rig.sent == []
    # the next start with a good token sends them all, once
    second = await make(Sender())
    await second.settled(*ids, *more)
    assert sorted(second.sender.texts()) == ["card0", "card1", "card2", "receipt"]


async def test_an_unreachable_recipient_fails_at_once_and_is_reported_with_the_reason(
    make: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    sender = Sender()
    card_text, long_text = "card: Flat 501, Building 3", "ticket 12: " + "x" * 5000
    sender.always[card_text] = NotStarted("Chat not found", method="sendMessage")
    sender.always[long_text] = Rejected("Message is too long", method="sendMessage")
    rig = await make(sender)
    with caplog.at_level(logging.WARNING, logger="bot.outbound.outbox"):
        card, long = await rig.add(Text(chat="1", text=card_text), Text(chat="2", text=long_text))
        rows = await rig.settled(card, long)
    assert [(row.status, row.attempts) for row in rows] == [("failed", 1), ("failed", 1)]
    assert [row.id for row in rig.blocked] == [card]
    lines = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(f"sendMessage, rejected (row {long}, -): Message is too long" in x for x in lines), lines
    assert any(f"sendMessage, chat not found (row {card}, -): Chat not found" in x for x in lines), lines
    assert not any("Flat 501" in x or "xxxx" in x for x in lines), "never the text"
