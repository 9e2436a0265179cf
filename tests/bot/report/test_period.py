"""A report's period: month and year boundaries at local midnight in the utility's zone; the chart buckets."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.report.period import PeriodError, month_period, year_period

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_a_month_in_shanghai_starts_at_local_midnight() -> None:
    november = month_period("2026-11", SHANGHAI)
    assert november.start_utc == datetime(2026, 10, 31, 16, 0, tzinfo=UTC)
    assert november.end_utc == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
    assert month_period("2026-12", SHANGHAI).end_utc == datetime(2026, 12, 31, 16, 0, tzinfo=UTC)
    assert year_period("2026", SHANGHAI).start_utc == datetime(2025, 12, 31, 16, 0, tzinfo=UTC)


def test_a_month_across_a_daylight_saving_change() -> None:
    """New York leaves summer time on 1 November 2026: the month starts at EDT midnight, ends at EST midnight."""
    november = month_period("2026-11", ZoneInfo("America/New_York"))
    assert november.start_utc == datetime(2026, 11, 1, 4, 0, tzinfo=UTC)
    assert november.end_utc == datetime(2026, 12, 1, 5, 0, tzinfo=UTC)


def test_weeks_from_monday_cut_at_the_month() -> None:
    weeks = month_period("2026-02", SHANGHAI).buckets()  # 1 February 2026 is a Sunday
    assert weeks[0] == (date(2026, 2, 1), date(2026, 2, 2))
    assert weeks[1] == (date(2026, 2, 2), date(2026, 2, 9))
    assert weeks[-1] == (date(2026, 2, 23), date(2026, 3, 1))
    assert len(year_period("2026", SHANGHAI).buckets()) == 12


@pytest.mark.parametrize("text", ["2026-00", "2026-13", "2026/11", "11-2026", "", "1999-01"])
def test_a_bad_month_says_what_is_expected(text: str) -> None:
    with pytest.raises(PeriodError, match="give it as YYYY-MM, e.g. 2026-11"):
        month_period(text, SHANGHAI)


@pytest.mark.parametrize("text", ["26", "2026-11", "year"])
def test_a_bad_year_says_what_is_expected(text: str) -> None:
    with pytest.raises(PeriodError, match="give it as YYYY, e.g. 2026"):
        year_period(text, SHANGHAI)
