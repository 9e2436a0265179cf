"""Uncovered duty periods: found in the rota for the next 14 days, and sent to the admins every day.

The daily check is a row of ``rota_checks`` (timers are rows): at start-up the pending row is made if
there is none (due at once) and armed as a job; the job re-checks its row, so a doubled or late job acts
once. Each check queues one outbox message per admin and supervisor when there are gaps, marks its row
done and makes the next row (tomorrow at ``CHECK_AT`` local time), all in one transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta

from bot.config.settings import Settings
from bot.i18n import Lang, t
from bot.rota.checks import uncovered
from bot.rota.duty import load_rota
from bot.rota.model import Gap
from bot.scheduler import Scheduler
from common.events import Priority, Text
from storage.db import Conn, Database
from storage.outbox import OutboxRepo
from storage.people import CrewsRepo, PeopleRepo
from storage.rota import RotaChecksRepo
from storage.sync import SyncConnection

logger = logging.getLogger(__name__)

HORIZON = timedelta(days=14)
CHECK_AT = time(9, 0)  # local time of the daily check
WARN_ROLES = ("admin", "supervisor")
MAX_LINES = 20
JOB_ID = "rota-coverage"
PURPOSE = "rota_gaps"


async def crew_strength(tx: Conn, settings: Settings) -> dict[str, int]:
    """Per crew, how many can take a call-out: members (configured or linked by invite) and a group chat."""
    counts = {crew.name: len(crew.members) + bool(crew.group_chat_id) for crew in settings.crews}
    for name, count in await CrewsRepo(tx).callout_strength():
        counts[name] = max(counts.get(name, 0), count)
    return counts


async def gaps_ahead(tx: Conn, settings: Settings, now: datetime, horizon: timedelta = HORIZON) -> list[Gap]:
    """Periods in ``[now, now + horizon)`` with nobody (able) on duty, in the utility's zone.

    With no rota at all every crew is on call, so there is no gap.
    """
    start, end = now.astimezone(settings.utility.tz), now + horizon
    rota = await load_rota(tx, settings, start - timedelta(days=8), end)
    if rota.empty:
        return []
    strength = await crew_strength(tx, settings)
    return uncovered(rota.rotations, rota.overrides, start, end, members_by_crew=strength)


def gap_line(lang: Lang, gap: Gap, settings: Settings) -> str:
    tz = settings.utility.tz
    return t(
        lang,
        f"rota.gap_{gap.reason.value}",
        start=gap.start.astimezone(tz).strftime("%m-%d %H:%M"),
        end=gap.end.astimezone(tz).strftime("%m-%d %H:%M"),
        crew=gap.crew or "-",
        district=gap.district or "-",
    )


def warning_text(lang: Lang, gaps: list[Gap], settings: Settings) -> str:
    lines = [t(lang, "rota.gaps_title", days=HORIZON.days)]
    lines += [gap_line(lang, gap, settings) for gap in gaps[:MAX_LINES]]
    if len(gaps) > MAX_LINES:
        lines.append(t(lang, "rota.gaps_more", count=len(gaps) - MAX_LINES))
    lines.append(t(lang, "rota.gaps_hint"))
    return "\n".join(lines)


def next_check(settings: Settings, after: datetime) -> datetime:
    """The next ``CHECK_AT`` local time strictly after ``after``."""
    tz = settings.utility.tz
    local = after.astimezone(tz)
    due = datetime.combine(local.date(), CHECK_AT, tzinfo=tz)
    return due if due > local else datetime.combine(local.date() + timedelta(days=1), CHECK_AT, tzinfo=tz)


class CoverageWatch:
    """The daily warning of uncovered periods (a runtime service)."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        clock: Callable[[], datetime],
        scheduler: Scheduler,
        wake: Callable[[], None],
    ) -> None:
        self.settings, self.db, self.now, self.scheduler, self.wake = settings, db, clock, scheduler, wake

    async def start(self) -> None:
        now = self.now()

        async def next_check_row(tx: SyncConnection) -> tuple[int, datetime | None]:
            pending = await RotaChecksRepo(tx).next_pending()
            if pending is not None:
                return pending
            return await RotaChecksRepo(tx).add(now), now  # first start: check at once

        check_id, due = await self.db.run(next_check_row)
        assert due is not None
        self._arm(check_id, due)

    async def stop(self) -> None:
        self.scheduler.cancel(JOB_ID)

    def _arm(self, check_id: int, due: datetime) -> None:
        """Run the check at ``due`` by the product's clock (the scheduler counts wall time)."""
        delay = max(due - self.now(), timedelta(0))
        self.scheduler.at(JOB_ID, datetime.now(UTC) + delay, self.run, check_id)

    async def run(self, check_id: int) -> None:
        """The scheduler's job."""
        await self.check(check_id)

    async def check(self, check_id: int) -> int | None:
        """If check ``check_id`` is pending and due: warn, mark it done, make the next one; returns the number
        of gaps found (None if the row was not due or already done)."""
        now = self.now()

        async def check_now(tx: SyncConnection) -> tuple[datetime | None, list[Gap], int, int]:
            """(a due time in the future or None, the gaps, warnings queued, the next check's id: 0 if none)"""
            checks = RotaChecksRepo(tx)
            found = await checks.get(check_id)
            due = found[1] if found else None
            if found is None or found[0] != "pending" or due is None:
                return None, [], 0, 0
            if due > now:
                return due, [], 0, 0
            gaps = await gaps_ahead(tx, self.settings, now)
            queued = await self._warn(tx, gaps, now) if gaps else 0
            await checks.finish(check_id, len(gaps), now)
            return None, gaps, queued, await checks.add(next_due)

        next_due = next_check(self.settings, now)
        later, gaps, queued, next_id = await self.db.run(check_now)
        if later is not None:
            self._arm(check_id, later)
        if not next_id:
            return None
        logger.info("rota check %s: %d uncovered period(s), %d warning(s) queued", check_id, len(gaps), queued)
        if queued:
            self.wake()
        self._arm(next_id, next_due)
        return len(gaps)

    async def _warn(self, tx: Conn, gaps: list[Gap], now: datetime) -> int:
        people = await PeopleRepo(tx).with_role(*WARN_ROLES)
        if not people:
            logger.warning("%d uncovered period(s) ahead but no admin or supervisor to tell", len(gaps))
        outbox = OutboxRepo(tx)
        for person in people:
            message = Text(
                chat=person.external_id,
                text=warning_text(Lang(person.lang), gaps, self.settings),
                priority=Priority.NOTICE,
            )
            await outbox.add(message, now=now, purpose=PURPOSE, recipient_id=person.id, channel=person.channel)
        return len(people)
