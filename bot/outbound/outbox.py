"""The outbox worker: takes due rows from the durable outbox, sends them through the lane, records the
outcome.

Delivery is **at least once**. A row is marked sent in its own short transaction after the channel
accepted it; if the process dies (or ``stop`` has to cancel a send that is under way) between the
channel's acceptance and that commit, the row is still pending and is sent once more after the restart.
That window is one network round trip plus one small commit per row; nothing else resends a row. Rows
are claimed in memory (one process owns the database), so a running worker never has the same row in
flight twice, and ``stop`` withdraws rows the lane has not started, leaving them pending and untouched.

Outcomes: sent -> ``mark_sent`` (and ``on_sent``); ``Transient``/``RetryLater`` (and unexpected sender
errors) -> ``mark_retry`` with exponential backoff and jitter until ``max_attempts``, then ``mark_failed``;
``Unreachable`` (blocked, never opened the bot) -> ``mark_failed`` and ``on_unreachable``; ``Rejected`` ->
``mark_failed``. A failing row is logged once at its first failure and once with its outcome
(``bot.outbound.log``: ticket, the channel's call and the class of the failure, never the text).
``ChannelRefused`` (our token or address refused) is not the row's fault: the row stays pending as it was
(no attempt counted) and the worker takes no more rows; the process is stopped and restarted
(``bot.runtime``), and the next good start sends them.

An ``Edit`` with ``of_outbox=N`` and no ``message_id`` takes row N's message id when it is sent: while N
is in flight here the edit waits in memory (the worker wakes when N is done); while N is pending it is
postponed (no attempt counted); if N failed, was dropped or was sent without a message id, the edit is
dropped. Rows of one chat keep their order unless an earlier one is waiting for a retry.

At most ``PER_CHAT_IN_FLIGHT`` rows of one chat are in flight: the lane sends a chat's messages one at a
time anyway (Telegram lets about one a second into a chat), so the cards queued for a crew chat in a surge
would otherwise take every place here, and residents' receipts in other chats would wait for them.

Each row leaves through the lane of its own channel (``row.channel``: its recipient's, see
``storage.outbox``); a row for a channel this process does not run waits, pending, without an attempt
counted.

Known limit: ``due`` sorts every row due now by priority (about 30 ms with 100,000 due rows), so a
broadcast is better fed to the lane in batches (``Lane.backlog``) than queued here whole.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import random
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.config.settings import OutboundConfig
from bot.outbound.channels import Lanes
from bot.outbound.delivery import ChannelRefused, DeliveryError, Rejected, RetryLater, Unreachable
from bot.outbound.log import OutageWatch, delivered, first_failure, given_up, method
from common.errors import StorageError
from common.events import Edit, Outbound, Priority
from storage.db import Conn, Database
from storage.outbox import OutboxRepo, OutboxRow, Status
from storage.sync import SyncConnection

logger = logging.getLogger(__name__)

PER_CHAT_IN_FLIGHT = 4
CHANNEL_AWAY_S = 300  # a row for a channel this process does not run is looked at again after this long

OnUnreachable = Callable[[OutboxRow, Unreachable], Awaitable[None] | None]
OnSent = Callable[[OutboxRow, str | None], Awaitable[None] | None]

_Plan = tuple[list[tuple[OutboxRow, Outbound]], list[tuple[int, str, datetime]], list[tuple[int, str]]]


class OutboxWorker:
    def __init__(
        self,
        db: Database,
        lanes: Lanes,
        clock: Clock,
        config: OutboundConfig,
        *,
        on_unreachable: OnUnreachable | None = None,
        on_sent: OnSent | None = None,
        poll_interval_s: float = 1.0,
        backoff_base_s: float = 2.0,
        backoff_cap_s: float = 300.0,
        max_in_flight: int = 256,
        batch: int = 200,
        edit_wait_s: float = 0.2,
        stop_timeout_s: float = 5.0,
        rng: random.Random | None = None,
    ) -> None:
        self._db = db
        self._lanes = lanes
        self._clock = clock
        self._config = config
        self._on_unreachable = on_unreachable
        self._on_sent = on_sent
        self._poll_interval_s = poll_interval_s
        self._backoff_base_s = backoff_base_s
        self._backoff_cap_s = backoff_cap_s
        self._soft_cap = max_in_flight  # conversation, notices, broadcasts
        self._hard_cap = 2 * max_in_flight  # emergencies and dispatch always find room
        self._batch = batch
        self._edit_wait = timedelta(seconds=edit_wait_s)
        self._stop_timeout_s = stop_timeout_s
        self._rng = rng or random.Random()
        self._inflight: dict[int, tuple[asyncio.Task[None], asyncio.Future[str | None]]] = {}
        self._wake_on_done: set[int] = set()
        self._per_chat: Counter[str] = Counter()  # chat -> its rows in flight
        self._held: set[str] = set()  # chats with due rows left pending because they had enough in flight
        self._saturated = False
        self._recheck_at: datetime | None = None
        self._woken = asyncio.Event()
        self._runner: asyncio.Task[None] | None = None
        self._failed_call: dict[int, str] = {}  # row -> the channel's call that failed (for "delivered after")
        self._outage = OutageWatch()
        self.halted = False  # the channel refused our credentials: nothing more is taken

    async def start(self) -> None:
        if self._runner is None:
            self._runner = asyncio.get_running_loop().create_task(self._run(), name="outbox-worker")
            self.wake()

    async def stop(self) -> None:
        """Stop taking rows; withdraw rows the lane has not started (they stay pending); wait up to
        ``stop_timeout_s`` for sends under way to be recorded, then cancel them (see the module note)."""
        if self._runner is not None:
            self._runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._runner
            self._runner = None
        for _, future in list(self._inflight.values()):
            self._lanes.withdraw(future)
        tasks = [task for task, _ in self._inflight.values()]
        if not tasks:
            return
        _, pending = await asyncio.wait(tasks, timeout=self._stop_timeout_s)
        for task in pending:
            task.cancel()
        if pending:
            logger.warning("outbox: %d sends cancelled at stop; they may be sent again", len(pending))
            await asyncio.gather(*pending, return_exceptions=True)

    def wake(self) -> None:
        """Look for due rows now (call after committing a transaction that added rows)."""
        self._woken.set()

    @property
    def running(self) -> bool:
        """Its task runs (started, not stopped, not crashed)."""
        return self._runner is not None and not self._runner.done()

    @property
    def in_flight(self) -> int:
        return len(self._inflight)

    async def _run(self) -> None:
        while True:
            self._woken.clear()
            try:
                await self._poll()
            except StorageError:
                logger.exception("outbox: poll failed; trying again")
            except Exception:  # the worker must outlive any one bad poll, or nothing gets sent
                logger.exception("outbox: unexpected error in poll; trying again")
            timeout = self._poll_interval_s
            if self._recheck_at is not None:
                timeout = min(timeout, max(0.0, (self._recheck_at - self._clock.now()).total_seconds()))
                self._recheck_at = None
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._woken.wait(), timeout)

    async def _poll(self) -> None:
        if self.halted:
            return
        if len(self._inflight) >= self._hard_cap:
            self._saturated = True
            return
        now = self._clock.now()
        exclude = list(self._inflight)
        in_flight = dict(self._per_chat)

        async def read(
            conn: Conn,
        ) -> tuple[list[OutboxRow], dict[int, tuple[Status, str | None, datetime]], OutboxRepo]:
            repo = OutboxRepo(conn)
            rows = await repo.due(now, self._batch, exclude=exclude, per_chat=PER_CHAT_IN_FLIGHT, in_flight=in_flight)
            originals = {
                row.message.of_outbox
                for row in rows
                if isinstance(row.message, Edit) and row.message.message_id is None and row.message.of_outbox
            }
            return rows, await repo.states(originals), repo

        rows, states, repo = await self._db.run(read)
        self._held |= repo.held
        undecodable = repo.undecodable
        sends, postpones, drops = self._plan(rows, states, now)
        drops += [(row_id, "payload cannot be read") for row_id in undecodable]
        if postpones or drops:

            async def settle(conn: SyncConnection) -> None:
                repo = OutboxRepo(conn)
                for row_id, reason, when in postpones:
                    await repo.postpone(row_id, reason, when)
                for row_id, reason in drops:
                    await repo.mark_dropped(row_id, reason, now)

            await self._db.run(settle)
            for row_id, reason in drops:
                logger.info("outbox: row %s dropped: %s", row_id, reason)
        loop = asyncio.get_running_loop()
        for row, message in sends:
            future = self._lanes.submit(row.channel, message, retry_transient=False)
            task = loop.create_task(self._deliver(row, future), name=f"outbox-row-{row.id}")
            self._inflight[row.id] = (task, future)
            self._per_chat[row.chat] += 1

    def _plan(
        self, rows: list[OutboxRow], states: dict[int, tuple[Status, str | None, datetime]], now: datetime
    ) -> _Plan:
        sends: list[tuple[OutboxRow, Outbound]] = []
        postpones: list[tuple[int, str, datetime]] = []
        drops: list[tuple[int, str]] = []
        edits: list[tuple[OutboxRow, Edit, int]] = []
        self._saturated = False
        for row in rows:
            cap = self._hard_cap if row.priority <= Priority.DISPATCH else self._soft_cap
            if len(self._inflight) + len(sends) + len(edits) >= cap:
                self._saturated = True
                continue
            message = row.message
            if row.channel not in self._lanes:  # e.g. a channel switched off for now: the row waits for it
                when = now + timedelta(seconds=CHANNEL_AWAY_S)
                postpones.append((row.id, f"channel {row.channel!r} does not run in this process", when))
                continue
            if isinstance(message, Edit) and message.message_id is None:
                if message.of_outbox is None:
                    drops.append((row.id, "edit names no message"))
                else:
                    edits.append((row, message, message.of_outbox))
                continue
            sends.append((row, message))
        going = {row.id for row, _ in sends}
        for row, edit, original in edits:
            if original in self._inflight or original in going:
                self._wake_on_done.add(original)  # wait in memory; wake when it is done
                continue
            state = states.get(original)
            if state is None:
                drops.append((row.id, f"original outbox row {original} does not exist"))
                continue
            status, message_id, next_attempt_at = state
            if status == "pending":
                when = max(next_attempt_at, now) + self._edit_wait
                postpones.append((row.id, f"waiting for outbox row {original}", when))
                self._recheck_at = when if self._recheck_at is None else min(self._recheck_at, when)
            elif status == "sent" and message_id is not None:
                sends.append((row, edit.model_copy(update={"message_id": message_id})))
            else:
                drops.append((row.id, f"original outbox row {original} is {status} without a message"))
        for index, (row, message) in enumerate(sends):
            if message.priority != row.priority:
                sends[index] = (row, message.model_copy(update={"priority": row.priority}))
        return sends, postpones, drops

    async def _deliver(self, row: OutboxRow, future: asyncio.Future[str | None]) -> None:
        try:
            try:
                message_id = await future
            except asyncio.CancelledError:
                task = asyncio.current_task()
                if future.cancelled() and task is not None and not task.cancelling():
                    return  # withdrawn by stop() before the lane started it: the row stays pending
                raise
            except ChannelRefused:
                self._halt()  # not this row's fault: it stays pending, untouched, for the next start
                return
            except DeliveryError as exc:
                await self._record_failure(row, exc)
                return
            except Exception as exc:  # a sender bug: retried like a transient fault, so it ends
                logger.exception("outbox: row %s: unexpected send error", row.id)
                await self._record_failure(row, exc)
                return
            await self._record_sent(row, message_id)
        finally:
            self._inflight.pop(row.id, None)
            self._per_chat[row.chat] -= 1
            if self._per_chat[row.chat] <= 0:
                del self._per_chat[row.chat]
            if row.chat in self._held:
                self._held.discard(row.chat)
                self.wake()
            if row.id in self._wake_on_done:
                self._wake_on_done.discard(row.id)
                self.wake()
            elif self._saturated and len(self._inflight) <= self._soft_cap // 2:
                self._saturated = False
                self.wake()

    def _halt(self) -> None:
        if not self.halted:
            self.halted = True
            logger.error("outbox: the channel refused the bot's credentials; sending stopped, rows stay pending")

    async def _record_sent(self, row: OutboxRow, message_id: str | None) -> None:
        self._outage.sent(row)
        call = self._failed_call.pop(row.id, None) or method(row, None)
        try:
            now = self._clock.now()
            await self._db.run(lambda conn: OutboxRepo(conn).mark_sent(row.id, message_id, now))
        except StorageError:
            logger.exception("outbox: row %s was sent but not recorded; it will be sent again", row.id)
            return
        if row.attempts:
            delivered(row, call)
        if self._on_sent is not None:
            await _call(self._on_sent, row, message_id)

    async def _record_failure(self, row: OutboxRow, exc: Exception) -> None:
        now = self._clock.now()
        error = f"{type(exc).__name__}: {exc.reason if isinstance(exc, DeliveryError) else exc}"
        attempts = row.attempts + 1
        final = isinstance(exc, Unreachable | Rejected) or attempts >= self._config.max_attempts
        delay = self.backoff_s(attempts)
        if isinstance(exc, RetryLater):
            delay = max(delay, exc.after_s)

        async def record(conn: Conn) -> bool:
            if final:
                return await OutboxRepo(conn).mark_failed(row.id, error, now)
            return await OutboxRepo(conn).mark_retry(row.id, error, now + timedelta(seconds=delay))

        try:
            await self._db.run(record)
        except StorageError:
            logger.exception("outbox: row %s: could not record a failed attempt", row.id)
            return
        self._outage.failed(exc)
        if final:
            self._failed_call.pop(row.id, None)
            given_up(row, exc, attempts)
        else:
            self._failed_call[row.id] = method(row, exc)
            if attempts == 1:
                first_failure(row, exc, max_attempts=self._config.max_attempts, next_in_s=delay)
        if isinstance(exc, Unreachable) and self._on_unreachable is not None:
            await _call(self._on_unreachable, row, exc)

    def backoff_s(self, attempts: int) -> float:
        """Seconds before the next try after ``attempts`` failed ones: 2, 4, 8, ... with +-20 % jitter."""
        base = self._backoff_base_s * 2.0 ** min(attempts - 1, 32)
        return min(self._backoff_cap_s, base * self._rng.uniform(0.8, 1.2))


async def _call(callback: Callable[..., Awaitable[None] | None], *args: object) -> None:
    try:
        result = callback(*args)
        if inspect.isawaitable(result):
            await result
    except Exception:  # a product callback must not take the worker down
        logger.exception("outbox: callback failed")
