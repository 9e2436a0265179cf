"""The running product's parts, started and stopped together, whatever the channel.

Failures of our own stop the process loudly; failures of one message are handled per message. When the
channel refuses the bot's credentials (``ChannelRefused``: a revoked or wrong token), ``refused`` stops
all sending (lane, outbox, broadcasts), keeps every row pending, logs at CRITICAL what to do, and marks
the health failing, and calls ``on_fatal`` (``bot.halt.Halt``): the bot stops and exits non-zero so
the supervisor restarts it. A recipient who cannot be reached (``Unreachable``) is marked and, for a
dispatch card, the desk is told at once (``bot.outbound.reach``, ``bot.dispatch.desk.alert_unreachable``).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from bot.broadcast.broadcaster import Broadcaster
from bot.broadcast.runner import ReminderRunner
from bot.casework.deadlines import DeadlineWatch
from bot.clock import Clock
from bot.config.settings import CONFIGURED_CHANNEL, Settings
from bot.core import Core
from bot.dispatch.desk import alert_unreachable
from bot.dispatch.escalation import EscalationService
from bot.dispatch.offer import JobScope
from bot.intake.abandoned import AbandonedWatch
from bot.ops.health import Health
from bot.outbound.channels import Channel, Lanes
from bot.outbound.delivery import Blocked, ChannelRefused, OutOfWindow, Unreachable
from bot.outbound.outbox import OutboxWorker
from bot.outbound.paid import PaidSends
from bot.outbound.reach import Reachability, log_unreachable_staff
from bot.outbound.resident_unreachable import alert_resident_blocked
from bot.people.staff import sync_staff
from bot.rota.coverage import CoverageWatch
from bot.scheduler import Scheduler
from common.errors import StorageError
from storage.db import Conn, Database
from storage.engines import open_database
from storage.outbox import OutboxRow
from storage.sync import SyncConnection

logger = logging.getLogger(__name__)


def reason_not_started(exc: Unreachable) -> str:
    return "out of the channel's window" if isinstance(exc, OutOfWindow) else "never opened the bot"


class Service(Protocol):
    """A background part of the product (scheduler, broadcaster, ...), started after the core."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


@dataclass
class Runtime:
    settings: Settings
    db: Database
    clock: Clock
    core: Core
    lanes: Lanes  # one per channel (``bot.outbound.channels``)
    outbox: OutboxWorker
    scheduler: Scheduler
    services: list[Service] = field(default_factory=list)
    health: Health = field(default_factory=Health)
    reach: Reachability = field(default_factory=Reachability)
    refused_advice: str = "set the bot's current token and restart"
    on_fatal: Callable[[str], None] | None = None  # the adapter's stop (``bot.halt.Halt``)
    ops: Service | None = None  # [ops] listen: the health/readiness/metrics endpoints (bot.ops.server), set by bot.app

    @classmethod
    async def start(
        cls,
        settings: Settings,
        clock: Clock,
        channels: Sequence[Channel],
        *,
        db: Database | None = None,
        refused_advice: str = "",
    ) -> Runtime:
        """Start every part on ``db`` (opened here from ``storage.path`` when None; closed by ``stop``), with
        one sender and one lane per channel (``channels``: what the adapters plug in)."""
        db = db or await open_database(settings.storage)
        await sync_staff(db, settings, clock.now())
        reach = Reachability()
        await reach.load(db)
        lanes = Lanes.of(channels, settings.outbound)
        await lanes.start()

        async def on_unreachable(row: OutboxRow, exc: Unreachable) -> None:
            if row.recipient_id is None:
                return
            recipient = row.recipient_id
            why = "blocked" if isinstance(exc, Blocked) else "not_started"

            now = clock.now()

            async def mark(tx: SyncConnection) -> int:
                await reach.mark(tx, recipient, now)
                scope = JobScope(tx, settings, now)
                closed = isinstance(exc, OutOfWindow)
                return await alert_unreachable(scope, row, why) + await alert_resident_blocked(
                    scope, row, out_of_window=closed
                )

            alerted = await db.run(mark)
            logger.warning(
                "outbox row %s (%s): recipient %s cannot be reached (%s); %d at the desk told",
                row.id,
                row.purpose,
                recipient,
                "blocked the bot" if why == "blocked" else reason_not_started(exc),
                alerted,
            )
            if alerted:
                outbox.wake()

        async def reached(person: int) -> None:
            await db.run(lambda tx: reach.clear(tx, person))
            reach.unreachable.discard(person)
            logger.info("person %s is reachable again", person)

        def on_sent(row: OutboxRow, message_id: str | None) -> Awaitable[None] | None:
            # called for every row sent: a coroutine only for the rare person marked unreachable
            person = row.recipient_id
            return reached(person) if person is not None and reach.is_marked(person) else None

        outbox = OutboxWorker(db, lanes, clock, settings.outbound, on_unreachable=on_unreachable, on_sent=on_sent)
        core = Core(settings, db, clock, on_outbox=outbox.wake, reach=reach)
        await outbox.start()
        scheduler = Scheduler()
        await scheduler.start()
        runtime = cls(
            settings=settings,
            db=db,
            clock=clock,
            core=core,
            lanes=lanes,
            outbox=outbox,
            scheduler=scheduler,
            reach=reach,
        )
        if refused_advice:
            runtime.refused_advice = refused_advice
        for lane in lanes.values():
            lane.on_refused = runtime.refused
        # Feature services are appended here, in start order (they stop in reverse).
        runtime.services.append(PaidSends(db, clock, scheduler, lanes))
        runtime.services.append(EscalationService(settings, db, clock, scheduler, outbox.wake))
        runtime.services.append(CoverageWatch(settings, db, clock.now, scheduler, outbox.wake))
        runtime.services.append(AbandonedWatch(settings, db, clock, scheduler, outbox.wake, waiting=lanes.waiting))
        runtime.services.append(DeadlineWatch(settings, db, clock, scheduler, outbox.wake))
        broadcaster = Broadcaster(db, lanes, clock, settings, channel=CONFIGURED_CHANNEL)
        runtime.services.append(broadcaster)
        runtime.services.append(
            ReminderRunner(
                db, clock, settings, scheduler=scheduler, on_broadcast=broadcaster.wake, channel=CONFIGURED_CHANNEL
            )
        )
        for service in runtime.services:
            await service.start()
        return runtime

    def refused(self, exc: ChannelRefused) -> None:
        """The channel refused our credentials: stop sending, keep every row pending, fail the health
        (the adapter stops the process, which exits non-zero). Idempotent; never raises."""
        self.outbox.halted = True
        self.lanes.refuse(exc)  # a refusal seen elsewhere (getUpdates): nothing more leaves either
        if not self.health.fail(f"the channel refused the bot's credentials ({exc.method or 'call'}: {exc.reason})"):
            return
        logger.critical(
            "the channel refused the bot's credentials (%s answered %r): the token was revoked or is wrong, "
            "or the API address is. Nothing more is sent and nothing is lost: every pending notification "
            "stays pending and goes out after the next good start. To do: %s. Stopping now.",
            exc.method or "a call",
            exc.reason,
            exc.advice or self.refused_advice,
        )
        if self.on_fatal is not None:
            self.on_fatal(self.health.reason)

    async def note_unreachable_staff(self, person_ids: list[int]) -> int:
        """Mark staff the channel says it cannot reach (found at start-up) and log every staff member the
        bot cannot reach yet; returns how many."""
        if person_ids:
            now = self.clock.now()

            async def mark(tx: Conn) -> None:
                for person_id in person_ids:
                    await self.reach.mark(tx, person_id, now)

            await self.db.run(mark)
        return await log_unreachable_staff(self.db, self.settings)

    async def alive(self) -> bool:
        """For the systemd watchdog (``bot.ops.sdnotify``): not failing, the lane and the outbox worker running,
        and the database's thread answering."""
        if self.health.state == "failing" or not (self.lanes.running and self.outbox.running):
            return False
        try:
            await self.db.scalar("SELECT 1")
        except StorageError:
            return False
        return True

    async def pending_notifications(self) -> int | None:
        """Outbox rows still pending (None if the database cannot say: it may be why the bot stops)."""
        try:
            return int(await self.db.scalar("SELECT COUNT(*) FROM outbox WHERE status = 'pending'"))
        except StorageError:
            return None

    async def stop(self) -> None:
        for service in reversed(self.services):
            await service.stop()
        await self.scheduler.stop()
        await self.outbox.stop()
        await self.lanes.stop()
        await self.db.close()
