"""Rota files in iCalendar (.ics): shifts and overrides in, duty slots out.

Reading is all-or-nothing like the CSV readers of :mod:`bot.rota.csv_files` (same problems, same row checks).

**iCalendar in** (:func:`overrides_from_ics`): a VEVENT is a row of the format above: DTSTART, DTEND (or
DURATION), SUMMARY = crew, CATEGORIES = kind (default shift; other categories are errors), DESCRIPTION =
note, ``X-HOTLINE-REPLACES``, ``X-HOTLINE-ROTATION``, ``X-HOTLINE-DISTRICT``. Times with a TZID (IANA or
a VTIMEZONE of the file) or in UTC keep their zone; floating times and dates (midnight) are in ``zone``.
Cancelled events are skipped; repeating ones (RRULE, RDATE) are rejected: list each shift.

**iCalendar out** (:func:`slots_to_ics`): a VEVENT per :class:`~bot.rota.model.DutySlot` with the utility's
TZID and VTIMEZONE, a UID stable per slot, CATEGORIES ``extra`` for extra cover and ``shift`` for the
rest (read back, the file gives the same slots); ``X-HOTLINE-SOURCE`` / ``X-HOTLINE-COVERS`` tell that a
slot comes from a swap or leave and whom it covers (informative, not read).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vBroken

from bot.rota.csv_files import (
    Problem,
    ProblemCode,
    RotaImportError,
    RowChecker,
    checked_overrides,
    decode_file,
    localize,
    override_from_row,
)
from bot.rota.model import DutySlot, Override, OverrideKind, RotaError, SlotKind

_X = {"replaces": "X-HOTLINE-REPLACES", "rotation": "X-HOTLINE-ROTATION", "district": "X-HOTLINE-DISTRICT"}
_X["note"] = "DESCRIPTION"
_EXPORT_PROPS = ("DESCRIPTION", _X["rotation"], _X["district"], "X-HOTLINE-SOURCE", "X-HOTLINE-COVERS")


@dataclass
class _EventLines:
    begin: int
    props: dict[str, int] = field(default_factory=dict)

    def of(self, prop: str) -> int:
        return self.props.get(prop, self.begin)


def _scan_ics(text: str, check: RowChecker) -> list[_EventLines]:
    """The line of each top-level VEVENT and of its properties; structural errors go to ``check``."""
    stack: list[str] = []
    events: list[_EventLines] = []
    number = 0
    for number, raw in enumerate(re.split(r"\r\n|\n|\r", text.rstrip()), 1):
        if not raw.strip() or raw[0] in " \t":
            continue
        match = re.match(r"([A-Za-z0-9-]+)[;:]", raw)
        if not match:
            check.add(number, ProblemCode.BAD_FILE, f"not an iCalendar line (NAME:value): {raw[:40]!r}")
            continue
        name, value = match.group(1).upper(), raw.partition(":")[2].strip().upper()
        if name == "BEGIN":
            stack.append(value)
            if stack == ["VCALENDAR", "VEVENT"]:
                events.append(_EventLines(number))
        elif name == "END":
            if not stack or stack[-1] != value:
                check.add(number, ProblemCode.BAD_FILE, f"END:{value} without BEGIN:{value}")
            else:
                stack.pop()
        elif stack == ["VCALENDAR", "VEVENT"]:
            events[-1].props.setdefault(name, number)
    if stack:
        check.add(number, ProblemCode.BAD_FILE, f"BEGIN:{stack[-1]} is never ended")
    return events


def _ics_text(event: Any, prop: str) -> str:
    value = event.get(prop)
    if prop == "CATEGORIES":  # one or more properties, each a list
        return ",".join(
            str(cat).strip() for p in (value if isinstance(value, list) else [value]) if p for cat in p.cats
        )
    return "" if value is None else str(value).strip()


def overrides_from_ics(
    data: str | bytes, zone: ZoneInfo, *, known_crews: Collection[str] | None = None
) -> list[Override]:
    """Explicit shifts and overrides from an iCalendar file (mapping in the module docstring)."""
    check = RowChecker(zone, known_crews)
    text = decode_file(data, fallback=None)
    lines = _scan_ics(text, check)
    check.raise_if_any()
    try:
        calendar = Calendar.from_ical(text)
    except ValueError as exc:
        raise RotaImportError([Problem(line=1, code=ProblemCode.BAD_FILE, message=str(exc)[:200])]) from None
    events: list[Any] = [component for component in calendar.subcomponents if component.name == "VEVENT"]
    if len(events) != len(lines):
        raise RotaImportError([Problem(line=1, code=ProblemCode.BAD_FILE, message="unreadable structure")])
    made: list[tuple[int, Override]] = []
    for event, where in zip(events, lines, strict=True):
        if _ics_text(event, "STATUS").upper() == "CANCELLED":
            continue
        line = where.begin
        for prop in ("RRULE", "RDATE"):
            if prop in event:
                check.add(where.of(prop), ProblemCode.UNSUPPORTED, f"{prop}: repeating events are not read")
        start = _event_time(check, event, where, "DTSTART")
        if "DTEND" in event or "DURATION" not in event:
            end = _event_time(check, event, where, "DTEND")
        else:
            duration = event["DURATION"].dt
            end = start + duration if start and isinstance(duration, timedelta) else None
        row = {column: _ics_text(event, prop) for column, prop in _X.items()}
        row |= {"kind": _ics_text(event, "CATEGORIES"), "crew": _ics_text(event, "SUMMARY")}
        override = override_from_row(check, line, row, start, end)
        made += [(line, override)] if override else []
    return checked_overrides(check, made)


def _event_time(check: RowChecker, event: Any, where: _EventLines, prop: str) -> datetime | None:
    value, zone = event.get(prop), check.zone
    moment = None if isinstance(value, list | vBroken) else getattr(value, "dt", None)
    try:
        if value is None:
            check.add(where.begin, ProblemCode.MISSING_VALUE, f"the event has no {prop}")
        elif isinstance(moment, datetime) and moment.tzinfo is not None:
            return moment.astimezone(zone)
        elif isinstance(moment, datetime) and "TZID" in value.params:
            check.add(where.of(prop), ProblemCode.BAD_DATE, f"{prop}: unknown zone {value.params['TZID']}")
        elif isinstance(moment, date):
            naive = moment if isinstance(moment, datetime) else datetime.combine(moment, time())
            return localize(naive, zone)
        else:
            raw = value.to_ical().decode() if isinstance(value, vBroken) else "repeated or not a time"
            check.add(where.of(prop), ProblemCode.BAD_DATE, f"{prop}: bad date {raw!r}")
    except ValueError as exc:
        check.add(where.of(prop), ProblemCode.BAD_DATE, f"{prop}: {exc}")
    return None


def slot_uid(slot: DutySlot) -> str:
    """A UID that stays the same for the same slot across exports."""
    parts = [slot.rotation or "", slot.district or "", slot.crew, slot.start.astimezone(UTC).isoformat()]
    parts.append(slot.end.astimezone(UTC).isoformat())
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32] + "@gas-hotline-bot"


def slots_to_ics(slots: Sequence[DutySlot], zone: ZoneInfo, *, now: datetime, name: str = "Rota") -> bytes:
    """An iCalendar file with one VEVENT per slot (``now`` is the DTSTAMP)."""
    if now.tzinfo is None:
        raise RotaError("now must be timezone-aware")
    calendar = Calendar()
    head = {"prodid": "-//Gas Hotline Bot//rota//EN", "version": "2.0", "calscale": "GREGORIAN"}
    for key, value in (head | {"x-wr-calname": name, "x-wr-timezone": zone.key}).items():
        calendar.add(key, value)
    for slot in slots:
        event = Event()
        event.add("uid", slot_uid(slot))
        event.add("dtstamp", now.astimezone(UTC))
        event.add("dtstart", slot.start.astimezone(zone))
        event.add("dtend", slot.end.astimezone(zone))
        event.add("summary", slot.crew)
        extra_cover = slot.kind is SlotKind.EXTRA
        event.add("categories", [(OverrideKind.EXTRA if extra_cover else OverrideKind.SHIFT).value])
        source = slot.kind.value if slot.kind in (SlotKind.SWAP, SlotKind.LEAVE) else None
        extra = [slot.note, slot.rotation, slot.district, source, slot.replaces if source else None]
        for prop, text in zip(_EXPORT_PROPS, extra, strict=True):
            if text:
                event.add(prop, text)
        calendar.add_component(event)
    if slots:
        first = min(slot.start for slot in slots).astimezone(zone).date() - timedelta(days=366)
        last = max(slot.end for slot in slots).astimezone(zone).date() + timedelta(days=366)
        calendar.add_missing_timezones(first_date=first, last_date=last)
    return bytes(calendar.to_ical())
