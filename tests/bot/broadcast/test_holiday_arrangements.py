"""The State Council's arrangements (bot/data/holiday_arrangements.toml) decide a year they name, and agree
with the holidays package wherever the package knows the year's make-up working days too."""

from __future__ import annotations

import datetime as dt

import holidays
import pytest

from bot.broadcast.holiday_dates import CalendarError, arrangements, parse_arrangements, working_day


def test_every_year_names_its_source_and_2026_has_its_make_up_days() -> None:
    years = arrangements()
    assert all(a.source for a in years.values())
    assert {dt.date(2026, 1, 4), dt.date(2026, 2, 14), dt.date(2026, 2, 28)} <= years[2026].workdays
    assert dt.date(2026, 2, 23) in years[2026].days_off  # the Spring Festival break's last (a Monday)


@pytest.mark.parametrize("year", sorted(arrangements()))
def test_the_file_agrees_with_the_package_where_it_knows_the_year(year: int) -> None:
    table = holidays.country_holidays("CN", years=year)
    if not any(day.year == year for day in table.weekend_workdays):
        pytest.skip(f"the holidays package carries no make-up days for {year}: the file alone decides")
    day, differ = dt.date(year, 1, 1), []
    while day.year == year:
        if working_day(day) != table.is_working_day(day):
            differ.append(day)
        day += dt.timedelta(days=1)
    assert differ == []


def test_a_bad_entry_is_named() -> None:
    with pytest.raises(CalendarError, match=r"\[year.2027\]"):
        parse_arrangements(
            '[year.2027]\nsource = "x"\nbreaks = [["2027-02-06", "2027-02-12"]]\nworkdays = ["2026-02-14"]\n'
        )
    with pytest.raises(CalendarError, match=r"\[year.2027\]"):
        parse_arrangements("[year.2027]\nbreaks = []\nworkdays = []\n")
    parsed = parse_arrangements(
        '[year.2027]\nsource = "notice"\nbreaks = [["2027-02-06", "2027-02-12"]]\nworkdays = []\n'
    )
    assert len(parsed[2027].days_off) == 7
