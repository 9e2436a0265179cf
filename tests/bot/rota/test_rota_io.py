"""Rota files: CSV and iCalendar in and out; bad files name every bad line and import nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from bot.rota.csv_files import (
    ProblemCode,
    RotaImportError,
    overrides_from_csv,
    overrides_to_csv,
    parse_time,
    rotations_from_csv,
    rotations_to_csv,
)
from bot.rota.ics import overrides_from_ics, slot_uid, slots_to_ics
from bot.rota.model import DutySlot, Override, OverrideKind, Rotation, shifts_between
from tests.kit.roster import DATA

ZONE = ZoneInfo("Asia/Shanghai")
CREWS = {"A", "B", "C", "D", "E"}
NOW = datetime(2026, 12, 20, 10, tzinfo=UTC)


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZONE)


def problems(exc: pytest.ExceptionInfo[RotaImportError]) -> list[tuple[int, ProblemCode]]:
    return [(p.line, p.code) for p in exc.value.problems]


def roster(slots: list[DutySlot]) -> list[tuple[str, datetime, datetime, str | None, str | None, str]]:
    """What a calendar shows: who, when, where, and the note."""
    return [(s.crew, s.start, s.end, s.rotation, s.district, s.note) for s in slots]


# --- reading good files --------------------------------------------------------------------------------


def test_the_rotation_csv() -> None:
    rotations = rotations_from_csv((DATA / "four_teams.csv").read_bytes(), ZONE, known_crews=CREWS)
    assert rotations == [
        Rotation(name="city", crews=["A", "B", "C", "D"], shift_hours=12, anchor=local("2027-01-04 08:00"))
    ]


def test_the_calendar_of_shifts() -> None:
    shifts = overrides_from_ics((DATA / "four_teams.ics").read_bytes(), ZONE, known_crews=CREWS)
    assert len(shifts) == 62
    assert {o.kind for o in shifts} == {OverrideKind.SHIFT}
    assert (shifts[1].crew, shifts[1].start, shifts[1].end) == (
        "B",
        local("2027-01-04 20:00"),
        local("2027-01-05 08:00"),
    )
    assert shifts[2].end == local("2027-01-05 20:00")  # DURATION:PT12H
    assert shifts[5].note == (
        "Night shift, crew B. Handover at the Nanshan depot before 08:00; check the leak detectors."
    )  # escapes undone, folded line joined


def test_the_overrides_csv() -> None:
    changes = overrides_from_csv((DATA / "overrides.csv").read_bytes(), ZONE, known_crews=CREWS)
    assert [(o.kind, o.crew, o.replaces) for o in changes] == [
        (OverrideKind.LEAVE, "D", "B"),
        (OverrideKind.EXTRA, "E", None),
        (OverrideKind.SWAP, "C", "A"),
        (OverrideKind.SWAP, "A", "C"),
        (OverrideKind.LEAVE, None, "C"),
    ]
    assert changes[0].note == "B on a training course, D covers"
    assert changes[0].start == local("2027-01-08 00:00")


def test_csv_spellings_encodings_and_aliases() -> None:
    text = (
        "Start , END,Crew,Kind,Replaces,Note\r\n"
        "2027/1/4 8:00,2027-01-04T20:00:00+08:00,甲队,值班,,白班\r\n"
        "2027-01-04T12:00:00Z,2027-01-05 08:00,乙队,加班,,\r\n"
        "2027-01-05 08:00,2027-01-05 20:00,丙队,请假,甲队,\r\n"
    )
    for data in (text, text.encode("utf-8-sig"), text.encode("gb18030")):
        rows = overrides_from_csv(data, ZONE, known_crews={"甲队", "乙队", "丙队"})
        assert [o.kind for o in rows] == [OverrideKind.SHIFT, OverrideKind.EXTRA, OverrideKind.LEAVE]
        assert rows[0].start == local("2027-01-04 08:00")
        assert rows[1].start == local("2027-01-04 20:00")
        assert rows[0].note == "白班"


def test_times_without_a_zone_are_local_to_the_utility() -> None:
    assert parse_time("2027-01-04 08:00", ZONE) == datetime(2027, 1, 4, tzinfo=UTC)
    assert parse_time("2027-01-04 08:00", ZoneInfo("UTC")) == datetime(2027, 1, 4, 8, tzinfo=UTC)
    assert parse_time("2027-01-04T08:00:00-05:00", ZONE) == datetime(2027, 1, 4, 13, tzinfo=UTC)
    for bad in ("2027-01-04", "08:00", "yesterday", "2027-02-29 08:00", "2027-01-04 25:00"):
        with pytest.raises(ValueError, match="bad date"):
            parse_time(bad, ZONE)
    with pytest.raises(ValueError, match="does not exist"):
        parse_time("2027-03-14 02:30", ZoneInfo("America/New_York"))  # the clocks jump 02:00 -> 03:00


def test_ics_dates_cancelled_events_and_an_outlook_style_zone() -> None:
    text = "\r\n".join(
        [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//test//EN",
            "BEGIN:VTIMEZONE",
            "TZID:China Standard Time",
            "BEGIN:STANDARD",
            "DTSTART:16010101T000000",
            "TZOFFSETFROM:+0800",
            "TZOFFSETTO:+0800",
            "END:STANDARD",
            "END:VTIMEZONE",
            "BEGIN:VEVENT",
            "DTSTART;VALUE=DATE:20270104",
            "DTEND;VALUE=DATE:20270105",
            "SUMMARY:A",
            "CATEGORIES:Extra",
            "X-HOTLINE-ROTATION:city",
            "END:VEVENT",
            "BEGIN:VEVENT",
            "STATUS:CANCELLED",
            "DTSTART:20270104T080000",
            "DTEND:20270104T200000",
            "SUMMARY:B",
            "END:VEVENT",
            "BEGIN:VEVENT",
            "DTSTART;TZID=China Standard Time:20270105T080000",
            "DTEND;TZID=China Standard Time:20270105T200000",
            "SUMMARY:C",
            "X-HOTLINE-REPLACES:D",
            "CATEGORIES:swap",
            "END:VEVENT",
            "END:VCALENDAR",
            "",
        ]
    )
    extra, swap = overrides_from_ics(text, ZONE)
    assert (extra.kind, extra.start, extra.end, extra.rotation) == (
        OverrideKind.EXTRA, local("2027-01-04 00:00"), local("2027-01-05 00:00"), "city",
    )  # fmt: skip
    assert (swap.kind, swap.crew, swap.replaces, swap.start) == (
        OverrideKind.SWAP, "C", "D", local("2027-01-05 08:00"),
    )  # fmt: skip


# --- bad files: every bad line named, nothing imported ------------------------------------------------


def test_a_bad_overrides_csv_names_every_bad_line() -> None:
    with pytest.raises(RotaImportError) as exc:
        overrides_from_csv((DATA / "bad_overrides.csv").read_bytes(), ZONE, known_crews=CREWS)
    assert problems(exc) == [
        (4, ProblemCode.BAD_DATE),  # month 13
        (7, ProblemCode.END_BEFORE_START),  # (lines 5-6 are one row with a two-line note)
        (8, ProblemCode.UNKNOWN_CREW),
        (9, ProblemCode.UNKNOWN_KIND),
        (10, ProblemCode.BAD_VALUE),  # a swap without the crew it replaces
        (11, ProblemCode.OVERLAP),  # with line 3
        (12, ProblemCode.MISSING_VALUE),
        (13, ProblemCode.BAD_VALUE),  # too many cells
        (16, ProblemCode.END_BEFORE_START),  # a row on lines 16-17 is named by its first line
    ]
    messages = {p.line: p.message for p in exc.value.problems}
    assert "line 3" in messages[11]
    assert "'X'" in messages[8]
    assert "line 4:" in str(exc.value) and "line 13:" in str(exc.value)


def test_a_bad_rotation_csv_names_every_bad_line() -> None:
    with pytest.raises(RotaImportError) as exc:
        rotations_from_csv((DATA / "bad_rotations.csv").read_bytes(), ZONE, known_crews=set("ABCDEF"))
    assert problems(exc) == [
        (3, ProblemCode.DUPLICATE),
        (4, ProblemCode.BAD_VALUE),  # E||F
        (4, ProblemCode.BAD_VALUE),  # twelve hours
        (5, ProblemCode.UNKNOWN_CREW),
        (5, ProblemCode.BAD_VALUE),  # -8 hours
        (5, ProblemCode.BAD_DATE),  # 30 February
        (6, ProblemCode.END_BEFORE_START),
        (7, ProblemCode.MISSING_VALUE),
        (8, ProblemCode.BAD_DATE),  # no time of day
    ]


def test_a_bad_ics_names_every_bad_event() -> None:
    with pytest.raises(RotaImportError) as exc:
        overrides_from_ics((DATA / "bad.ics").read_bytes(), ZONE, known_crews=set("ABCD"))
    assert problems(exc) == [
        (12, ProblemCode.BAD_DATE),  # 32 January, on the DTSTART line
        (16, ProblemCode.END_BEFORE_START),
        (22, ProblemCode.UNKNOWN_CREW),  # "Crew X"
        (30, ProblemCode.UNKNOWN_KIND),  # CATEGORIES:Holiday
        (41, ProblemCode.UNSUPPORTED),  # RRULE
        (44, ProblemCode.MISSING_VALUE),  # no DTSTART
        (49, ProblemCode.OVERLAP),  # with the event on line 4
        (57, ProblemCode.BAD_DATE),  # unknown time zone
        (58, ProblemCode.BAD_DATE),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("start,end\n2027-01-04 08:00,2027-01-04 20:00\n", [(1, ProblemCode.MISSING_COLUMN)]),
        ("start,end,crew,colour\n", [(1, ProblemCode.UNKNOWN_COLUMN)]),
        ("# only a comment\n\n", [(1, ProblemCode.MISSING_COLUMN)]),
        ("start,end,crew,start\n", [(1, ProblemCode.DUPLICATE)]),
        ("start,end,crew\n2027-01-04 08:00,2027-01-04 20:00,A,\n", [(2, ProblemCode.BAD_VALUE)]),
        ("start,end,crew,kind\n2027-01-04 08:00,2027-01-04 20:00,,extra\n", [(2, ProblemCode.MISSING_VALUE)]),
        ("start,end,crew\n2027-01-04 08:00,2027-01-04 20:00, A|B\n", [(2, ProblemCode.BAD_VALUE)]),
    ],
)
def test_header_and_cell_problems(text: str, expected: list[tuple[int, ProblemCode]]) -> None:
    with pytest.raises(RotaImportError) as exc:
        overrides_from_csv(text, ZONE)
    assert problems(exc) == expected


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (b"start,end,crew\n\xff\xfe\xfd\xfc\n", None),  # neither UTF-8 nor GB18030: CSV
        ("hello world\n", 1),
        ("BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:A\nEND:VCALENDAR\n", 4),
        ("BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nSUMMARY:A\nEND:VEVENT\n", 5),
    ],
)
def test_unreadable_files(data: str | bytes, line: int | None) -> None:
    with pytest.raises(RotaImportError) as exc:
        if line is None:
            overrides_from_csv(data, ZONE)
        else:
            overrides_from_ics(data, ZONE)
    assert {p.code for p in exc.value.problems} == {ProblemCode.BAD_FILE}
    if line is not None:
        assert exc.value.problems[0].line == line


def test_an_ics_that_is_not_utf8_is_refused_with_its_line() -> None:
    with pytest.raises(RotaImportError) as exc:
        overrides_from_ics(b"BEGIN:VCALENDAR\nSUMMARY:\xe7\x94\n", ZONE)
    assert problems(exc) == [(2, ProblemCode.BAD_FILE)]


# --- writing and reading back -------------------------------------------------------------------------


def _rota() -> tuple[list[Rotation], list[Override]]:
    rotations = rotations_from_csv((DATA / "four_teams.csv").read_bytes(), ZONE)
    rotations.append(
        Rotation(
            name="北区",
            crews=["甲队", "乙队"],
            shift_hours=24,
            anchor=local("2027-01-01 09:00"),
            until=local("2027-03-01 09:00"),
            district="North",
        )  # fmt: skip
    )
    changes = overrides_from_csv((DATA / "overrides.csv").read_bytes(), ZONE)
    changes.append(
        Override(
            start=local("2027-01-06 09:00"),
            end=local("2027-01-06 21:30"),
            crew="丙队",
            kind=OverrideKind.SWAP,
            replaces="甲队",
            rotation="北区",
            note='换班, "quoted"\nsecond line; 分号',
        )  # fmt: skip
    )
    return rotations, changes


def test_rotations_and_overrides_round_trip_through_csv() -> None:
    rotations, changes = _rota()
    assert rotations_from_csv(rotations_to_csv(rotations, ZONE), ZONE) == rotations
    assert overrides_from_csv(overrides_to_csv(changes, ZONE), ZONE) == changes
    odd = Rotation(name="odd", crews=["A"], shift_hours=7.75, anchor=local("2027-01-04 08:00:00.000001"))
    assert rotations_from_csv(rotations_to_csv([odd], ZONE), ZONE) == [odd]


def test_shifts_round_trip_through_ics() -> None:
    rotations, changes = _rota()
    changes.append(
        Override(start=local("2027-01-20 10:00"), end=local("2027-01-20 16:00"), crew="E",
                 kind=OverrideKind.EXTRA, rotation="city", note="extra cover inside the city lane")
    )  # fmt: skip
    start, end = local("2027-01-01 00:00"), local("2027-02-01 00:00")
    slots = shifts_between(rotations, changes, start, end)
    data = slots_to_ics(slots, ZONE, now=NOW)
    again = overrides_from_ics(data, ZONE)
    assert len(again) == len(slots)
    assert roster(shifts_between([], again, start, end)) == roster(slots)
    assert [o.kind for o in again].count(OverrideKind.EXTRA) == 2
    assert slots_to_ics(slots, ZONE, now=NOW) == data  # deterministic


def test_the_exported_calendar() -> None:
    rotations, changes = _rota()
    slots = shifts_between(rotations, changes, local("2027-01-08 00:00"), local("2027-01-09 00:00"))
    calendar = Calendar.from_ical(slots_to_ics(slots, ZONE, now=NOW))
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    events: list[Any] = calendar.walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == [s.crew for s in slots]
    assert all(e["DTSTART"].params["TZID"] == "Asia/Shanghai" for e in events)
    covering = next(e for e in events if e["DTSTART"].dt == local("2027-01-08 20:00"))
    assert str(covering["SUMMARY"]) == "D"
    assert (str(covering["X-HOTLINE-SOURCE"]), str(covering["X-HOTLINE-COVERS"])) == ("leave", "B")
    uids = [str(e["UID"]) for e in events]
    assert len(set(uids)) == len(uids)


def test_uids_are_stable_per_slot() -> None:
    rotations, changes = _rota()
    window = (local("2027-01-04 00:00"), local("2027-01-20 00:00"))
    with_extra = {slot_uid(s) for s in shifts_between(rotations, changes, *window)}
    without = {slot_uid(s) for s in shifts_between(rotations, changes[2:], *window)}
    assert with_extra != without
    slots = shifts_between(rotations, changes[2:], *window)
    assert [slot_uid(s) for s in slots] == [
        slot_uid(s.model_copy(update={"start": s.start.astimezone(UTC)})) for s in slots
    ]
    assert len(with_extra ^ without) < 10  # only the slots the leave and the extra touch change


def test_exporting_needs_an_aware_now() -> None:
    with pytest.raises(ValueError, match="aware"):
        slots_to_ics([], ZONE, now=datetime(2027, 1, 1) + timedelta(0))  # noqa: DTZ001
