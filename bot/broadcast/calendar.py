"""Seasonal reminder calendar: campaigns from TOML, when they fire, quiet hours. Pure logic.

The format is documented in the shipped calendar, ``bot/data/campaigns.toml``. Times are local wall-clock
times in the utility's zone: a time skipped by a DST jump fires just after it, a repeated one fires once.
Cron is standard 5-field cron (weekday 0 or 7 = Sunday; day and weekday are OR-ed when both are set).
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from calendar import isleap
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, AwareDatetime, BaseModel, Field, ValidationError, model_validator

from bot.broadcast.holiday_dates import HOLIDAYS, CalendarError, holiday_break, holiday_date, together
from bot.config.utility import Region, UtilityConfig
from bot.questions.placeholders import check_placeholders


class _Model(BaseModel):
    model_config = {"extra": "forbid", "frozen": True}


_CRON_FIELDS = (("minute", 0, 59), ("hour", 0, 23), ("day", 1, 31), ("month", 1, 12), ("weekday", 0, 7))
_CRON_PART = re.compile(r"(?:\*|(\d+)(?:-(\d+))?)(?:/(\d+))?")


def _cron_field(text: str, name: str, lo: int, hi: int) -> set[int]:
    values: set[int] = set()
    for part in text.split(","):
        m = _CRON_PART.fullmatch(part)
        if m is None:
            raise ValueError(f"bad {name} field {text!r} (use numbers, *, a-b, */n, lists)")
        a, b, step = m.groups()
        first = lo if a is None else int(a)
        last = int(b) if b else (hi if a is None or step else first)
        if not lo <= first <= last <= hi or (step and int(step) < 1):
            raise ValueError(f"{name} field {text!r} out of range {lo}-{hi}")
        values.update(range(first, last + 1, int(step or 1)))
    return values


def _parse_cron(expr: str) -> tuple[list[dt.time], Callable[[dt.date], bool]]:
    """The times of day and a day filter of a standard 5-field cron expression."""
    parts = expr.split()
    if len(parts) != 5:
        raise ValueError(f"expected 5 fields (minute hour day month weekday), got {len(parts)}")
    mi, hr, dom, mon, dow = (_cron_field(p, *f) for p, f in zip(parts, _CRON_FIELDS, strict=True))
    weekdays, either = {d % 7 for d in dow}, not (parts[2].startswith("*") or parts[4].startswith("*"))

    def matches(day: dt.date) -> bool:
        by_day, by_weekday = day.day in dom, day.isoweekday() % 7 in weekdays
        return day.month in mon and ((by_day or by_weekday) if either else (by_day and by_weekday))

    return [dt.time(h, m) for h in sorted(hr) for m in sorted(mi)], matches


_DATE = re.compile(r"(?:(\d{4})-)?(\d{2})-(\d{2}) (\d{2}):(\d{2})")


def _parse_date(text: str) -> tuple[int | None, int, int, dt.time]:
    m = _DATE.fullmatch(text)
    if m is None:
        raise ValueError("expected 'MM-DD HH:MM' (every year) or 'YYYY-MM-DD HH:MM' (once)")
    year = int(m[1]) if m[1] else None
    month, day, hour, minute = (int(g) for g in m.groups()[1:])
    dt.date(year or 2028, month, day)  # raises on 02-30; a yearly 02-29 fires in leap years only
    return year, month, day, dt.time(hour, minute)


def _parse_time(text: str) -> dt.time:
    if not re.fullmatch(r"\d{2}:\d{2}", text):
        raise ValueError('expected "HH:MM", e.g. "10:00"')
    return dt.time(int(text[:2]), int(text[3:]))


def _check_holiday(name: str) -> None:
    if name not in HOLIDAYS:
        raise ValueError(f"unknown holiday {name!r}; known: {', '.join(sorted(HOLIDAYS))}")


def _checked(parse: Callable[[str], object]) -> AfterValidator:
    """A pydantic validator that keeps the string but rejects what ``parse`` rejects."""
    return AfterValidator(lambda text: (parse(text), text)[1])


def _check_text(text: str) -> str:
    check_placeholders(text)
    if "{hotline}" not in text:
        raise ValueError("must include the {hotline} placeholder")
    return text


_Text = Annotated[str, Field(min_length=1), AfterValidator(_check_text)]


class Texts(_Model):
    zh: _Text
    en: _Text


class Campaign(_Model):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    cron: Annotated[str, _checked(_parse_cron)] | None = None
    date: Annotated[str, _checked(_parse_date)] | None = None
    holiday: Annotated[str, _checked(_check_holiday)] | None = None
    offset_days: int = Field(0, ge=-180, le=180)
    time: Annotated[str, _checked(_parse_time)] | None = None
    audience: str = Field("subscribers", pattern=r"^(subscribers|crews|district:\S.*)$")
    urgent: bool = False
    enabled: bool = True
    texts: Texts
    photo: str | None = Field(None, min_length=1)
    # with holiday: "day" counts offset_days from the festival, "break" from the first day of its official break
    anchor: Literal["day", "break"] = "day"
    with_holiday: Annotated[str, _checked(_check_holiday)] | None = None  # only in years sharing its break
    without_holiday: Annotated[str, _checked(_check_holiday)] | None = None  # only in years not sharing it
    # with date: a key of [[utility.regions]] dates; each region that sets it gets this tip on its own day
    regional: str | None = Field(None, pattern=r"^[a-z][a-z0-9_]*$")
    source: str | None = Field(None, min_length=3)  # the standard, regulation or utility page it rests on
    reviewed: dt.date | None = None  # when the safety officer last checked it

    @model_validator(mode="after")
    def _one_schedule(self) -> Campaign:
        given = [k for k in ("cron", "date", "holiday") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"schedule: give exactly one of cron, date, holiday (got {given or 'none'})")
        if self.holiday is None and self.model_fields_set & {"offset_days", "time"}:
            raise ValueError("offset_days/time: only with holiday (put the time in cron or date)")
        if self.holiday is not None and self.time is None:
            raise ValueError('time: required with holiday, e.g. time = "10:00"')
        if self.holiday is None and self.model_fields_set & {"anchor", "with_holiday", "without_holiday"}:
            raise ValueError("anchor/with_holiday/without_holiday: only with holiday")
        if self.regional is not None and self.date is None:
            raise ValueError('regional: only with a yearly date (the default day), e.g. date = "10-15 10:00"')
        return self

    def text(self, lang: str, hotline: str, facts: Mapping[str, str] | None = None) -> str:
        """The message in ``lang`` ("zh" or "en"; anything else falls back to zh), placeholders filled in
        (``facts``: ``UtilityConfig.facts``; none given: each other fact says to call the hotline)."""
        facts = UtilityConfig.model_construct(hotline=hotline).facts(lang) if facts is None else facts
        return (self.texts.en if lang == "en" else self.texts.zh).format_map({**facts, "hotline": hotline})

    def fires_in(self, year: int) -> bool:
        """Whether a holiday campaign's with_holiday/without_holiday condition holds in ``year``."""
        if self.holiday is None:
            return True
        if self.with_holiday is not None and not together(self.holiday, self.with_holiday, year):
            return False
        return self.without_holiday is None or not together(self.holiday, self.without_holiday, year)

    def holiday_day(self, year: int) -> dt.date:
        """The day a holiday campaign counts ``offset_days`` from in ``year``."""
        assert self.holiday is not None
        day = holiday_break(self.holiday, year)[0] if self.anchor == "break" else holiday_date(self.holiday, year)
        return day + timedelta(days=self.offset_days)


class Calendar(_Model):
    campaigns: tuple[Campaign, ...] = ()

    def get(self, campaign_id: str) -> Campaign:
        return {c.id: c for c in self.campaigns}[campaign_id]


def _entries(path: Path | Traversable, source: str) -> list[dict[str, Any]]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CalendarError(f"{source}: cannot read: {exc}") from exc
    if unknown := sorted(set(data) - {"campaign"}):
        raise CalendarError(f"{source}: unknown top-level key(s) {unknown}; use [[campaign]] tables")
    entries = data.get("campaign", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise CalendarError(f"{source}: campaign: expected [[campaign]] tables")
    seen: set[str] = set()
    for number, entry in enumerate(entries, 1):
        cid = entry.get("id")
        if not isinstance(cid, str):
            raise CalendarError(f"{source}: campaign #{number}: id: required, a string")
        if cid in seen:
            raise CalendarError(f"{source}: campaign {cid!r}: id: duplicate")
        seen.add(cid)
    return entries


def _campaign(entry: dict[str, Any], source: str) -> Campaign:
    try:
        return Campaign.model_validate(entry)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            msg = err["msg"].removeprefix("Value error, ")
            loc = ".".join(str(p) for p in err["loc"])
            problems.append(f"{loc}: {msg}" if loc else msg)
        raise CalendarError(f"{source}: campaign {entry['id']!r}: {'; '.join(problems)}") from None


def _load(path: Path | Traversable, source: str) -> tuple[Campaign, ...]:
    return tuple(_campaign(entry, source) for entry in _entries(path, source))


@cache
def _default_campaigns() -> tuple[Campaign, ...]:
    found = _load(resources.files("bot").joinpath("data", "campaigns.toml"), "bot/data/campaigns.toml")
    if unsourced := [c.id for c in found if c.source is None or c.reviewed is None]:
        raise CalendarError(f"bot/data/campaigns.toml: campaigns {unsourced}: source and reviewed are required")
    return found


def load_calendar(
    path: Path | None = None,
    overrides: Path | None = None,
    regions: Sequence[Region] | None = None,
    content: Mapping[str, Mapping[str, Any]] | None = None,
    by_region: bool = True,
) -> Calendar:
    """Load ``path`` (default: the shipped calendar, read once and cached), then apply ``overrides``:
    an entry replaces the campaign with its id or adds one; one holding only ``id`` and ``enabled``
    switches an existing campaign off (or on). ``content`` (``bot.content.store``: the safety officer's
    imported texts, sources, review dates and switches, by id) is applied next; last, each ``regional``
    campaign becomes one campaign per region that sets its day (``regions``, default: the configuration's)
    unless ``by_region`` is false (the campaigns as written, for the content spreadsheet)."""
    base = _default_campaigns() if path is None else _load(path, str(path))
    merged = {c.id: c for c in base}
    if overrides is not None:
        source = str(overrides)
        for entry in _entries(overrides, source):
            cid = entry["id"]
            if set(entry) == {"id", "enabled"}:
                if cid not in merged:
                    raise CalendarError(f"{source}: campaign {cid!r}: id: no such campaign to enable or disable")
                entry = {**merged[cid].model_dump(exclude_unset=True), **entry}
            merged[cid] = _campaign(entry, source)
    for cid, change in (content or {}).items():
        if cid in merged:
            merged[cid] = _campaign({**merged[cid].model_dump(exclude_unset=True), **change}, "content override")
    found = tuple(merged.values())
    return Calendar(campaigns=_by_region(found, regions) if by_region else found)


def _by_region(campaigns: tuple[Campaign, ...], regions: Sequence[Region] | None) -> tuple[Campaign, ...]:
    """Each regional campaign -> one per region that sets its day ("heating_season-north"), none if none does."""
    regions = UtilityConfig().regions if regions is None else regions
    out: list[Campaign] = []
    for c in campaigns:
        if c.regional is None:
            out.append(c)
            continue
        assert c.date is not None
        at = c.date.split()[-1]
        for region in regions:
            if (day := region.dates.get(c.regional)) is not None:
                entry = {k: v for k, v in c.model_dump(exclude_unset=True).items() if k != "regional"}
                entry |= {"id": f"{c.id}-{region.name}", "date": f"{day} {at}"}
                entry |= {"audience": f"district:{region.district}"} if region.district else {}
                out.append(_campaign(entry, f"utility.regions {region.name!r}"))
    return tuple(out)


MAX_QUIET = dt.timedelta(hours=22)


class QuietHours(_Model):
    """Local hours in which non-urgent campaigns wait; wraps midnight if start > end; none if equal."""

    start: dt.time = dt.time(21, 0)
    end: dt.time = dt.time(8, 0)

    @model_validator(mode="after")
    def _leaves_time_to_send(self) -> QuietHours:
        # A daylight-saving gap can swallow up to an hour: with two hours a day left, the end of quiet
        # hours always reaches a wall time that exists and is not quiet.
        if self.span() > MAX_QUIET:
            raise ValueError(f"quiet hours of {self.span()} leave less than 2 hours a day to send tips")
        return self

    def span(self) -> dt.timedelta:
        day = dt.date(2000, 1, 1)
        start, end = dt.datetime.combine(day, self.start), dt.datetime.combine(day, self.end)
        return (end - start) % dt.timedelta(days=1)

    def contains(self, local: dt.time) -> bool:
        if self.start <= self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end


QUIET_HOURS = QuietHours()  # the default, 21:00-08:00


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")


def apply_quiet_hours(fire_at_utc: datetime, tz: ZoneInfo, quiet: QuietHours, urgent: bool) -> datetime:
    """A non-urgent firing inside quiet hours moves to their end (same or next local day); in UTC."""
    _require_aware(fire_at_utc, "fire_at_utc")
    local = fire_at_utc.astimezone(tz)
    if urgent or not quiet.contains(local.time()):
        return fire_at_utc.astimezone(UTC)
    day = local.date() + timedelta(days=1 if local.time() >= quiet.end else 0)
    wall = datetime.combine(day, quiet.end, tzinfo=tz)
    # If the end falls in a DST gap or fold, take the earliest instant that is later and no longer quiet.
    candidates = {wall.replace(fold=f).astimezone(UTC) for f in (0, 1)}
    ok = [c for c in candidates if c > fire_at_utc and not quiet.contains(c.astimezone(tz).time())]
    return min(ok, default=max(candidates))


class Occurrence(_Model):
    """One firing. ``local_date`` is the day it is scheduled for (before any quiet-hours move)."""

    campaign_id: str
    local_date: dt.date
    scheduled_at_utc: AwareDatetime
    fire_at_utc: AwareDatetime

    @property
    def key(self) -> tuple[str, datetime]:
        """Identity for idempotence ("has this occurrence fired?")."""
        return self.campaign_id, self.scheduled_at_utc


def _scheduled(campaign: Campaign, tz: ZoneInfo, first: dt.date, last: dt.date) -> list[datetime]:
    """Local wall-clock times the campaign is scheduled for, on local days first..last."""
    if campaign.cron is not None:
        (times, matches), out, day = _parse_cron(campaign.cron), [], first
        while day <= last:
            out += [datetime.combine(day, t, tzinfo=tz) for t in times] if matches(day) else []
            day += timedelta(days=1)
        return out
    if campaign.date is not None:
        year, month, mday, at = _parse_date(campaign.date)
        years = [year] if year is not None else range(first.year, last.year + 1)
        days = [dt.date(y, month, mday) for y in years if (month, mday) != (2, 29) or isleap(y)]
    else:
        assert campaign.holiday is not None and campaign.time is not None
        at = _parse_time(campaign.time)
        days = [campaign.holiday_day(y) for y in range(first.year - 1, last.year + 2) if campaign.fires_in(y)]
    return [datetime.combine(d, at, tzinfo=tz) for d in sorted(days) if first <= d <= last]


def _campaign_occurrences(
    campaign: Campaign, start_utc: datetime, end_utc: datetime, tz: ZoneInfo, quiet: QuietHours
) -> list[Occurrence]:
    # A quiet-hours move is shorter than a day, so look one day back for firings moved into the range.
    first, last = (start_utc - timedelta(days=1)).astimezone(tz).date(), end_utc.astimezone(tz).date()
    found: dict[datetime, Occurrence] = {}
    for local in _scheduled(campaign, tz, first, last):
        at_utc = local.astimezone(UTC)
        fire = apply_quiet_hours(at_utc, tz, quiet, campaign.urgent)
        if start_utc <= fire < end_utc:
            found[at_utc] = Occurrence(
                campaign_id=campaign.id, local_date=local.date(), scheduled_at_utc=at_utc, fire_at_utc=fire
            )
    return sorted(found.values(), key=lambda o: (o.fire_at_utc, o.scheduled_at_utc))


def occurrences(
    calendar: Calendar, start_utc: datetime, end_utc: datetime, tz: ZoneInfo, quiet: QuietHours = QUIET_HOURS
) -> list[Occurrence]:
    """Every firing of every enabled campaign in [start_utc, end_utc), quiet hours applied, by time."""
    _require_aware(start_utc, "start_utc")
    _require_aware(end_utc, "end_utc")
    found: list[Occurrence] = []
    for c in calendar.campaigns:
        found += _campaign_occurrences(c, start_utc, end_utc, tz, quiet) if c.enabled else []
    return sorted(found, key=lambda o: (o.fire_at_utc, o.campaign_id, o.scheduled_at_utc))


def next_occurrence(
    campaign: Campaign, after_utc: datetime, tz: ZoneInfo, quiet: QuietHours = QUIET_HOURS
) -> Occurrence | None:
    """The first firing strictly after ``after_utc``; None if disabled or none in the next ten years."""
    _require_aware(after_utc, "after_utc")
    if not campaign.enabled:
        return None
    start = after_utc + timedelta(microseconds=1)
    for _ in range(10):
        end = start + timedelta(days=366)
        if found := _campaign_occurrences(campaign, start, end, tz, quiet):
            return found[0]
        start = end
    return None
