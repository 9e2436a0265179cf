"""Every safety text the bot ships rests on a named source and was reviewed on a date; none names a city."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from bot.broadcast import calendar as campaigns
from bot.broadcast.calendar import CalendarError, load_calendar
from bot.questions import knowledge

DATA = resources.files("bot") / "data"
# Cities and numbers a text must not hard-code: they come from [utility] through placeholders.
CITIES = re.compile(r"北京|上海|深圳|天津|广州|重庆|成都|杭州|武汉|西安|Beijing|Shanghai|Shenzhen|Tianjin|Guangzhou")
HOTLINE_NUMBER = re.compile(r"96\d{3}|9\d{4}(?!\d)")  # utilities' hotlines (96777 ...); 110/119/120 stay


@cache
def _raw(name: str) -> dict[str, Any]:
    """A shipped data file as TOML, parsed once (at collection, in every test process; the tests only read it)."""
    return tomllib.loads((DATA / name).read_text("utf-8"))


def _reviewed(item: dict[str, Any]) -> dt.date | None:
    value = item.get("reviewed")  # a TOML date, or an ISO date string (the card lines)
    return dt.date.fromisoformat(value) if isinstance(value, str) else value if isinstance(value, dt.date) else None


def _sourced(item: dict[str, Any]) -> bool:
    return isinstance(item.get("source"), str) and len(item["source"]) >= 3 and _reviewed(item) is not None


def _items() -> list[tuple[str, dict[str, Any]]]:
    found = [(f"knowledge {e['id']}", e) for e in _raw("knowledge.toml")["entry"]]
    found += [(f"campaign {c['id']}", c) for c in _raw("campaigns.toml")["campaign"]]
    found += [(f"card line {k}", v) for k, v in _raw("safety_cards.toml")["line"].items()]
    found += [(f"drill scenario {s['id']}", s) for s in _raw("drills.toml")["scenario"]]
    return found


ITEMS = _items()


@pytest.mark.parametrize(("name", "item"), ITEMS, ids=[n for n, _ in ITEMS])
def test_every_answer_card_line_and_campaign_has_a_source_and_a_review_date(name: str, item: dict[str, Any]) -> None:
    assert _sourced(item), f"{name}: needs source = '...' (the standard or page) and reviewed = YYYY-MM-DD"
    assert _reviewed(item) <= dt.date(2027, 12, 31), f"{name}: reviewed in the future"


def _texts() -> list[tuple[str, str]]:
    out = [(f"knowledge {e['id']}", e[lang][part]) for e in _raw("knowledge.toml")["entry"] for lang in ("zh", "en")
           for part in ("q", "a")]  # fmt: skip
    out += [
        (f"campaign {c['id']}", c["texts"][lang]) for c in _raw("campaigns.toml")["campaign"] for lang in ("zh", "en")
    ]
    out += [(f"card {k}", v[lang]) for k, v in _raw("safety_cards.toml")["line"].items() for lang in ("zh", "en")]
    return out


def test_no_text_hard_codes_a_city_or_the_hotline_number() -> None:
    bad = [(name, m[0]) for name, text in _texts() for m in [CITIES.search(text) or HOTLINE_NUMBER.search(text)] if m]
    assert bad == []


def test_the_loaders_refuse_shipped_content_without_a_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the knowledge model requires both fields (tests/bot/questions/test_knowledge.py shows the messages); the shipped
    # calendar is checked when it is loaded
    assert all(e.source and e.reviewed for e in knowledge.shipped().entry)
    cal = tmp_path / "bot" / "data"
    cal.mkdir(parents=True)
    body = (DATA / "campaigns.toml").read_text("utf-8").replace("reviewed = 2026-12-06\n", "", 1)
    (cal / "campaigns.toml").write_text(body, encoding="utf-8")
    monkeypatch.setattr(campaigns.resources, "files", lambda _package: tmp_path / "bot")
    campaigns._default_campaigns.cache_clear()
    try:
        with pytest.raises(CalendarError, match=r"\['spring_festival_travel'\]: source and reviewed are required"):
            load_calendar()
    finally:
        monkeypatch.undo()
        campaigns._default_campaigns.cache_clear()
    assert load_calendar().campaigns


def test_the_reviewed_corrections_stay_corrected() -> None:
    def zh(entry_id: str) -> str:
        return knowledge.entry(entry_id).zh.a

    def en(entry_id: str) -> str:
        return knowledge.entry(entry_id).en.a

    life = zh("appliance_lifespan")  # GB 17905-2008 §7.3.1
    assert "壁挂炉" in life and "8年" in life and "6年" in life and "10年" in life and "说明书" not in life
    assert "60秒" in zh("cooking_unattended") and "60 seconds" in en("cooking_unattended")  # GB 16410
    assert "很可能是骗局" not in zh("inspection_scam") and "{hotline}" in zh("inspection_scam")
    assert "Very likely" not in en("inspection_scam") and "cash" in en("inspection_scam")
    alarm = zh("alarm_install")  # GB 50028 §10.8.2
    assert "水平4米以内" in alarm and "正上方" in alarm and "not directly above the cooker" in en("alarm_install")
    assert "声控" in zh("neighbour_smell") and "stamp, clap or shout" in en("neighbour_smell")
    fire = zh("fire_what")
    assert all(w in fire for w in ("关上身后的门", "湿毛巾", "玻璃", "不要泼水"))
    calendar = load_calendar()
    heater = calendar.get("co_season").texts
    assert "不要在浴室里安装直排式" not in heater.zh and "任何燃气热水器都不能装在浴室里" in heater.zh
    assert "banned everywhere" in heater.en
    fire_day = calendar.get("fire_safety_day").texts.zh
    assert all(w in fire_day for w in ("关上身后的门", "湿毛巾", "玻璃", "不要用水浇"))
    heating = calendar.get("heating_season-all").texts
    assert "明火" in heating.zh and "积雪" in heating.zh and "Never use a flame" in heating.en
