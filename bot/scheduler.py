"""APScheduler for the product's timed work. Jobs are only a cache of rows: every timer lives in the
database (timers, campaign runs, broadcasts), is rebuilt into a job at start-up, and every job
re-checks its row before it acts, so a lost or doubled job never acts twice.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

logger = logging.getLogger(__name__)

Job = Callable[..., Awaitable[None]]


class Scheduler:
    def __init__(self) -> None:
        self._scheduler = AsyncIOScheduler(job_defaults={"misfire_grace_time": None, "coalesce": True})

    async def start(self) -> None:
        self._scheduler.start()

    async def stop(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    def at(self, job_id: str, when: datetime, job: Job, *args: Any) -> None:
        """Run ``job(*args)`` at ``when`` (at once if that has passed); replaces a job with the same id."""
        self._scheduler.add_job(job, DateTrigger(run_date=when), args=args, id=job_id, replace_existing=True)

    def every(self, job_id: str, seconds: float, job: Job, *args: Any) -> None:
        self._scheduler.add_job(
            job, IntervalTrigger(seconds=seconds), args=args, id=job_id, replace_existing=True, max_instances=1
        )

    def cancel(self, job_id: str) -> None:
        if self._scheduler.get_job(job_id) is not None:
            self._scheduler.remove_job(job_id)

    def pending(self) -> list[str]:
        return [job.id for job in self._scheduler.get_jobs()]


class SweepWatch:
    """A background sweep over due rows: once at start-up (what fell due while the bot was down), then every
    ``every_s`` on the scheduler. A subclass names its ``JOB_ID`` and ``EVERY_S`` and says what ``run_due`` does
    (one transaction over the due rows; returns how many acted)."""

    JOB_ID = "sweep"
    EVERY_S = 60.0

    def __init__(
        self, settings: Any, db: Any, clock: Any, scheduler: Scheduler, wake: Any, *, every_s: float | None = None
    ) -> None:
        self.settings, self.db, self.clock, self.scheduler, self.wake = settings, db, clock, scheduler, wake
        self.every_s = self.EVERY_S if every_s is None else every_s

    async def start(self) -> None:
        await self.run_due()
        self.scheduler.every(self.JOB_ID, self.every_s, self._sweep)

    async def stop(self) -> None:
        self.scheduler.cancel(self.JOB_ID)

    async def _sweep(self) -> None:
        await self.run_due()

    async def run_due(self) -> int:
        raise NotImplementedError
