"""A report's period: a calendar month or year in the utility's time zone, and its buckets for the charts
(weeks from Monday for a month, months for a year). Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from common.errors import ReportError

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR = re.compile(r"^(\d{4})$")


class PeriodError(ReportError):
    """A month or year that cannot be read; the message says what is expected."""


@dataclass(frozen=True)
class Period:
    year: int
    month: int | None  # None: the whole year
    tz: ZoneInfo

    @property
    def label(self) -> str:
        return f"{self.year}" if self.month is None else f"{self.year}-{self.month:02d}"

    @property
    def first_day(self) -> date:
        return date(self.year, self.month or 1, 1)

    @property
    def end_day(self) -> date:
        """The first day after the period."""
        if self.month is None or self.month == 12:
            return date(self.year + 1, 1, 1)
        return date(self.year, self.month + 1, 1)

    def _midnight(self, day: date) -> datetime:
        return datetime(day.year, day.month, day.day, tzinfo=self.tz).astimezone(UTC)

    @property
    def start_utc(self) -> datetime:
        return self._midnight(self.first_day)

    @property
    def end_utc(self) -> datetime:
        return self._midnight(self.end_day)

    def local_day(self, when: datetime) -> date:
        return when.astimezone(self.tz).date()

    def buckets(self) -> list[tuple[date, date]]:
        """(first day, first day after) of each week (from Monday, cut at the month's ends) or month."""
        out = []
        if self.month is None:
            for month in range(1, 13):
                end = date(self.year + 1, 1, 1) if month == 12 else date(self.year, month + 1, 1)
                out.append((date(self.year, month, 1), end))
            return out
        day = self.first_day
        while day < self.end_day:
            monday_after = day + timedelta(days=7 - day.weekday())
            end = min(monday_after, self.end_day)
            out.append((day, end))
            day = end
        return out

    def bucket_label(self, bucket: tuple[date, date]) -> str:
        first, after = bucket
        if self.month is None:
            return f"{first.month:02d}"
        last = after - timedelta(days=1)
        return f"{first.month:02d}-{first.day:02d}–{last.month:02d}-{last.day:02d}"


def month_period(text: str, tz: ZoneInfo) -> Period:
    match = _MONTH.match(text.strip())
    if match is None or not 1 <= int(match[2]) <= 12 or int(match[1]) < 2000:
        raise PeriodError(f"{text!r} is not a month: give it as YYYY-MM, e.g. 2026-11")
    return Period(int(match[1]), int(match[2]), tz)


def year_period(text: str, tz: ZoneInfo) -> Period:
    match = _YEAR.match(text.strip())
    if match is None or int(match[1]) < 2000:
        raise PeriodError(f"{text!r} is not a year: give it as YYYY, e.g. 2026")
    return Period(int(match[1]), None, tz)
