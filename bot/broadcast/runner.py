"""The campaign runner: turns the seasonal calendar into campaign runs (rows) and runs into broadcasts.

Timers are rows: each campaign has one ``pending`` row for its next firing. ``tick`` fires every due row
in the same transaction that adds its broadcast (so a crash fires it completely or not at all, and a row
fires at most once: its status is checked in that transaction), then plans each campaign's next firing
after its last one. A restart therefore neither repeats nor skips an occurrence; one that fell due while
the bot was down fires when it comes back, unless it is more than ``catch_up_h`` late (then ``missed``).
A pending row whose campaign was changed or disabled in the calendar is ``cancelled`` and planned afresh.
APScheduler only wakes ``tick`` (at the next firing, and every minute in case the clock jumped).
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.broadcast.audience import BadAudience, add_broadcast, quiet_hours
from bot.broadcast.calendar import Calendar, Campaign, load_calendar, next_occurrence
from bot.clock import Clock
from bot.config.settings import Settings
from bot.content import store as content_store
from bot.scheduler import Scheduler
from storage.broadcasts import BroadcastsRepo
from storage.campaigns import CampaignRunsRepo
from storage.db import Conn, Database, from_db, to_db
from storage.sync import SyncConnection

logger = logging.getLogger(__name__)

_NEXT_JOB, _TICK_JOB = "campaigns:next", "campaigns:tick"
Fired = tuple[str, int | None]  # a run's status and its broadcast (None unless fired)
_US = timedelta(microseconds=1)


@dataclass(frozen=True)
class Run:
    campaign_id: str
    scheduled_at_utc: datetime
    fire_at_utc: datetime
    local_date: date
    status: str
    broadcast_id: int | None


def _run(row: tuple[object, ...]) -> Run:
    scheduled, fire = from_db(str(row[1])), from_db(str(row[2]))
    assert scheduled is not None and fire is not None
    return Run(str(row[0]), scheduled, fire, date.fromisoformat(str(row[3])), str(row[4]), row[5])  # type: ignore[arg-type]


def calendar_for(settings: Settings) -> Calendar:
    """The shipped calendar with the configured override file, the safety officer's content override and
    the utility's regions applied."""
    content = content_store.read(settings.utility.content_override).campaign_changes()
    return load_calendar(
        overrides=settings.broadcast.calendar_override, regions=settings.utility.regions, content=content
    )


class ReminderRunner:
    """A Runtime service (``start``/``stop``); ``tick`` may also be called directly (tests, simulations)."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        settings: Settings,
        *,
        scheduler: Scheduler | None = None,
        calendar: Calendar | None = None,
        on_broadcast: Callable[[], None] | None = None,
        channel: str,
    ) -> None:
        self.db, self.clock, self.settings, self.scheduler = db, clock, settings, scheduler
        self.calendar = calendar if calendar is not None else calendar_for(settings)
        self.on_broadcast, self.channel = on_broadcast, channel
        self.tz, self.quiet = settings.utility.tz, quiet_hours(settings)
        self.catch_up = timedelta(hours=settings.broadcast.catch_up_h)
        self._lock = asyncio.Lock()

    async def start(self) -> None:
        await self.tick()
        if self.scheduler is not None:
            self.scheduler.every(_TICK_JOB, 60, self._wake)

    async def stop(self) -> None:
        if self.scheduler is not None:
            self.scheduler.cancel(_TICK_JOB)
            self.scheduler.cancel(_NEXT_JOB)

    async def _wake(self) -> None:
        await self.tick()

    async def runs(self, status: str | None = None) -> list[Run]:
        sql = "SELECT campaign_id, scheduled_at_utc, fire_at_utc, local_date, status, broadcast_id FROM campaign_runs"
        rows = await self.db.fetchall(
            sql + (" WHERE status = ?" if status else "") + " ORDER BY fire_at_utc", (status,) if status else ()
        )
        return [_run(tuple(row)) for row in rows]

    async def next_due(self) -> datetime | None:
        value = await self.db.scalar("SELECT MIN(fire_at_utc) FROM campaign_runs WHERE status = 'pending'")
        return from_db(value)

    async def tick(self) -> list[int]:
        """Fire every due run, plan the next ones, re-arm the wake-up; returns the broadcasts added."""
        async with self._lock:
            now = self.clock.now()
            added = await self._fire_due(now)
            await self._plan(now)
            when = await self.next_due()
        if self.scheduler is not None and when is not None:
            self.scheduler.at(_NEXT_JOB, when, self._wake)
        if added and self.on_broadcast is not None:
            self.on_broadcast()
        return added

    def _campaign(self, campaign_id: str) -> Campaign | None:
        return next((c for c in self.calendar.campaigns if c.id == campaign_id), None)

    async def _fire_due(self, now: datetime) -> list[int]:
        added: list[int] = []
        for run in await self.runs("pending"):
            if run.fire_at_utc > now:
                break
            campaign = self._campaign(run.campaign_id)
            status, broadcast_id = await self.db.run(functools.partial(self._fire, run, campaign, now))
            if broadcast_id is not None:
                added.append(broadcast_id)
                logger.info("campaign %s (%s) fired: broadcast %s", run.campaign_id, run.local_date, broadcast_id)
            else:
                logger.warning("campaign %s (%s): %s", run.campaign_id, run.local_date, status)
        return added

    async def _fire(self, run: Run, campaign: Campaign | None, now: datetime, tx: SyncConnection) -> Fired:
        """A body of ``Database.run``: broadcast one due run (or settle it as cancelled or missed)."""
        u = self.settings.utility
        key = (run.campaign_id, to_db(run.scheduled_at_utc))
        status: str
        broadcast_id: int | None = None
        if campaign is None or not self._current(campaign, run):
            status = "cancelled"
        elif now - run.fire_at_utc > self.catch_up:
            status = "missed"
        else:
            try:
                broadcast_id = await add_broadcast(
                    BroadcastsRepo(tx),
                    self.settings,
                    kind="tip",
                    audience=campaign.audience,
                    texts={lang: campaign.text(lang, u.hotline, u.facts(lang)) for lang in ("zh", "en")},
                    now=now,
                    urgent=campaign.urgent,
                    photo=campaign.photo,
                    campaign_id=campaign.id,
                    channel=self.channel,
                )
                status = "fired"
            except BadAudience as exc:
                logger.error("campaign %s: %s; not sent", run.campaign_id, exc)
                status = "cancelled"
        settled = await CampaignRunsRepo(tx).settle(
            run.campaign_id, run.scheduled_at_utc, status=status, broadcast_id=broadcast_id, now=now
        )
        if not settled:
            raise RuntimeError(f"campaign run {key} changed under the runner")
        return status, broadcast_id

    def _current(self, campaign: Campaign, run: Run) -> bool:
        """Is ``run`` still a firing of ``campaign`` as the calendar now says?"""
        found = next_occurrence(campaign, run.fire_at_utc - _US, self.tz, self.quiet)
        return found is not None and found.scheduled_at_utc == run.scheduled_at_utc

    async def _plan(self, now: datetime) -> None:
        """Make sure every enabled campaign has a pending row for its next firing."""
        runs = await self.runs()

        async def plan(tx: SyncConnection) -> None:
            for campaign in self.calendar.campaigns:
                mine = [r for r in runs if r.campaign_id == campaign.id]
                pending = [r for r in mine if r.status == "pending"]
                for run in pending:
                    if not self._current(campaign, run):
                        await _cancel(tx, run)
                        pending.remove(run)
                if pending or not campaign.enabled:
                    continue
                last = max((r.fire_at_utc for r in mine), default=None)
                after = now if last is None else max(last, now - self.catch_up)
                found = next_occurrence(campaign, after, self.tz, self.quiet)
                if found is None:
                    continue
                await CampaignRunsRepo(tx).plan(
                    campaign.id, found.scheduled_at_utc, found.fire_at_utc, found.local_date
                )
            for run in runs:
                if run.status == "pending" and self._campaign(run.campaign_id) is None:
                    await _cancel(tx, run)

        await self.db.run(plan)


async def _cancel(tx: Conn, run: Run) -> None:
    await CampaignRunsRepo(tx).cancel(run.campaign_id, run.scheduled_at_utc)
