"""A key site, the matching rule, and how a report near one is raised (pure functions).

A report within ``radius_m`` of a key site's coordinates, or naming the site in its address or text, is
raised one level (P4 -> P3 -> P2 -> P1; P1 stays P1), and a gas or CO report is never below P2 then.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Literal

from pydantic import Field, field_validator

from bot.config.section import Section
from bot.intake.forms import Severity

SiteKind = Literal["school_canteen", "restaurant", "boiler_room", "hospital", "market", "elderly_home"]
KINDS: tuple[SiteKind, ...] = ("school_canteen", "restaurant", "boiler_room", "hospital", "market", "elderly_home")
GAS_OR_CO = frozenset({"leak", "co", "excavation"})  # never below P2 at a key site
ORDER = (Severity.P1, Severity.P2, Severity.P3, Severity.P4)
MIN_NAME = 2  # a shorter name would match too many texts
EARTH_M = 6_371_000.0


class KeySite(Section):
    name: str = Field(min_length=MIN_NAME, max_length=100)
    kind: SiteKind
    address: str = Field(default="", max_length=200)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    phone: str = Field(default="", max_length=40)

    @field_validator("name", "address", "phone", mode="before")
    @classmethod
    def _stripped(cls, value: object) -> object:
        return value.strip() if isinstance(value, str) else value

    @property
    def has_point(self) -> bool:
        return self.lat is not None and self.lon is not None


class KeySiteMatch(Section):
    """``[key_site_match]``: how near a report must be to a key site to count as at it."""

    radius_m: float = Field(default=100.0, ge=0, le=5000)
    by_name: bool = True  # a report naming a key site in its address or text counts too


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine), metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_M * math.asin(min(1.0, math.sqrt(a)))


def match(
    sites: Iterable[KeySite],
    rule: KeySiteMatch,
    *,
    lat: float | None,
    lon: float | None,
    texts: Iterable[str],
) -> KeySite | None:
    """The key site the report is at: the nearest within the radius, else the first (longest) name it names."""
    sites = list(sites)
    if lat is not None and lon is not None:
        near = [
            (distance_m(lat, lon, site.lat, site.lon), site)
            for site in sites
            if site.lat is not None and site.lon is not None
        ]
        within = [(d, site) for d, site in near if d <= rule.radius_m]
        if within:
            return min(within, key=lambda pair: pair[0])[1]
    if not rule.by_name:
        return None
    folded = [text.casefold() for text in texts if text]
    for site in sorted(sites, key=lambda s: -len(s.name)):
        name = site.name.casefold()
        if any(name in text for text in folded):
            return site
    return None


def raised(severity: Severity, category: str) -> Severity:
    """One level up (P1 stays P1); a gas or CO report at a key site is never below P2."""
    up = ORDER[max(0, ORDER.index(severity) - 1)]
    if category in GAS_OR_CO and ORDER.index(up) > ORDER.index(Severity.P2):
        return Severity.P2
    return up
