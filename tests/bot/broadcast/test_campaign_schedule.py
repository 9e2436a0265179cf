"""Holiday tips anchored to the official break, combined festivals, regional days, the content override."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest

from bot.broadcast.calendar import load_calendar, occurrences
from bot.broadcast.holiday_dates import holiday_break, together
from bot.config.utility import Region

SHANGHAI = ZoneInfo("Asia/Shanghai")


def fired(year: int, **kw: object) -> dict[str, list[date]]:
    cal = load_calendar(**kw)  # type: ignore[arg-type]
    out: dict[str, list[date]] = {}
    start, end = datetime(year, 1, 1, tzinfo=SHANGHAI), datetime(year + 1, 1, 1, tzinfo=SHANGHAI)
    for o in occurrences(cal, start, end, SHANGHAI):
        out.setdefault(o.campaign_id, []).append(o.local_date)
    return out


def official_break_start(year: int, label: str) -> date:
    """Straight from the holidays package: walk back from the festival over days that are not working days."""
    table = holidays.country_holidays("CN", years=(year - 1, year), language="en_US")
    day = min(d for d, name in table.items() if label in name and d.year == year)
    while not table.is_working_day(day - timedelta(days=1)):
        day -= timedelta(days=1)
    return day


@pytest.mark.parametrize("year", [2025, 2026, 2027, 2028])
def test_spring_festival_and_qingming_tips_come_before_the_official_break(year: int) -> None:
    days = fired(year)
    spring = official_break_start(year, "Spring Festival")
    assert days["spring_festival"] == [spring - timedelta(days=2)]
    assert days["spring_festival_travel"] == [spring - timedelta(days=7)]
    assert days["qingming_travel"] == [official_break_start(year, "Tomb-Sweeping") - timedelta(days=2)]


def test_break_dates_match_the_state_councils_arrangements() -> None:
    # 2025: 28 Jan - 4 Feb (除夕 a holiday for the first time); 2026: 15-23 Feb (Saturday 14 Feb a working day)
    assert holiday_break("spring_festival", 2025) == (date(2025, 1, 28), date(2025, 2, 4))
    assert holiday_break("spring_festival", 2026) == (date(2026, 2, 15), date(2026, 2, 23))
    assert fired(2026)["spring_festival"] == [date(2026, 2, 13)]  # not 除夕 (16 Feb), when many have left
    assert holiday_break("national_day", 2025) == (date(2025, 10, 1), date(2025, 10, 8))


@pytest.mark.parametrize(("year", "combined"), [(2025, True), (2026, False), (2027, False), (2028, True)])
def test_mid_autumn_and_national_day_send_one_tip_when_they_fall_together(year: int, combined: bool) -> None:
    days = fired(year)
    assert together("mid_autumn", "national_day", year) is combined
    if combined:
        assert "mid_autumn_eve" not in days and "national_day_eve" not in days
        assert days["mid_autumn_national_day"] == [holiday_break("national_day", year)[0] - timedelta(days=1)]
    else:
        assert "mid_autumn_national_day" not in days
        assert len(days["mid_autumn_eve"]) == 1 and len(days["national_day_eve"]) == 1


def test_regional_tips_fire_on_each_regions_own_day_to_its_district() -> None:
    regions = [
        Region(name="north", district="Hills", dates={"heating": "10-08"}),
        Region(name="coast", district="Harbour", dates={"heating": "11-20", "typhoon": "05-25"}),
        Region(name="all", dates={"safety_week": "09-14"}),
    ]
    cal = load_calendar(regions=regions)
    days = fired(2027, regions=regions)
    assert days["heating_season-north"] == [date(2027, 10, 8)]
    assert days["heating_season-coast"] == [date(2027, 11, 20)]
    assert days["typhoon_flood-coast"] == [date(2027, 5, 25)]
    assert days["gas_safety_week-all"] == [date(2027, 9, 14)]
    assert "typhoon_flood-north" not in days and "heating_season-all" not in days
    assert cal.get("heating_season-north").audience == "district:Hills"
    assert cal.get("gas_safety_week-all").audience == "subscribers"
    assert not any(c.regional for c in cal.campaigns)
    # without regions configured: the default region heats on 15 October; no typhoon or safety-week tip
    default = fired(2027)
    assert default["heating_season-all"] == [date(2027, 10, 15)]
    assert not any(cid.startswith(("typhoon_flood", "gas_safety_week")) for cid in default)


def test_content_changes_replace_texts_and_switch_campaigns_off() -> None:
    content = {
        "co_season": {"texts": {"zh": "新 {hotline}", "en": "New {hotline}"}, "source": "GB 1", "enabled": True},
        "summer_heat": {"enabled": False},
        "heating_season": {"enabled": False},  # a regional campaign: every region's copy is off
    }
    cal = load_calendar(content=content)
    assert cal.get("co_season").text("en", "12345") == "New 12345" and cal.get("co_season").source == "GB 1"
    days = fired(2027, content=content)
    assert "summer_heat" not in days and "heating_season-all" not in days and "co_season" in days


def test_texts_fill_the_utilitys_facts() -> None:
    from bot.config.utility import Localized, UtilityConfig

    u = UtilityConfig(name="Harbour Gas", name_zh="港城燃气", website="gas.example", wechat="港城燃气服务",
                      hours=Localized(zh="8:30-17:00", en="8:30-17:00"))  # fmt: skip
    week = load_calendar(regions=[Region(name="all", dates={"safety_week": "09-14"})]).get("gas_safety_week-all")
    zh, en = week.text("zh", u.hotline, u.facts("zh")), week.text("en", u.hotline, u.facts("en"))
    assert "港城燃气燃气安全宣传周" in zh and "gas.example" in zh and "港城燃气服务" in zh and "{" not in zh
    assert "Harbour Gas's gas safety week" in en and en.endswith(u.hotline)
    bare = UtilityConfig(hotline="12319").facts("en")
    assert bare["website"] == "call 12319" and bare["offices"] == "call 12319"
