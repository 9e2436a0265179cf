"""Rota files: CSV in and out, and what the iCalendar reader shares (problems, row checks).

Reading is all-or-nothing: a file with any bad row raises :class:`RotaImportError`, whose ``problems``
name every bad row (physical line number from 1, a :class:`ProblemCode` for the catalogs, an English
message) and nothing is returned. Times written without a zone are read in the utility's ``zone``.

**CSV.** UTF-8, BOM or not (bytes that are not UTF-8 are read as GB18030, which Excel on Chinese Windows
writes); the first row is the header (case-insensitive, ``shift hours`` = ``shift_hours``, any order, or
the Chinese names of ``ZH_ROTATION_HEADERS`` / ``ZH_OVERRIDE_HEADERS``; missing required or unknown columns
are errors); blank rows and rows starting with ``#`` are skipped.
Times: ``2027-01-04 08:00``, ``2027-01-04T08:00:00``, ``2027/1/4 8:00``, with or without an offset
(``+08:00``, ``Z``); a time of day is required. Exports carry the offset and read back exactly (save them
as ``utf-8-sig`` for Excel).

Rotations (:func:`rotations_from_csv`, :func:`rotations_to_csv`)::

    rotation,crews,shift_hours,anchor,district,until
    city,A|B|C|D,12,2027-01-04 08:00,,

- required: ``rotation`` (a unique name), ``crews`` (in order, ``|``-separated; ``crews[0]`` works the
  first shift; empty: no crews, which ``uncovered`` reports), ``shift_hours`` (> 0), ``anchor`` (start of
  the first shift). Optional: ``district`` (a label), ``until`` (the rotation ends).

Shifts and overrides (:func:`overrides_from_csv`, :func:`overrides_to_csv`)::

    start,end,crew,kind,replaces,note,rotation,district
    2027-01-08 20:00,2027-01-09 08:00,D,leave,B,B on a course,,

- required: ``start``, ``end``, ``crew`` (empty only for a leave nobody covers). ``kind``: ``shift``
  (default: an explicit shift), ``swap``, ``leave``, ``extra``, or 值班, 换班/调班, 请假/休假, 加班/增援;
  ``replaces``: required for swap and leave, empty otherwise; ``note``, ``rotation`` (lane), ``district``.
- contradictory rows (:func:`bot.rota.checks.find_conflicts`) are errors, reported on the later row.

iCalendar files are read and written by :mod:`bot.rota.ics` (same rows, same all-or-nothing rule).
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable, Collection, Sequence
from contextlib import suppress
from datetime import UTC, datetime
from difflib import get_close_matches
from enum import StrEnum
from functools import partial
from typing import TypeVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, ValidationError

from bot.rota.checks import find_conflicts
from bot.rota.model import (
    Override,
    OverrideKind,
    RotaError,
    Rotation,
    check_name,
)


class ProblemCode(StrEnum):
    BAD_FILE = "bad_file"
    MISSING_COLUMN = "missing_column"
    UNKNOWN_COLUMN = "unknown_column"
    MISSING_VALUE = "missing_value"
    BAD_VALUE = "bad_value"
    BAD_DATE = "bad_date"
    END_BEFORE_START = "end_before_start"
    UNKNOWN_KIND = "unknown_kind"
    UNKNOWN_CREW = "unknown_crew"
    DUPLICATE = "duplicate"
    OVERLAP = "overlap"
    UNSUPPORTED = "unsupported"


class Problem(BaseModel):
    model_config = ConfigDict(frozen=True)

    line: int
    code: ProblemCode
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class RotaImportError(RotaError):
    """A rota file was rejected; ``problems`` lists every reason, by line."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: p.line)
        lines = [f"{len(self.problems)} problem(s) in the rota file:", *map(str, self.problems)]
        super().__init__("\n".join(lines))


_ALIASES = "值班=shift 换班=swap 调班=swap 请假=leave 休假=leave 加班=extra 增援=extra"
KIND_NAMES = {kind.value: kind for kind in OverrideKind} | {
    alias: OverrideKind(kind) for alias, kind in (pair.split("=") for pair in _ALIASES.split())
}
ROTATION_COLUMNS = ("rotation", "crews", "shift_hours", "anchor", "district", "until")
OVERRIDE_COLUMNS = ("start", "end", "crew", "kind", "replaces", "note", "rotation", "district")
_HEADER_ALIASES = {"crew_order": "crews"}
# Chinese column headers (as a utility's own spreadsheet has them), per kind of file: 班组 is the
# rotation's crews in a rotations file and the one crew in a shifts file.
ZH_ROTATION_HEADERS = {
    "轮班": "rotation",
    "班组": "crews",
    "每班小时": "shift_hours",
    "起始时间": "anchor",
    "区域": "district",
    "截止时间": "until",
}
ZH_OVERRIDE_HEADERS = {
    "开始时间": "start",
    "结束时间": "end",
    "班组": "crew",
    "类型": "kind",
    "替换": "replaces",
    "备注": "note",
    "轮班": "rotation",
    "区域": "district",
}
_ZH_SYNONYMS = {
    "轮班名称": "轮班",
    "抢险队": "班组",
    "队伍": "班组",
    "片区": "区域",
    "开始": "开始时间",
    "结束": "结束时间",
}
_M = TypeVar("_M", bound=BaseModel)
_Row = tuple[int, dict[str, str]]  # line number, cells by column


def decode_file(data: str | bytes, *, fallback: str | None) -> str:
    """Text from a file's bytes: UTF-8 (BOM or not), else ``fallback``."""
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        with suppress(UnicodeDecodeError):
            return data.decode(fallback or "utf-8")
        line = data[: exc.start].count(b"\n") + 1
        raise RotaImportError([Problem(line=line, code=ProblemCode.BAD_FILE, message="not UTF-8")]) from None


def localize(naive: datetime, zone: ZoneInfo) -> datetime:
    aware = naive.replace(tzinfo=zone)
    if aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive:
        raise ValueError(f"{naive:%Y-%m-%d %H:%M} does not exist in {zone.key} (the clocks change)")
    return aware


def _pad(match: re.Match[str]) -> str:
    year, month, day, hour = match.groups()
    return f"{year}-{int(month):02}-{int(day):02} {int(hour):02}:"


def parse_time(text: str, zone: ZoneInfo) -> datetime:
    """A time from a file; without an offset it is local time in ``zone``. ValueError says why not."""
    value = re.sub(r"^(\d{4})[/-](\d{1,2})[/-](\d{1,2})[ T](\d{1,2}):", _pad, text.strip())
    try:
        if not re.match(r"\d{4}-?\d\d-?\d\d[T ]\d\d:?\d\d", value):
            raise ValueError
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"bad date {text!r}: expected a date and time like 2027-01-04 08:00") from None
    return moment.astimezone(zone) if moment.tzinfo else localize(moment, zone)


def format_time(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).isoformat(sep=" ")


class RowChecker(list[Problem]):
    """The problems found so far, and field checks that record problems instead of raising."""

    def __init__(self, zone: ZoneInfo, known_crews: Collection[str] | None = None) -> None:
        super().__init__()
        self.zone, self.known = zone, known_crews

    def add(self, line: int, code: ProblemCode, message: str) -> None:
        self.append(Problem(line=line, code=code, message=message))

    def raise_if_any(self) -> None:
        if self:
            raise RotaImportError(self)

    def time(self, line: int, column: str, value: str, *, required: bool = True) -> datetime | None:
        if not value:
            if required:
                self.add(line, ProblemCode.MISSING_VALUE, f"{column} is empty")
            return None
        try:
            return parse_time(value, self.zone)
        except ValueError as exc:
            self.add(line, ProblemCode.BAD_DATE, f"{column}: {exc}")
            return None

    def span(self, line: int, start: datetime | None, end: datetime | None) -> bool:
        if start is not None and end is not None and end <= start:
            self.add(line, ProblemCode.END_BEFORE_START, f"end {end:%Y-%m-%d %H:%M} is not after start")
            return False
        return start is not None and end is not None

    def name(self, line: int, column: str, value: str, *, crew: bool = True) -> str | None:
        if not value:
            return None
        try:
            check_name(value)
        except ValueError as exc:
            self.add(line, ProblemCode.BAD_VALUE, f"{column}: {exc}")
            return None
        if crew and self.known is not None and value not in self.known:
            close = get_close_matches(value, list(self.known), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            self.add(line, ProblemCode.UNKNOWN_CREW, f"{column}: unknown crew {value!r}{hint}")
        return value

    def kind(self, line: int, value: str) -> OverrideKind | None:
        kind = KIND_NAMES.get(value.strip().lower() or "shift")
        if kind is None:
            self.add(line, ProblemCode.UNKNOWN_KIND, f"unknown kind {value!r}, known: {','.join(KIND_NAMES)}")
        return kind

    def hours(self, line: int, value: str) -> float | None:
        with suppress(ValueError):
            if math.isfinite(hours := float(value)) and hours > 0:
                return hours
        self.add(line, ProblemCode.BAD_VALUE, f"shift_hours {value!r} is not a number of hours above 0")
        return None

    def build(self, line: int, make: Callable[[], _M]) -> _M | None:
        try:
            return make()
        except ValidationError as exc:
            for error in exc.errors():
                self.add(line, ProblemCode.BAD_VALUE, str(error["msg"]).removeprefix("Value error, "))
            return None


def _csv_rows(text: str, columns: Sequence[str], required: int, check: RowChecker) -> list[_Row]:
    """(line, cells by column) of each data row; the first ``required`` columns must be in the header."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    out: list[_Row] = []
    last = 0
    try:
        for cells in reader:
            line, last = last + 1, reader.line_num  # a quoted cell may span lines: the row's first line
            if not any(cell.strip() for cell in cells) or cells[0].lstrip().startswith("#"):
                continue
            if header is None:
                zh = ZH_ROTATION_HEADERS if "crews" in columns else ZH_OVERRIDE_HEADERS
                header = [re.sub(r"[\s_-]+", "_", cell.strip().lower()) for cell in cells]
                header = [zh.get(_ZH_SYNONYMS.get(name, name), _HEADER_ALIASES.get(name, name)) for name in header]
                for name in columns[:required]:
                    if name not in header:
                        check.add(line, ProblemCode.MISSING_COLUMN, f"the header has no column {name!r}")
                for name in header:
                    if name not in columns:
                        check.add(line, ProblemCode.UNKNOWN_COLUMN, f"unknown column {name!r}, known: {columns}")
                    elif header.count(name) > 1:
                        check.add(line, ProblemCode.DUPLICATE, f"column {name!r} appears twice")
                        break
                check.raise_if_any()  # without a usable header no row can be read
                continue
            if len(cells) > len(header):
                check.add(line, ProblemCode.BAD_VALUE, f"{len(cells)} cells but the header has {len(header)}")
            row = {name: cells[i].strip() if i < len(cells) else "" for i, name in enumerate(header)}
            out.append((line, {column: row.get(column, "") for column in columns}))
    except csv.Error as exc:
        check.add(reader.line_num, ProblemCode.BAD_FILE, f"unreadable CSV: {exc}")
    if header is None and not check:
        check.add(1, ProblemCode.MISSING_COLUMN, f"no header row (expected {','.join(columns)})")
        check.raise_if_any()
    return out


def rotations_from_csv(
    data: str | bytes, zone: ZoneInfo, *, known_crews: Collection[str] | None = None
) -> list[Rotation]:
    """Rotation definitions from CSV (format in the module docstring); all or nothing."""
    check = RowChecker(zone, known_crews)
    seen: dict[str, int] = {}
    out: list[Rotation] = []
    for line, row in _csv_rows(decode_file(data, fallback="gb18030"), ROTATION_COLUMNS, 4, check):
        before = len(check)
        name = check.name(line, "rotation", row["rotation"], crew=False)
        if not name:
            check.add(line, ProblemCode.MISSING_VALUE, "rotation is empty")
        elif name in seen:
            check.add(line, ProblemCode.DUPLICATE, f"rotation {name!r} is also on line {seen[name]}")
        seen.setdefault(name or "", line)
        crews = [crew.strip() for crew in row["crews"].split("|")] if row["crews"] else []
        if any(not crew for crew in crews):
            check.add(line, ProblemCode.BAD_VALUE, f"crews {row['crews']!r} has an empty name")
        for crew in filter(None, crews):
            check.name(line, "crews", crew)
        hours = check.hours(line, row["shift_hours"])
        anchor = check.time(line, "anchor", row["anchor"])
        until = check.time(line, "until", row["until"], required=False)
        district = check.name(line, "district", row["district"], crew=False)
        if until is not None and anchor is not None and until <= anchor:
            check.add(line, ProblemCode.END_BEFORE_START, "until is not after anchor")
        if len(check) == before and name and hours and anchor:
            make = partial(Rotation, name=name, crews=crews, shift_hours=hours, anchor=anchor)
            made = check.build(line, partial(make, until=until, district=district))
            out += [made] if made else []
    check.raise_if_any()
    return out


def override_from_row(
    check: RowChecker, line: int, row: dict[str, str], start: datetime | None, end: datetime | None
) -> Override | None:
    """One shift/override row (``row`` has every column of the CSV format) -> Override, or problems."""
    before = len(check)
    kind = check.kind(line, row["kind"])
    crew = check.name(line, "crew", row["crew"])
    replaces = check.name(line, "replaces", row["replaces"])
    rotation = check.name(line, "rotation", row["rotation"], crew=False)
    district = check.name(line, "district", row["district"], crew=False)
    spanned = check.span(line, start, end)
    if len(check) > before or not spanned or kind is None:
        return None
    if crew is None and kind is not OverrideKind.LEAVE:
        check.add(line, ProblemCode.MISSING_VALUE, "crew is empty (only a leave has nobody covering)")
        return None
    make = partial(Override, start=start, end=end, crew=crew, kind=kind, replaces=replaces, note=row["note"])
    return check.build(line, partial(make, rotation=rotation, district=district))


def checked_overrides(check: RowChecker, made: list[tuple[int, Override]]) -> list[Override]:
    overrides = [override for _, override in made]
    for conflict in find_conflicts(overrides):
        other = made[conflict.other][0]
        check.add(made[conflict.index][0], ProblemCode.OVERLAP, f"{conflict.message} (line {other})")
    check.raise_if_any()
    return overrides


def overrides_from_csv(
    data: str | bytes, zone: ZoneInfo, *, known_crews: Collection[str] | None = None
) -> list[Override]:
    """Explicit shifts and overrides from CSV (format in the module docstring); all or nothing."""
    check = RowChecker(zone, known_crews)
    made: list[tuple[int, Override]] = []
    for line, row in _csv_rows(decode_file(data, fallback="gb18030"), OVERRIDE_COLUMNS, 3, check):
        start, end = check.time(line, "start", row["start"]), check.time(line, "end", row["end"])
        override = override_from_row(check, line, row, start, end)
        made += [(line, override)] if override else []
    return checked_overrides(check, made)


def _cell(value: object, zone: ZoneInfo) -> str:
    if isinstance(value, datetime):
        return format_time(value, zone)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, list):
        return "|".join(value)
    return "" if value is None else str(value)


def _csv_text(header: Sequence[str], models: Sequence[BaseModel], zone: ZoneInfo) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for model in models:
        fields = model.model_dump() | ({"rotation": model.name} if isinstance(model, Rotation) else {})
        writer.writerow([_cell(fields[column], zone) for column in header])
    return out.getvalue()


def rotations_to_csv(rotations: Sequence[Rotation], zone: ZoneInfo) -> str:
    """Rotations as CSV (format in the module docstring); times with their offset in ``zone``."""
    return _csv_text(ROTATION_COLUMNS, rotations, zone)


def overrides_to_csv(overrides: Sequence[Override], zone: ZoneInfo) -> str:
    """Shifts and overrides as CSV (format in the module docstring); times with their offset in ``zone``."""
    return _csv_text(OVERRIDE_COLUMNS, overrides, zone)
