"""The utility's own facts (``[utility]``): name, hotline, offices, hours, web and WeChat accounts, regions.

Safety texts never hard-code them: they use placeholders (``bot.questions.placeholders``) that ``facts`` fills in
the reader's language. Regions carry the days of regional tips (``[[utility.regions]] dates``): a campaign
with ``regional = "heating"`` fires on each region's own heating day, to that region's district.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator

from bot.config.section import Section

_MONTH_DAY = re.compile(r"(\d{2})-(\d{2})")


class Localized(Section):
    """A text in both languages."""

    zh: str = Field(min_length=1, max_length=200)
    en: str = Field(min_length=1, max_length=200)

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


class Region(Section):
    """A part of the service area with its own tip days, e.g. heating starts earlier in the hills."""

    name: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")
    district: str | None = None  # a [[districts]] name: its tips go only there (none: to every subscriber)
    dates: dict[str, str] = Field(default_factory=dict)  # tip key -> "MM-DD", e.g. heating = "10-15"

    @field_validator("dates")
    @classmethod
    def _month_days(cls, dates: dict[str, str]) -> dict[str, str]:
        for key, value in dates.items():
            m = _MONTH_DAY.fullmatch(value)
            if m is None or not (1 <= int(m[1]) <= 12 and 1 <= int(m[2]) <= 31):
                raise ValueError(f"dates.{key}: expected 'MM-DD', got {value!r}")
        return dates


class UtilityConfig(Section):
    name: str = "City Gas"
    name_zh: str = "燃气公司"
    timezone: str = "Asia/Shanghai"
    hotline: str = Field(default="96777", min_length=3, max_length=32)
    phone_region: str = Field(default="CN", min_length=2, max_length=2)
    website: str = ""  # the utility's web address, for paying bills and online services
    wechat: str = ""  # the name of its WeChat official account
    hours: Localized | None = None  # business-hall opening hours
    offices: list[Localized] = Field(default_factory=list)  # business halls: name and address
    # default: one region, every subscriber, the heating tip on 15 October (a region list replaces it)
    regions: list[Region] = Field(default_factory=lambda: [Region(name="all", dates={"heating": "10-15"})])
    content_override: Path | None = None  # written by `hotline content import`; relative to the config file
    cli_lang: Literal["zh", "en"] = "zh"  # the `hotline` command's messages when neither --lang nor the locale says

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def facts(self, lang: str) -> dict[str, str]:
        """The placeholders' values in ``lang``; a fact not configured says to ask the hotline."""
        en = lang == "en"
        ask = f"call {self.hotline}" if en else f"请拨打 {self.hotline} 询问"
        offices = "\n".join(f"• {o.get(lang)}" for o in self.offices)
        return {
            "hotline": self.hotline,
            "utility": self.name if en else self.name_zh,
            "website": self.website or ask,
            "wechat": self.wechat or ask,
            "hours": self.hours.get(lang) if self.hours else ask,
            "offices": offices or ask,
        }
