"""What an operator reads about notifications that did not go through at once: one line at the first failure
of each (ticket, Bot API method, the class of the failure, "will be retried"), nothing per retry, one line
with the outcome (delivered after N attempts, or given up), and "connection to Telegram restored" after an
outage; never the text, the phone number or the token.

The real outbox worker and lane with the real Telegram sender (PTB over HTTP) against the sandbox, whose
fault injection makes the failures; short backoffs so several retries fit in a second or two. Each test runs on
an event loop, and the worker on a clock, that run ``SPEED`` times faster than the wall clock
(tests/kit/quick_loop.py, tests/kit/quick_clock.py): a Retry-After of 1 s pauses the lane's chat and postpones
the row for a second of theirs, an eighth of a real one, and the code runs unchanged."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from telegram import Bot

from bot.cli.demo import DEMO_TOKEN
from bot.config.settings import OutboundConfig
from bot.outbound.channels import Lanes
from bot.outbound.lane import Lane
from bot.outbound.outbox import OutboxWorker
from common.events import Priority, Text
from handlers.channel import TelegramPacing
from handlers.sender import TelegramSender
from handlers.transport import AiohttpRequest
from sandbox import Sandbox
from storage.db import Database
from storage.outbox import OutboxRepo, OutboxRow
from storage.people import PeopleRepo
from storage.tickets import TicketsRepo
from tests.kit.quick_clock import QuickClock
from tests.kit.quick_loop import as_test, quick

SPEED = 8  # the loop's and the worker's clocks: seconds of theirs per real second

CONFIG = OutboundConfig(
    global_rate_per_s=1000, private_burst=100, private_rate_per_s=1000, group_rate_per_min=100_000, max_attempts=6
)
USERS = (7001, 7002, 7003)
PHONE = "13812345678"


def _secret_text(n: int) -> str:
    return f"Crew card {n}: resident Wu Fang, call {PHONE}, Flat 1402 Lotus Garden"


@dataclass
class Rig:
    sandbox: Sandbox
    db: Database
    worker: OutboxWorker
    clock: QuickClock

    async def queue(self, user: int, n: int) -> tuple[int, int]:
        """A dispatch card about a new ticket to ``user``: (ticket id, outbox row id)."""
        now = self.clock.now()
        async with self.db._transaction() as tx:
            person = await PeopleRepo(tx).ensure("telegram", str(user), name="R", lang="en", now=now)
            ticket = await TicketsRepo(tx).create(
                resident_id=person.id, channel="telegram", chat=str(user), lang="en", category="leak",
                severity="P1", status="dispatched", address=None, latitude=None, longitude=None, phone=PHONE,
                details={}, now=now,
            )  # fmt: skip
            row = await OutboxRepo(tx).add(
                Text(chat=str(user), text=_secret_text(n), priority=Priority.DISPATCH),
                now=now,
                ticket_id=ticket,
                purpose="dispatch",
                channel="telegram",
            )
        self.worker.wake()
        return ticket, row

    async def rows(self, *row_ids: int) -> list[OutboxRow]:
        async with self.db.lock:
            found = [await OutboxRepo(self.db.conn).get(row_id) for row_id in row_ids]
        assert all(found)
        return [row for row in found if row is not None]

    async def until(self, row_ids: tuple[int, ...], done: str, timeout_s: float = 20.0) -> list[OutboxRow]:
        """Wait (bounded, in real seconds) until every row satisfies ``done``: "settled" or "retried" (3+
        attempts)."""
        deadline = time.monotonic() + timeout_s
        while True:
            rows = await self.rows(*row_ids)
            if all(row.status != "pending" if done == "settled" else row.attempts >= 3 for row in rows):
                return rows
            assert time.monotonic() < deadline, [(r.id, r.status, r.attempts, r.last_error) for r in rows]
            await asyncio.sleep(0.02 * SPEED)  # 20 ms of real time


@asynccontextmanager
async def open_rig(tmp_path: Path, config: OutboundConfig) -> AsyncIterator[Rig]:
    async with Sandbox(DEMO_TOKEN) as sb:
        for user in USERS:
            sb.create_user(user, first_name="Crew", language_code="en")
        # the HTTP client's timeouts are not under test here: SPEED times its defaults, the same in real time
        request = AiohttpRequest(
            connection_pool_size=8,
            read_timeout=5.0 * SPEED,
            write_timeout=5.0 * SPEED,
            connect_timeout=5.0 * SPEED,
            pool_timeout=1.0 * SPEED,
        )
        bot = Bot(DEMO_TOKEN, base_url=f"{sb.url}/bot", request=request)
        db = await Database.open(tmp_path / "logs.sqlite3")
        async with bot:
            # a 429 goes back to the outbox at once, as it does in production after five pauses in the lane
            lane = Lane(TelegramSender(bot), config, pacing=TelegramPacing(config), max_pauses=0)
            clock = QuickClock(SPEED)
            worker = OutboxWorker(
                db,
                Lanes({"telegram": lane}),
                clock,
                config,
                backoff_base_s=0.05,
                backoff_cap_s=0.2,
                poll_interval_s=0.05,
            )
            await lane.start()
            await worker.start()
            try:
                yield Rig(sb, db, worker, clock)
            finally:
                await worker.stop()
                await lane.stop(drain_s=0)
                await db.close()


Test = Callable[[Rig, pytest.LogCaptureFixture], Awaitable[None]]


def on_rig(config: OutboundConfig = CONFIG) -> Callable[[Test], Callable[..., None]]:
    """``test(rig, caplog)`` as a pytest test on a quick loop (``SPEED``), with a rig on ``config`` started for it."""

    def wrap(test: Test) -> Callable[..., None]:
        @quick(SPEED)
        async def run(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
            async with open_rig(tmp_path, config) as rig:
                await test(rig, caplog)

        return as_test(run, test)

    return wrap


def _lines(caplog: pytest.LogCaptureFixture, start: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith(start)]


def _assert_nothing_private(caplog: pytest.LogCaptureFixture) -> None:
    for record in caplog.records:
        text = record.getMessage() + (str(record.exc_info) if record.exc_info else "")
        for secret in (PHONE, "Wu Fang", "Lotus Garden", "Crew card", DEMO_TOKEN, DEMO_TOKEN.split(":")[1]):
            assert secret not in text, (secret, text)


# The outage ends once every row has failed three times; with 20 attempts allowed (not 6) the rows are still
# pending then however late this test looks, on a loop where the backoffs pass SPEED times faster.
@on_rig(CONFIG.model_copy(update={"max_attempts": 20}))
async def test_an_outage_logs_each_notification_once_then_its_delivery_and_the_restored_connection(
    rig: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    rig.sandbox.set_faults(error_rate=1.0, methods=frozenset({"sendmessage"}))  # every send answers 502
    queued = [await rig.queue(user, n) for n, user in enumerate(USERS)]
    row_ids = tuple(row for _, row in queued)
    await rig.until(row_ids, "retried")  # at least three failed attempts each
    rig.sandbox.set_faults()
    rows = await rig.until(row_ids, "settled")
    assert [row.status for row in rows] == ["sent"] * 3

    retried = _lines(caplog, "notification failed, will be retried:")
    delivered = _lines(caplog, "notification delivered after")
    assert len(retried) == 3 and len(delivered) == 3, caplog.text
    for (ticket, row_id), row in zip(queued, rows, strict=True):
        mine = [line for line in retried if f"ticket #{ticket}, sendMessage, network (row {row_id}, dispatch;" in line]
        assert len(mine) == 1, retried
        assert f"delivered after {row.attempts} attempt(s): ticket #{ticket}, sendMessage (row {row_id}" in "".join(
            delivered
        )
    assert len(_lines(caplog, "connection to Telegram restored (sends after")) == 1
    assert not _lines(caplog, "notification given up")
    _assert_nothing_private(caplog)


@on_rig()
async def test_flood_control_is_logged_once_with_its_wait(rig: Rig, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    rig.sandbox.burst_429(2, retry_after_s=1)
    ticket, row_id = await rig.queue(USERS[0], 1)
    (row,) = await rig.until((row_id,), "settled")
    assert (row.status, row.attempts) == ("sent", 3)  # two 429s, then sent
    retried = _lines(caplog, "notification failed, will be retried:")
    assert len(retried) == 1 and f"ticket #{ticket}, sendMessage, 429 retry after 1 s" in retried[0], retried
    assert len(_lines(caplog, "notification delivered after 3 attempt(s)")) == 1
    assert not _lines(caplog, "connection to Telegram restored")  # Telegram answered all along
    _assert_nothing_private(caplog)


@on_rig()
async def test_a_blocked_recipient_is_one_given_up_line(rig: Rig, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    await rig.sandbox.block(USERS[1])
    ticket, row_id = await rig.queue(USERS[1], 2)
    (row,) = await rig.until((row_id,), "settled")
    assert row.status == "failed"
    given_up = _lines(caplog, "notification given up after 1 attempt(s):")
    assert len(given_up) == 1 and f"ticket #{ticket}, sendMessage, 403 blocked (row {row_id}" in given_up[0]
    assert not _lines(caplog, "notification failed, will be retried")
    _assert_nothing_private(caplog)


@on_rig()
async def test_retries_that_run_out_are_one_failure_line_and_one_given_up_line(
    rig: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    rig.sandbox.set_faults(error_rate=1.0, methods=frozenset({"sendmessage"}))
    ticket, row_id = await rig.queue(USERS[2], 3)
    (row,) = await rig.until((row_id,), "settled")
    assert (row.status, row.attempts) == ("failed", CONFIG.max_attempts)
    assert len(_lines(caplog, "notification failed, will be retried:")) == 1
    given_up = _lines(caplog, "notification given up after")
    assert len(given_up) == 1
    assert given_up[0].startswith(f"notification given up after {CONFIG.max_attempts} attempt(s): ticket #{ticket}")
    assert "sendMessage, network" in given_up[0]
    _assert_nothing_private(caplog)
