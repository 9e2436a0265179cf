"""The outbox worker's test rig: a recording sender, a real lane and a real SQLite file, and a factory of rigs
over one database (tests/bot/outbound). Tests whose only bounds on time are lower ones ("waits at least") run on
a loop, and the worker on a clock, ``SPEED`` times faster than the wall clock (``quickly``; tests/kit/quick_loop.py,
tests/kit/quick_clock.py): the same backoffs, pauses and polls in a quarter of the time. Tests that bound a time
from above stay on the wall clock, where such a bound is not ``SPEED`` times tighter, and so do tests that race
the lane's pace against the database's thread, which a faster loop does not speed up."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.clock import Clock
from bot.config.settings import OutboundConfig
from bot.outbound.channels import Lanes
from bot.outbound.delivery import Unreachable
from bot.outbound.lane import Lane
from bot.outbound.outbox import OutboxWorker
from common.events import Edit, Outbound, Text
from handlers.channel import TelegramPacing
from storage.db import Database
from storage.outbox import OutboxRepo, OutboxRow
from tests.kit.quick_clock import QuickClock
from tests.kit.quick_loop import as_test, quick

FAST = OutboundConfig(
    global_rate_per_s=2000,
    private_burst=100,
    private_rate_per_s=2000,
    group_rate_per_min=100_000,
    max_attempts=5,
)


class Sender:
    """Records every send; ``script[text]`` lists errors to raise first; ``always[text]`` always raises."""

    def __init__(self, latency_s: float = 0.0) -> None:
        self.latency_s = latency_s
        self.calls: list[tuple[float, Outbound]] = []
        self.script: dict[str, list[Exception]] = {}
        self.always: dict[str, Exception] = {}
        self.event = asyncio.Event()

    async def send(self, message: Outbound) -> str | None:
        assert isinstance(message, Text | Edit)
        self.calls.append((asyncio.get_running_loop().time(), message))
        self.event.set()
        if self.latency_s:
            await asyncio.sleep(self.latency_s)
        if message.text in self.always:
            raise self.always[message.text]
        errors = self.script.get(message.text)
        if errors:
            raise errors.pop(0)
        return f"m-{message.text}"

    def texts(self) -> list[str]:
        return [m.text for _, m in self.calls if isinstance(m, Text | Edit)]


@dataclass
class Rig:
    db: Database
    sender: Sender
    lane: Lane
    worker: OutboxWorker
    blocked: list[OutboxRow]
    sent: list[tuple[int, str | None]]
    clock: Clock

    async def add(self, *messages: Outbound, wake: bool = True) -> list[int]:
        async with self.db._transaction() as conn:
            repo = OutboxRepo(conn)
            ids = [await repo.add(message, now=self.clock.now(), channel="telegram") for message in messages]
        if wake:
            self.worker.wake()
        return ids

    async def row(self, row_id: int) -> OutboxRow:
        async with self.db.lock:
            row = await OutboxRepo(self.db.conn).get(row_id)
        assert row is not None
        return row

    async def settled(self, *row_ids: int, timeout_s: float = 5.0) -> list[OutboxRow]:
        deadline = time.monotonic() + timeout_s
        while True:
            rows = [await self.row(row_id) for row_id in row_ids]
            if all(row.status != "pending" for row in rows):
                return rows
            assert time.monotonic() < deadline, [(row.id, row.status, row.last_error) for row in rows]
            await asyncio.sleep(0.01)


Factory = Callable[..., Awaitable[Rig]]


async def until(condition: Callable[[], bool], timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline
        await asyncio.sleep(0.005)


@asynccontextmanager
async def open_rigs(tmp_path: Path, clock: Clock) -> AsyncIterator[Factory]:
    """A factory of rigs over one database, their workers on ``clock``; every rig stopped at the end."""
    rigs: list[Rig] = []
    databases: list[Database] = []

    async def factory(
        sender: Sender | None = None,
        config: OutboundConfig = FAST,
        lane_kw: dict[str, Any] | None = None,
        **worker_kw: Any,
    ) -> Rig:
        if not databases:
            databases.append(await Database.open(tmp_path / "x.sqlite3"))
        sender = sender or Sender()
        lane = Lane(sender, config, pacing=TelegramPacing(config), **(lane_kw or {}))
        blocked: list[OutboxRow] = []

        sent: list[tuple[int, str | None]] = []

        async def on_unreachable(row: OutboxRow, exc: Unreachable) -> None:
            blocked.append(row)

        def on_sent(row: OutboxRow, message_id: str | None) -> None:
            sent.append((row.id, message_id))

        worker_kw.setdefault("backoff_base_s", 0.02)
        worker_kw.setdefault("poll_interval_s", 0.05)
        worker = OutboxWorker(
            databases[0],
            Lanes({"telegram": lane}),
            clock,
            config,
            on_unreachable=on_unreachable,
            on_sent=on_sent,
            **worker_kw,
        )
        await lane.start()
        await worker.start()
        rig = Rig(databases[0], sender, lane, worker, blocked, sent, clock)
        rigs.append(rig)
        return rig

    yield factory
    for rig in rigs:
        await rig.worker.stop()
        await rig.lane.stop(drain_s=0)
    for database in databases:
        await database.close()


SPEED = 4  # the quick tests' loop and clocks: seconds of theirs per real second


def quickly(test: Callable[[Factory], Awaitable[None]]) -> Callable[..., None]:
    """``test(make)`` as a pytest test on a quick loop, its workers on a quick clock (both ``SPEED``)."""

    @quick(SPEED)
    async def run(tmp_path: Path) -> None:
        async with open_rigs(tmp_path, QuickClock(SPEED)) as make:
            await test(make)

    return as_test(run, test)
