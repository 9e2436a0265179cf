"""What the figures need, gathered: the rows of the period from the database (read only, one pass), the
targets from the configuration, the districts' boxes and the working-day calendar."""

from __future__ import annotations

from functools import partial

from bot.broadcast.holiday_dates import working_day
from bot.config.broadcast import district_of
from bot.config.settings import Settings
from bot.dispatch.card import ack_timeout_s, arrival_target_min
from bot.report.figures import SEVERITIES, Inputs, Targets
from bot.report.period import Period
from common.errors import StorageError
from storage.engines import open_database, shared
from storage.report_rows import report_rows


def targets(settings: Settings) -> Targets:
    return Targets(
        accept_s={s: ack_timeout_s(settings, s) for s in SEVERITIES},
        arrive_min={s: arrival_target_min(settings, s) for s in SEVERITIES},
    )


async def gather(settings: Settings, period: Period) -> Inputs:
    path = settings.storage.path
    if not shared(settings.storage) and not path.is_file():
        raise StorageError(f"no database at {path}: check storage.path in the configuration")
    db = await open_database(settings.storage, migrate=False)
    try:
        rows = await report_rows(db, period.start_utc, period.end_utc)
    finally:
        await db.close()
    return Inputs(
        period=period,
        rows=rows,
        targets=targets(settings),
        district_of=partial(district_of, settings.districts),
        working_day=working_day,
    )
