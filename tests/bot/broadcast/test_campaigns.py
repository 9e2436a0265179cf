from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.broadcast.calendar import (
    HOLIDAYS,
    MAX_QUIET,
    Calendar,
    CalendarError,
    Campaign,
    QuietHours,
    apply_quiet_hours,
    holiday_date,
    load_calendar,
    next_occurrence,
    occurrences,
)
from bot.clock import FakeClock
from tests.kit.broadcast import EXPECTED
from tests.kit.calendar_files import SHANGHAI, entry, local, write

NEW_YORK = ZoneInfo("America/New_York")
TEXTS = {"zh": "测试 {hotline}", "en": "test {hotline}"}

# Every shipped campaign -> the local day it must fire on, per year (all at 10:00 local); a year missing:
# it does not fire that year (中秋 in the National Day break in 2028: one combined tip instead of two).
# Holiday tips count from the first day of the official break (the holidays package's arrangement).


def campaign(**kw: object) -> Campaign:
    return Campaign.model_validate({"id": "c", "texts": TEXTS, **kw})


def simulate_year(
    calendar: Calendar,
    year: int,
    tz: ZoneInfo,
    restart_at: datetime | None = None,
    replay_from: datetime | None = None,
) -> list[tuple[str, datetime]]:
    """Tick a fake clock hourly through a local year, firing due occurrences once (fired-set keyed).

    At ``restart_at`` the scheduler "restarts" and recomputes every pending occurrence from
    ``replay_from`` (as if its cursor were lost), so only the fired set prevents repeats.
    """
    start, end = local(year, 1, 1, tz=tz).astimezone(UTC), local(year + 1, 1, 1, tz=tz).astimezone(UTC)
    clock = FakeClock(start)
    fired: set[tuple[str, datetime]] = set()
    log: list[tuple[str, datetime]] = []
    before = start - timedelta(microseconds=1)
    pending = {c.id: next_occurrence(c, before, tz) for c in calendar.campaigns}
    while (now := clock.now()) < end:
        if restart_at is not None and now == restart_at:
            assert replay_from is not None
            pending = {c.id: next_occurrence(c, replay_from, tz) for c in calendar.campaigns}
        for c in calendar.campaigns:
            occ = pending[c.id]
            while occ is not None and occ.fire_at_utc <= now:
                if occ.key not in fired:
                    fired.add(occ.key)
                    log.append((c.id, now.astimezone(tz)))
                nxt = pending[c.id] = next_occurrence(c, occ.fire_at_utc, tz)
                assert nxt is None or nxt.fire_at_utc > occ.fire_at_utc, "next_occurrence must move on"
                occ = nxt
        clock.advance(timedelta(hours=1))
    return log


# --- holidays --------------------------------------------------------------------------------


def test_holiday_dates_come_from_the_holidays_package() -> None:
    assert holiday_date("spring_festival", 2027) == date(2027, 2, 6)
    assert holiday_date("spring_festival", 2028) == date(2028, 1, 26)
    assert holiday_date("mid_autumn", 2027) == date(2027, 9, 15)
    assert holiday_date("mid_autumn", 2028) == date(2028, 10, 3)  # shares a day with National Day
    assert holiday_date("national_day", 2027) == date(2027, 10, 1)
    assert holiday_date("qingming", 2027) == date(2027, 4, 5)
    assert holiday_date("dragon_boat", 2027) == date(2027, 6, 9)
    assert holiday_date("labour_day", 2028) == date(2028, 5, 1)
    assert holiday_date("new_year", 2028) == date(2028, 1, 1)
    assert holiday_date("lantern", 2027) == date(2027, 2, 20)
    assert holiday_date("lantern", 2028) == date(2028, 2, 9)
    for name in HOLIDAYS:
        assert holiday_date(name, 2030).year == 2030


def test_unknown_holiday_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CalendarError, match="unknown holiday 'christmas'; known: dragon_boat"):
        holiday_date("christmas", 2027)
    path = write(tmp_path, entry("xmas", 'holiday = "christmas"', 'time = "10:00"'))
    with pytest.raises(CalendarError, match=r"campaign 'xmas': holiday: unknown holiday 'christmas'"):
        load_calendar(path)


# --- the shipped calendar --------------------------------------------------------------------


def test_default_calendar_is_complete_friendly_and_daytime() -> None:
    calendar = load_calendar()
    assert {c.id for c in calendar.campaigns} == set(EXPECTED)  # typhoon_flood, gas_safety_week: no region sets them
    assert load_calendar() == calendar  # cached file, equal result
    for c in calendar.campaigns:
        assert c.enabled and not c.urgent and c.audience == "subscribers"
        for text in (c.texts.zh, c.texts.en):
            assert text.rstrip().endswith("{hotline}"), c.id
            assert "\n\n" in text and len(text) < 1024, c.id  # short paragraphs; fits a photo caption
        assert c.text("en", "96777").endswith("96777")
        assert "96777" in c.text("zh", "96777") and c.text("zh", "1") != c.text("en", "1")
    spring = calendar.get("spring_festival")
    assert "人不离灶" in spring.texts.zh and "阀门井" in spring.texts.zh and "close the valve" in spring.texts.en
    assert "关阀再出门" in calendar.get("mid_autumn_eve").texts.zh
    assert "close the valve when you leave" in calendar.get("national_day_eve").texts.en.lower()
    assert "charcoal" in calendar.get("co_season").texts.en
    for year in (2027, 2028):
        moved = occurrences(calendar, local(year, 1, 1), local(year + 1, 1, 1), SHANGHAI, QuietHours(start=time(0, 0)))
        for o in moved:  # nothing at all scheduled in quiet hours (even counting 00:00-08:00 strictly)
            assert o.fire_at_utc == o.scheduled_at_utc


@pytest.mark.parametrize("year", [2027, 2028])
def test_simulated_year_fires_every_campaign_once_on_the_right_day(year: int) -> None:
    calendar = load_calendar()
    # Restart mid-June having lost the cursor back to 1 June: the fired set must stop repeats.
    restart = local(year, 6, 20, 12).astimezone(UTC)
    log = simulate_year(calendar, year, SHANGHAI, restart_at=restart, replay_from=local(year, 5, 31).astimezone(UTC))
    counts = Counter(cid for cid, _ in log)
    assert counts == Counter({cid: 1 for cid, days in EXPECTED.items() if year in days})
    fired_at = dict(log)
    for cid, days in EXPECTED.items():
        if year not in days:
            continue
        assert fired_at[cid] == datetime.combine(days[year], time(10, 0), tzinfo=SHANGHAI), cid
    # The walk and the range query agree.
    listed = occurrences(calendar, local(year, 1, 1), local(year + 1, 1, 1), SHANGHAI)
    assert [(o.campaign_id, o.fire_at_utc) for o in listed] == [(c, t.astimezone(UTC)) for c, t in log]
    assert [o.local_date for o in listed] == [t.date() for _, t in log]


def test_occurrences_range_is_half_open_and_sorted() -> None:
    calendar = load_calendar()
    at = local(2027, 6, 1, 10)
    assert [o.campaign_id for o in occurrences(calendar, at, at + timedelta(seconds=1), SHANGHAI)] == ["safety_month"]
    assert occurrences(calendar, at - timedelta(hours=1), at, SHANGHAI) == []
    found = occurrences(calendar, local(2027, 1, 1), local(2029, 1, 1), SHANGHAI)
    assert len(found) == sum(map(len, EXPECTED.values())) and found == sorted(found, key=lambda o: o.fire_at_utc)
    assert all(o.fire_at_utc.tzinfo is not None for o in found)
    with pytest.raises(ValueError, match="aware"):
        occurrences(calendar, datetime(2027, 1, 1), local(2028, 1, 1), SHANGHAI)  # noqa: DTZ001


def test_next_occurrence() -> None:
    calendar = load_calendar()
    spring = calendar.get("spring_festival")
    occ = next_occurrence(spring, local(2027, 2, 3, 10), SHANGHAI)  # strictly after
    assert occ is not None and occ.local_date == date(2028, 1, 23)
    occ = next_occurrence(spring, local(2027, 2, 3, 9, 59), SHANGHAI)
    assert occ is not None and occ.fire_at_utc == local(2027, 2, 3, 10)
    once = campaign(date="2027-01-01 10:00")
    assert next_occurrence(once, local(2026, 6, 1), SHANGHAI) is not None
    assert next_occurrence(once, local(2027, 1, 1, 10), SHANGHAI) is None
    leap = campaign(date="02-29 10:00")
    occ = next_occurrence(leap, local(2028, 3, 1), SHANGHAI)
    assert occ is not None and occ.local_date == date(2032, 2, 29)


# --- quiet hours -----------------------------------------------------------------------------


def test_quiet_hours_move_non_urgent_late_campaigns_to_the_morning(tmp_path: Path) -> None:
    body = entry("late", 'date = "05-12 22:30"') + entry("late_urgent", 'date = "05-12 22:30"', "urgent = true")
    body += entry("early", 'date = "05-12 07:00"') + entry("edge", 'date = "05-12 21:00"')
    calendar = load_calendar(write(tmp_path, body))
    found = {o.campaign_id: o for o in occurrences(calendar, local(2027, 5, 1), local(2027, 6, 1), SHANGHAI)}
    assert found["late"].fire_at_utc == local(2027, 5, 13, 8)
    assert found["late"].local_date == date(2027, 5, 12)  # still the 12 May occurrence
    assert found["late"].scheduled_at_utc == local(2027, 5, 12, 22, 30)
    assert found["late_urgent"].fire_at_utc == local(2027, 5, 12, 22, 30)
    assert found["early"].fire_at_utc == local(2027, 5, 12, 8)
    assert found["edge"].fire_at_utc == local(2027, 5, 13, 8)
    # A late firing on 31 Dec moved into the next range is listed there, not twice and not lost.
    late = calendar.get("late")
    dec = campaign(date="12-31 23:00")
    year = occurrences(Calendar(campaigns=(dec,)), local(2027, 1, 1), local(2028, 1, 1), SHANGHAI)
    assert [(o.local_date, o.fire_at_utc) for o in year] == [(date(2026, 12, 31), local(2027, 1, 1, 8))]
    nxt = occurrences(Calendar(campaigns=(dec,)), local(2028, 1, 1), local(2028, 1, 2), SHANGHAI)
    assert [(o.local_date, o.fire_at_utc) for o in nxt] == [(date(2027, 12, 31), local(2028, 1, 1, 8))]
    quiet = QuietHours(start=time(23, 0), end=time(7, 0))  # configurable
    moved = occurrences(Calendar(campaigns=(late,)), local(2027, 5, 1), local(2027, 6, 1), SHANGHAI, quiet)
    assert [o.fire_at_utc for o in moved] == [local(2027, 5, 12, 22, 30)]


def test_apply_quiet_hours_basics_and_dst() -> None:
    q = QuietHours()
    assert apply_quiet_hours(local(2027, 5, 12, 22, 30), SHANGHAI, q, urgent=False) == local(2027, 5, 13, 8)
    assert apply_quiet_hours(local(2027, 5, 12, 22, 30), SHANGHAI, q, urgent=True) == local(2027, 5, 12, 22, 30)
    assert apply_quiet_hours(local(2027, 5, 12, 3), SHANGHAI, q, urgent=False) == local(2027, 5, 12, 8)
    assert apply_quiet_hours(local(2027, 5, 12, 8), SHANGHAI, q, urgent=False) == local(2027, 5, 12, 8)
    assert apply_quiet_hours(local(2027, 5, 12, 20, 59), SHANGHAI, q, urgent=False) == local(2027, 5, 12, 20, 59)
    # New York falls back on 7 Nov 2027: 22:30 EDT -> 08:00 EST the next morning (13:00 UTC, not 12:00).
    moved = apply_quiet_hours(local(2027, 11, 6, 22, 30, NEW_YORK), NEW_YORK, q, urgent=False)
    assert moved == datetime(2027, 11, 7, 13, 0, tzinfo=UTC)
    assert apply_quiet_hours(
        local(2027, 5, 12, 13, tz=SHANGHAI), SHANGHAI, QuietHours(start=time(12), end=time(14)), False
    ) == local(2027, 5, 12, 14)
    # Quiet hours ending inside the repeated hour (01:00-02:00 twice on 7 Nov) or the skipped one (14 Mar).
    fold = QuietHours(start=time(0, 30), end=time(1, 30))
    second_pass = datetime(2027, 11, 7, 6, 10, tzinfo=UTC)  # 01:10 EST, after 01:30 EDT has passed
    assert apply_quiet_hours(second_pass, NEW_YORK, fold, False) == datetime(2027, 11, 7, 6, 30, tzinfo=UTC)
    first_pass = local(2027, 11, 7, 0, 45, tz=NEW_YORK)  # -> the first 01:30 (EDT), not the second
    assert apply_quiet_hours(first_pass, NEW_YORK, fold, False) == datetime(2027, 11, 7, 5, 30, tzinfo=UTC)
    gap = QuietHours(start=time(0, 0), end=time(2, 30))
    assert apply_quiet_hours(local(2027, 3, 14, 1, tz=NEW_YORK), NEW_YORK, gap, False) == datetime(
        2027, 3, 14, 7, 30, tzinfo=UTC
    )  # 03:30 EDT, right after the jump
    no_quiet = QuietHours(start=time(8), end=time(8))
    assert apply_quiet_hours(local(2027, 5, 12, 3), SHANGHAI, no_quiet, urgent=False) == local(2027, 5, 12, 3)


@settings(max_examples=300, deadline=None)
@given(
    instant=st.datetimes(
        min_value=datetime(2026, 1, 1),  # noqa: DTZ001 (hypothesis wants naive bounds)
        max_value=datetime(2029, 1, 1),  # noqa: DTZ001
        timezones=st.just(UTC),
    ),
    tz=st.sampled_from([SHANGHAI, NEW_YORK, ZoneInfo("Europe/London"), ZoneInfo("Australia/Lord_Howe")]),
    start=st.times(),
    end=st.times(),
    urgent=st.booleans(),
)
def test_apply_quiet_hours_properties(instant: datetime, tz: ZoneInfo, start: time, end: time, urgent: bool) -> None:
    day = datetime(2000, 1, 1)  # noqa: DTZ001 (wall times only)
    assume((datetime.combine(day, end) - datetime.combine(day, start)) % timedelta(days=1) <= MAX_QUIET)
    quiet = QuietHours(start=start, end=end)
    result = apply_quiet_hours(instant, tz, quiet, urgent)
    assert result.utcoffset() == timedelta(0)
    if urgent or not quiet.contains(instant.astimezone(tz).time()):
        assert result == instant
    else:
        assert instant < result <= instant + timedelta(hours=25)
        assert not quiet.contains(result.astimezone(tz).time())


# --- DST-safe schedules (another zone) and cron semantics ------------------------------------


def test_dst_every_local_day_fires_once_at_its_wall_time() -> None:
    cal = Calendar(
        campaigns=(
            campaign(id="ten", cron="0 10 * * *"),
            campaign(id="gap", cron="30 2 * * *", urgent=True),
            campaign(id="fold", cron="30 1 * * *", urgent=True),
        )
    )
    found = occurrences(cal, local(2027, 3, 1, tz=NEW_YORK), local(2027, 12, 1, tz=NEW_YORK), NEW_YORK)
    by_id: dict[str, list[datetime]] = {}
    for o in found:
        by_id.setdefault(o.campaign_id, []).append(o.fire_at_utc)
    days = (date(2027, 12, 1) - date(2027, 3, 1)).days
    assert all(len(v) == days for v in by_id.values())
    assert all(t.astimezone(NEW_YORK).time() == time(10) for t in by_id["ten"])
    assert (
        datetime(2027, 3, 13, 15, tzinfo=UTC) in by_id["ten"] and datetime(2027, 3, 15, 14, tzinfo=UTC) in by_id["ten"]
    )
    # 02:30 does not exist on 14 March: it fires just after the jump (03:30 EDT), once.
    assert datetime(2027, 3, 14, 7, 30, tzinfo=UTC) in by_id["gap"]
    # 01:30 happens twice on 7 November: it fires once, at the first (EDT).
    nov7 = [t for t in by_id["fold"] if t.astimezone(NEW_YORK).date() == date(2027, 11, 7)]
    assert nov7 == [datetime(2027, 11, 7, 5, 30, tzinfo=UTC)]


def test_holiday_campaign_in_another_zone_uses_local_dates() -> None:
    eve = campaign(holiday="spring_festival", offset_days=-1, time="09:15")
    occ = next_occurrence(eve, local(2027, 1, 1, tz=NEW_YORK), NEW_YORK)
    assert occ is not None and occ.fire_at_utc == datetime(2027, 2, 5, 14, 15, tzinfo=UTC)


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        (
            "0 10 * * 1",
            [date(2027, 3, 1), date(2027, 3, 8), date(2027, 3, 15), date(2027, 3, 22), date(2027, 3, 29)],
        ),
        ("0 10 * * 0", [date(2027, 3, 7), date(2027, 3, 14), date(2027, 3, 21), date(2027, 3, 28)]),
        ("0 10 * * 7", [date(2027, 3, 7), date(2027, 3, 14), date(2027, 3, 21), date(2027, 3, 28)]),
        (
            "0 10 13 * 5",
            [date(2027, 3, 5), date(2027, 3, 12), date(2027, 3, 13), date(2027, 3, 19), date(2027, 3, 26)],
        ),
        ("0 10 1-31/10 3 *", [date(2027, 3, 1), date(2027, 3, 11), date(2027, 3, 21), date(2027, 3, 31)]),
        ("0 10 1,15 3-4 *", [date(2027, 3, 1), date(2027, 3, 15)]),
    ],
)
def test_cron_is_standard_cron(expr: str, expected: list[date]) -> None:
    cal = Calendar(campaigns=(campaign(cron=expr),))
    found = occurrences(cal, local(2027, 3, 1), local(2027, 4, 1), SHANGHAI)
    assert [o.local_date for o in found] == expected
    assert all(o.fire_at_utc.astimezone(SHANGHAI).time() == time(10) for o in found)


def test_cron_minute_and_hour_lists() -> None:
    cal = Calendar(campaigns=(campaign(cron="*/30 9-10 1 3 *"),))
    found = occurrences(cal, local(2027, 3, 1), local(2027, 3, 2), SHANGHAI)
    assert [o.fire_at_utc.astimezone(SHANGHAI).strftime("%H:%M") for o in found] == [
        "09:00",
        "09:30",
        "10:00",
        "10:30",
    ]


def test_quiet_hours_that_leave_no_time_to_send_are_refused() -> None:
    """A window of nearly a day whose end falls in a daylight-saving gap left no wall time to send at."""
    with pytest.raises(ValueError, match="less than 2 hours"):
        QuietHours(start=time(1, 0, 0, 1), end=time(1, 0))
    assert QuietHours(start=time(22), end=time(20)).span() == timedelta(hours=22)
