"""The daily warning of uncovered duty periods: rows as timers, outbox messages to admins and supervisors."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.clock import FakeClock
from bot.config.settings import Settings, load_settings
from bot.i18n import t
from bot.people.staff import sync_staff
from bot.rota.coverage import JOB_ID, PURPOSE, CoverageWatch, gaps_ahead, next_check
from bot.rota.duty import save_overrides
from bot.rota.model import GapReason, Override, OverrideKind
from bot.scheduler import Job, Scheduler
from common.events import Text
from storage.db import Database, to_db
from tests.kit import template
from tests.kit.harness import Harness
from tests.kit.people import DISPATCHER
from tests.kit.settings import T0, settings_dict

SUPERVISOR, ADMIN = "2002", "2003"


class RecordingScheduler(Scheduler):
    """Records what would be armed instead of running it (the tests call the job themselves)."""

    def __init__(self) -> None:
        super().__init__()
        self.armed: dict[str, tuple[datetime, tuple[Any, ...]]] = {}

    def at(self, job_id: str, when: datetime, job: Job, *args: Any) -> None:
        self.armed[job_id] = (when, args)

    def cancel(self, job_id: str) -> None:
        self.armed.pop(job_id, None)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    staff = [
        {"user_id": DISPATCHER, "name": "Desk", "role": "dispatcher"},
        {"user_id": SUPERVISOR, "name": "Chief", "role": "supervisor", "lang": "en"},
        {"user_id": ADMIN, "name": "Admin", "role": "admin"},
    ]
    return load_settings(None, settings_dict(tmp_path / "hotline.sqlite3", staff=staff))


@pytest.fixture
async def watch(settings: Settings, db: Database, clock: FakeClock) -> CoverageWatch:
    await sync_staff(db, settings, clock.now())
    return CoverageWatch(settings, db, clock.now, RecordingScheduler(), lambda: None)


def local(settings: Settings, text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=settings.utility.tz)


async def leave_without_cover(db: Database, settings: Settings) -> None:
    """Crew A's day shift of 3 March (T0 is 1 March 10:00) has nobody."""
    start = local(settings, "2027-03-03 08:00")
    leave = Override(start=start, end=start + timedelta(hours=12), crew=None, kind=OverrideKind.LEAVE, replaces="A")
    async with db._transaction() as tx:
        await save_overrides(tx, [leave], fmt="csv", source="test", now=T0)


async def checks(db: Database) -> list[tuple[str, str, int | None]]:
    rows = await db.fetchall("SELECT due_at_utc, status, gaps FROM rota_checks ORDER BY id")
    return [(row[0], row[1], row[2]) for row in rows]


async def test_no_gaps_no_warning_and_the_next_check_is_tomorrow_morning(
    watch: CoverageWatch, settings: Settings, db: Database
) -> None:
    await watch.start()
    assert await checks(db) == [(to_db(T0), "pending", None)]  # the first check runs at once
    assert await watch.check(1) == 0
    tomorrow = local(settings, "2027-03-02 09:00")
    assert await checks(db) == [(to_db(T0), "done", 0), (to_db(tomorrow), "pending", None)]
    assert await db.scalar("SELECT COUNT(*) FROM outbox") == 0
    scheduler = watch.scheduler
    assert isinstance(scheduler, RecordingScheduler)
    assert scheduler.armed[JOB_ID][1] == (2,)


async def test_a_gap_in_the_next_14_days_reaches_admins_and_supervisors(
    watch: CoverageWatch, settings: Settings, db: Database, clock: FakeClock
) -> None:
    await leave_without_cover(db, settings)
    await watch.start()
    assert await watch.check(1) == 1
    h = Harness(settings, db, clock)
    rows = await h.outbox(PURPOSE)
    assert sorted(row.chat for row in rows) == [SUPERVISOR, ADMIN]  # not the dispatcher, not the crews
    by_chat = {row.chat: row.message for row in rows}
    english, chinese = by_chat[SUPERVISOR], by_chat[ADMIN]
    assert isinstance(english, Text) and isinstance(chinese, Text)
    line = t("en", "rota.gap_leave_unreplaced", start="03-03 08:00", end="03-03 20:00", crew="A", district="-")
    assert english.text.splitlines()[:2] == [t("en", "rota.gaps_title", days=14), line]
    assert chinese.text.startswith(t("zh", "rota.gaps_title", days=14))
    # a doubled or late job does not warn twice; the next row is not due before tomorrow 09:00
    assert await watch.check(1) is None
    assert await watch.check(2) is None
    assert len(await h.outbox(PURPOSE)) == 2
    clock.set(local(settings, "2027-03-02 09:00"))
    assert await watch.check(2) == 1
    assert len(await h.outbox(PURPOSE)) == 4  # daily, while the gap is there
    clock.set(local(settings, "2027-03-04 09:00"))
    assert await watch.check(3) == 0  # due on 3 March, run late (the bot was down): once; the gap is past
    assert await watch.check(3) is None
    assert await checks(db) == [
        (to_db(T0), "done", 1),
        (to_db(local(settings, "2027-03-02 09:00")), "done", 1),
        (to_db(local(settings, "2027-03-03 09:00")), "done", 0),
        (to_db(local(settings, "2027-03-05 09:00")), "pending", None),
    ]


async def test_the_pending_check_survives_a_restart(watch: CoverageWatch, settings: Settings, db: Database) -> None:
    await watch.start()
    await watch.check(1)
    again = CoverageWatch(settings, db, watch.now, RecordingScheduler(), lambda: None)
    await again.start()
    assert len(await checks(db)) == 2  # no new row: the pending one is armed again
    scheduler = again.scheduler
    assert isinstance(scheduler, RecordingScheduler)
    assert scheduler.armed[JOB_ID][1] == (2,)
    await again.stop()
    assert JOB_ID not in scheduler.armed


async def test_gap_reasons_include_crews_without_members(tmp_path: Path, clock: FakeClock, migrated: Path) -> None:
    crews = [{"name": "A", "members": [{"user_id": "1001", "name": "W"}]}, {"name": "B"}]
    data = settings_dict(tmp_path / "gaps.sqlite3", crews=crews)
    settings = load_settings(None, data)
    db = await template.fresh(migrated, settings.storage)
    try:
        await sync_staff(db, settings, clock.now())
        async with db._transaction() as tx:
            gaps = await gaps_ahead(tx, settings, T0, timedelta(days=1))
        assert [(g.reason, g.crew, g.start.hour, g.end.hour) for g in gaps] == [
            (GapReason.NO_MEMBERS, "B", 20, 8),
        ]
    finally:
        await db.close()


def test_next_check_is_the_next_9_oclock(settings: Settings) -> None:
    assert next_check(settings, local(settings, "2027-03-01 08:59")) == local(settings, "2027-03-01 09:00")
    assert next_check(settings, local(settings, "2027-03-01 09:00")) == local(settings, "2027-03-02 09:00")
