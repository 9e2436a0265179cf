"""China's public holidays and their official breaks, from the ``holidays`` package. Pure functions.

``holiday_date`` is the first day that carries a holiday's name; ``holiday_break`` the whole official break
around it: the holiday's days and the adjacent days off (a weekend, an observed day, a substituted day off
from the State Council's arrangement), stopping at a working day (a weekend made a working day counts as
one). A tip meant for "before you leave" is anchored to the break's first day, not to the festival.
"""

from __future__ import annotations

import datetime as dt
from datetime import timedelta
from functools import cache
from typing import Any

import holidays


class CalendarError(ValueError):
    """An invalid calendar or an unknown holiday; the message names the file, the campaign id and the key."""


# Our names -> the names the `holidays` package gives China's holidays in language "en_US"
# (holidays/countries/china.py, translated by its locale/en_US/LC_MESSAGES/CN.po).
_HOLIDAY_LABELS = {
    "new_year": "New Year's Day",
    "spring_festival": "Chinese New Year (Spring Festival)",
    "qingming": "Tomb-Sweeping Day",
    "labour_day": "Labor Day",
    "dragon_boat": "Dragon Boat Festival",
    "mid_autumn": "Mid-Autumn Festival",
    "national_day": "National Day",
}
_DERIVED = {"lantern": ("spring_festival", 14)}  # 元宵节: 15th day of the first lunar month
HOLIDAYS = frozenset(_HOLIDAY_LABELS) | frozenset(_DERIVED)
_MAX_BREAK_DAYS = 12  # the longest official break is 9 days; bounds the walk


@cache
def _table(year: int) -> Any:
    return holidays.country_holidays("CN", years=(year - 1, year, year + 1), language="en_US", observed=True)


@cache
def holiday_date(name: str, year: int) -> dt.date:
    """The (first) day of a named Chinese holiday in ``year``, e.g. ``spring_festival`` -> 2027-02-06."""
    if name in _DERIVED:
        base, offset = _DERIVED[name]
        return holiday_date(base, year) + timedelta(days=offset)
    if name not in _HOLIDAY_LABELS:
        raise CalendarError(f"unknown holiday {name!r}; known: {', '.join(sorted(HOLIDAYS))}")
    label = _HOLIDAY_LABELS[name]
    table = holidays.country_holidays("CN", years=year, language="en_US", observed=False)
    # A day may carry several names ("Mid-Autumn Festival; National Day"), or a suffix ("(estimated)").
    days = [d for d in table if any(n == label or n.startswith(f"{label} (") for n in table.get_list(d))]
    if not days:
        raise CalendarError(f"the holidays package knows no {label!r} ({name}) in {year}")
    return min(days)


def _day_off(day: dt.date) -> bool:
    table = _table(day.year)
    return day in table or not table.is_working_day(day)


def working_day(day: dt.date) -> bool:
    """A working day in mainland China: not a weekend or a public holiday, or a weekend day made a working
    day by the State Council's arrangement (调休)."""
    return not _day_off(day)


@cache
def holiday_break(name: str, year: int) -> tuple[dt.date, dt.date]:
    """The first and last day of the official break that contains the holiday (see the module doc).
    A derived day that is not a day off (元宵) is a break of its own single day."""
    day = holiday_date(name, year)
    if not _day_off(day):
        return day, day
    first = last = day
    for _ in range(_MAX_BREAK_DAYS):
        if not _day_off(first - timedelta(days=1)):
            break
        first -= timedelta(days=1)
    for _ in range(_MAX_BREAK_DAYS):
        if not _day_off(last + timedelta(days=1)):
            break
        last += timedelta(days=1)
    return first, last


def together(name: str, other: str, year: int) -> bool:
    """Whether two holidays share one official break in ``year`` (中秋 inside the 国庆 break: 2025, 2028)."""
    a, b = holiday_break(name, year), holiday_break(other, year)
    return a[0] <= b[1] and b[0] <= a[1]
