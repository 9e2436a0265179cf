"""Configuration of broadcasts and districts (``[broadcast]`` and ``[[districts]]``).

``[broadcast]`` was called ``[reminders]`` until December 2026; files and the environment
(``HOTLINE_REMINDERS__...``) may still use that name (``OLD_NAMES``).

Kept apart from ``bot.config.settings`` so the feature's settings live with the feature; ``Settings``
includes them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator

from bot.config.section import Section

OLD_NAMES = {"reminders": "broadcast"}  # a section's former name -> its name


def renamed_sections(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with each former section name (``OLD_NAMES``) moved to its name; keys given under both
    names take the value given under the current name."""
    old = [name for name in OLD_NAMES if name in data]
    if not old:
        return data
    data = dict(data)
    for name in old:
        value, now = data.pop(name), data.get(OLD_NAMES[name])
        if isinstance(value, dict) and isinstance(now, dict):
            value = {**value, **now}
        elif now is not None:
            value = now
        data[OLD_NAMES[name]] = value
    return data


class BroadcastConfig(Section):
    """Seasonal campaigns, broadcasts and notices: the calendar, quiet hours, the send rate, catching up."""

    calendar_override: Path | None = None  # a TOML file in the calendar's format, applied over the shipped one
    quiet_start: dt.time = dt.time(21, 0)  # local: no tips from here ...
    quiet_end: dt.time = dt.time(8, 0)  # ... until here, unless urgent
    rate_per_s: float = Field(default=25.0, gt=0)  # broadcast messages per second (Telegram allows about 30)
    max_in_flight: int = Field(default=32, ge=1, le=1024)  # broadcast sends under way at once
    max_attempts: int = Field(default=3, ge=1, le=20)  # per recipient, for 429s and network faults
    catch_up_h: float = Field(default=6.0, ge=0)  # a campaign missed while down fires this late at most


class District(Section):
    """A named area: one or more boxes ``[south, west, north, east]`` in degrees."""

    name: str = Field(min_length=1, max_length=40, pattern=r"^\S+$")
    boxes: list[tuple[float, float, float, float]] = Field(min_length=1)

    @field_validator("boxes")
    @classmethod
    def _ordered(cls, boxes: list[tuple[float, float, float, float]]) -> list[tuple[float, float, float, float]]:
        for south, west, north, east in boxes:
            if not (-90 <= south < north <= 90 and -180 <= west < east <= 180):
                raise ValueError(f"box {[south, west, north, east]} must be [south, west, north, east]")
        return boxes

    def contains(self, lat: float, lon: float) -> bool:
        return any(s <= lat <= n and w <= lon <= e for s, w, n, e in self.boxes)


def district_of(districts: list[District], lat: float | None, lon: float | None) -> str | None:
    """The first configured district containing the point, if any."""
    if lat is None or lon is None:
        return None
    return next((d.name for d in districts if d.contains(lat, lon)), None)
