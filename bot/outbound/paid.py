"""Safety cards sent as paid broadcasts (``[outbound] paid_safety_cards``): each lane counts them as they go
(``Lane.on_paid``); this service adds the count to the day's row every few seconds and at stop, so /sla
shows them after a restart too. Nothing is written while nothing is paid for."""

from __future__ import annotations

import logging

from bot.clock import Clock
from bot.outbound.channels import Lanes
from bot.scheduler import Scheduler
from storage.db import Database
from storage.paid_sends import PaidSendsRepo

logger = logging.getLogger(__name__)

RECORD_EVERY_S = 5.0


class PaidSends:
    def __init__(self, db: Database, clock: Clock, scheduler: Scheduler, lanes: Lanes) -> None:
        self._db, self._clock, self._scheduler = db, clock, scheduler
        self.pending = 0
        for name in lanes:
            lanes[name].on_paid = self.count

    def count(self) -> None:
        self.pending += 1

    async def start(self) -> None:
        self._scheduler.every("paid_sends:record", RECORD_EVERY_S, self._record_job)

    async def stop(self) -> None:
        self._scheduler.cancel("paid_sends:record")
        await self.record()

    async def _record_job(self) -> None:
        await self.record()

    async def record(self) -> int:
        """Add the paid sends counted since the last time to the day's row; returns how many."""
        count, now = self.pending, self._clock.now()
        if not count:
            return 0
        self.pending = 0
        await self._db.run(lambda tx: PaidSendsRepo(tx).add(now, count))
        logger.info("%d safety cards sent as paid broadcasts (the free rate was exhausted)", count)
        return count
