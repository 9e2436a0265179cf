"""The running product's parts, started and stopped together, whatever the channel."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Protocol

from bot.abandoned import AbandonedWatch
from bot.broadcast import Broadcaster
from bot.clock import Clock
from bot.config import Settings
from bot.core import Core
from bot.coverage import CoverageWatch
from bot.delivery import Sender
from bot.desk import alert_unreachable
from bot.dispatch import JobScope
from bot.escalation import EscalationService
from bot.lane import Lane
from bot.outbox import OutboxWorker
from bot.reminders import ReminderRunner
from bot.resident_unreachable import alert_resident_blocked
from bot.scheduler import Scheduler
from bot.staff import sync_staff
from storage.db import Database
from storage.outbox import OutboxRow
from storage.people import PeopleRepo

logger = logging.getLogger(__name__)


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
    lane: Lane
    outbox: OutboxWorker
    scheduler: Scheduler
    services: list[Service] = field(default_factory=list)

    @classmethod
    async def start(cls, settings: Settings, clock: Clock, sender: Sender, *, db: Database | None = None) -> Runtime:
        """Start every part on ``db`` (opened here from ``storage.path`` when None; closed by ``stop``)."""
        db = db or await Database.open(settings.storage.path)
        await sync_staff(db, settings, clock.now())
        # one send per connection of the transport: more would only queue for a connection there
        lane = Lane(sender, settings.outbound, concurrency=settings.telegram.connection_pool_size)
        await lane.start()

        async def on_blocked(row: OutboxRow) -> None:
            if row.recipient_id is None:
                return
            async with db.transaction() as tx:
                await PeopleRepo(tx).mark_unreachable(row.recipient_id, clock.now())
                scope = JobScope(tx, settings, clock.now())
                alerted = await alert_unreachable(scope, row) + await alert_resident_blocked(scope, row)
            logger.warning("outbox row %s: recipient %s blocked the bot", row.id, row.recipient_id)
            if alerted:
                outbox.wake()

        outbox = OutboxWorker(db, lane, clock, settings.outbound, on_blocked=on_blocked)
        core = Core(settings, db, clock, on_outbox=outbox.wake)
        await outbox.start()
        scheduler = Scheduler()
        await scheduler.start()
        runtime = cls(settings=settings, db=db, clock=clock, core=core, lane=lane, outbox=outbox, scheduler=scheduler)
        # Feature services are appended here, in start order (they stop in reverse).
        runtime.services.append(EscalationService(settings, db, clock, scheduler, outbox.wake))
        runtime.services.append(CoverageWatch(settings, db, clock.now, scheduler, outbox.wake))
        runtime.services.append(AbandonedWatch(settings, db, clock, scheduler, outbox.wake))
        broadcaster = Broadcaster(db, lane, clock, settings)
        runtime.services.append(broadcaster)
        runtime.services.append(ReminderRunner(db, clock, settings, scheduler=scheduler, on_broadcast=broadcaster.wake))
        for service in runtime.services:
            await service.start()
        return runtime

    async def stop(self) -> None:
        for service in reversed(self.services):
            await service.stop()
        await self.scheduler.stop()
        await self.outbox.stop()
        await self.lane.stop()
        await self.db.close()
