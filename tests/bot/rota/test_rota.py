"""The rota: who is on duty, overrides, gaps; a four-crew rota read from CSV and from .ics must agree."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from pydantic import ValidationError

from bot.rota.checks import find_conflicts, uncovered
from bot.rota.csv_files import overrides_from_csv, rotations_from_csv
from bot.rota.ics import overrides_from_ics
from bot.rota.model import (
    DutySlot,
    Gap,
    GapReason,
    Override,
    OverrideKind,
    RotaError,
    Rotation,
    SlotKind,
    next_on_duty,
    on_duty,
    shifts_between,
)
from tests.kit.roster import DATA
from tests.kit.rota import ZONE, crews_at, local

CREWS = {"A", "B", "C", "D", "E"}


@pytest.fixture
def rotation() -> Rotation:
    (city,) = rotations_from_csv((DATA / "four_teams.csv").read_bytes(), ZONE, known_crews=CREWS)
    return city


@pytest.fixture
def changes() -> list[Override]:
    return overrides_from_csv((DATA / "overrides.csv").read_bytes(), ZONE, known_crews=CREWS)


# --- the four-crew rota, as a rotation (CSV) and as a list of shifts (.ics) --------------------------

# (instant in Shanghai, crew on duty, its shift) — worked out by hand: A day, B night, C day, D night, ...
TABLE = [
    ("2027-01-04 07:59:59", None, None),  # before the first shift: nobody
    ("2027-01-04 08:00:00", "A", ("2027-01-04 08:00", "2027-01-04 20:00")),  # first boundary
    ("2027-01-04 19:59:59", "A", ("2027-01-04 08:00", "2027-01-04 20:00")),
    ("2027-01-04 20:00:00", "B", ("2027-01-04 20:00", "2027-01-05 08:00")),
    ("2027-01-05 00:00:00", "B", ("2027-01-04 20:00", "2027-01-05 08:00")),  # across midnight
    ("2027-01-05 07:59:59", "B", ("2027-01-04 20:00", "2027-01-05 08:00")),
    ("2027-01-05 08:00:00", "C", ("2027-01-05 08:00", "2027-01-05 20:00")),
    ("2027-01-05 20:00:00", "D", ("2027-01-05 20:00", "2027-01-06 08:00")),
    ("2027-01-06 08:00:00", "A", ("2027-01-06 08:00", "2027-01-06 20:00")),  # the cycle starts again
    ("2027-01-10 14:00:00", "A", ("2027-01-10 08:00", "2027-01-10 20:00")),
    ("2027-01-31 19:59:59", "C", ("2027-01-31 08:00", "2027-01-31 20:00")),
    ("2027-01-31 23:30:00", "D", ("2027-01-31 20:00", "2027-02-01 08:00")),
    ("2027-02-01 00:00:00", "D", ("2027-01-31 20:00", "2027-02-01 08:00")),  # across the month end
    ("2027-02-01 07:59:59", "D", ("2027-01-31 20:00", "2027-02-01 08:00")),
    ("2027-02-01 08:00:00", "A", ("2027-02-01 08:00", "2027-02-01 20:00")),
]


@pytest.fixture(scope="module", params=["csv", "ics"])
def four_teams_read(request: pytest.FixtureRequest) -> tuple[list[Rotation], list[Override]]:
    """The rota file read once for the module's tests (the .ics file's 62 shifts take ~8 ms to read)."""
    if request.param == "csv":
        return rotations_from_csv((DATA / "four_teams.csv").read_text("utf-8"), ZONE, known_crews=CREWS), []
    return [], overrides_from_ics((DATA / "four_teams.ics").read_bytes(), ZONE, known_crews=CREWS)


@pytest.fixture
def four_teams(four_teams_read: tuple[list[Rotation], list[Override]]) -> tuple[list[Rotation], list[Override]]:
    """Each test's own lists of the rota read (the rotations and shifts themselves are frozen)."""
    rotations, overrides = four_teams_read
    return list(rotations), list(overrides)


@pytest.mark.parametrize(("when", "crew", "shift"), TABLE, ids=[row[0] for row in TABLE])
def test_on_duty_matches_the_hand_written_table(
    four_teams: tuple[list[Rotation], list[Override]],
    when: str,
    crew: str | None,
    shift: tuple[str, str] | None,
) -> None:
    slots = on_duty(*four_teams, local(when))
    if crew is None:
        assert slots == []
        return
    assert shift is not None
    assert [(s.crew, s.start, s.end) for s in slots] == [(crew, local(shift[0]), local(shift[1]))]


def test_csv_and_ics_give_the_same_rota_for_a_month(rotation: Rotation) -> None:
    ics = overrides_from_ics((DATA / "four_teams.ics").read_bytes(), ZONE, known_crews=CREWS)
    start, end = local("2027-01-04 08:00"), local("2027-02-04 08:00")
    from_csv = shifts_between([rotation], [], start, end)
    from_ics = shifts_between([], ics, start, end)
    assert len(from_csv) == len(from_ics) == 62
    assert [(s.crew, s.start, s.end) for s in from_csv] == [(s.crew, s.start, s.end) for s in from_ics]


def test_a_period_takes_the_slots_that_overlap_it_and_no_more() -> None:
    shifts = overrides_from_ics((DATA / "four_teams.ics").read_bytes(), ZONE)
    day = shifts_between([], shifts, local("2027-01-04 08:00"), local("2027-01-05 08:00"))
    assert [(s.crew, s.start) for s in day] == [
        ("A", local("2027-01-04 08:00")),
        ("B", local("2027-01-04 20:00")),
    ]
    (whole,) = shifts_between([], shifts, local("2027-01-04 10:00"), local("2027-01-04 11:00"))
    assert (whole.start, whole.end) == (local("2027-01-04 08:00"), local("2027-01-04 20:00"))  # not clipped


def test_an_instant_in_another_zone_is_the_same_instant(rotation: Rotation) -> None:
    (slot,) = on_duty([rotation], [], datetime(2027, 1, 4, 12, tzinfo=UTC))  # 20:00 in Shanghai
    assert slot.crew == "B"
    assert slot.start == local("2027-01-04 20:00")
    assert slot.start.tzinfo is UTC  # answers come in the zone of the question


def test_a_rotation_ends_at_until(rotation: Rotation) -> None:
    ended = rotation.model_copy(update={"until": local("2027-01-05 02:00")})
    (last,) = on_duty([ended], [], local("2027-01-05 01:59"))
    assert (last.crew, last.end) == ("B", local("2027-01-05 02:00"))
    assert on_duty([ended], [], local("2027-01-05 02:00")) == []


# --- overrides change exactly their window ------------------------------------------------------------


def _instants(override: Override) -> list[datetime]:
    every_half_hour = [local("2027-01-03 00:00") + timedelta(minutes=30 * i) for i in range(24 * 2 * 24)]
    edges = [override.start, override.end]
    return every_half_hour + [t + d for t in edges for d in (timedelta(seconds=-1), timedelta(0))]


@pytest.mark.parametrize("index", range(5), ids=["leave", "extra", "swap-1", "swap-2", "leave-uncovered"])
def test_each_override_changes_exactly_its_window(rotation: Rotation, changes: list[Override], index: int) -> None:
    override = changes[index]
    changed = 0
    for at in _instants(override):
        before = crews_at([rotation], [], at)
        after = crews_at([rotation], [override], at)
        if not override.start <= at < override.end:
            assert after == before, at
            continue
        if override.kind is OverrideKind.EXTRA:
            expected = sorted([*before, override.crew or ""])
        else:
            replaced = [override.crew if crew == override.replaces else crew for crew in before]
            expected = sorted(crew for crew in replaced if crew is not None)
        assert after == expected, at
        changed += after != before
    assert changed > 0  # each override does something


def test_a_leave_with_replacement_splits_the_shift_at_its_window(rotation: Rotation, changes: list[Override]) -> None:
    leave = changes[0]  # B on a course 8 Jan 00:00 – 11 Jan 00:00, D covers
    assert on_duty([rotation], [leave], local("2027-01-08 10:00"))[0].crew == "A"
    (covered,) = on_duty([rotation], [leave], local("2027-01-08 23:00"))
    assert (
        covered.model_dump()
        == DutySlot(
            crew="D",
            start=local("2027-01-08 20:00"),
            end=local("2027-01-09 08:00"),
            rotation="city",
            kind=SlotKind.LEAVE,
            replaces="B",
            note="B on a training course, D covers",
        ).model_dump()
    )
    (late,) = on_duty([rotation], [leave], local("2027-01-10 23:59:59"))
    assert (late.crew, late.start, late.end) == ("D", local("2027-01-10 20:00"), local("2027-01-11 00:00"))
    (back,) = on_duty([rotation], [leave], local("2027-01-11 00:00"))
    assert (back.crew, back.kind, back.start) == ("B", SlotKind.ROTATION, local("2027-01-11 00:00"))


def test_extra_cover_and_swaps(rotation: Rotation, changes: list[Override]) -> None:
    assert crews_at([rotation], changes, local("2027-01-12 17:59")) == ["A"]
    assert crews_at([rotation], changes, local("2027-01-12 19:00")) == ["A", "E"]
    assert crews_at([rotation], changes, local("2027-01-12 21:00")) == ["B", "E"]
    assert crews_at([rotation], changes, local("2027-01-12 22:00")) == ["B"]
    (swapped,) = on_duty([rotation], changes, local("2027-01-14 12:00"))
    assert (swapped.crew, swapped.kind, swapped.replaces) == ("C", SlotKind.SWAP, "A")
    assert crews_at([rotation], changes, local("2027-01-15 12:00")) == ["A"]
    assert crews_at([rotation], changes, local("2027-01-16 12:00")) == ["A"]  # back to normal


def test_next_on_duty(rotation: Rotation, changes: list[Override]) -> None:
    def nexts(at: str) -> list[tuple[str, datetime]]:
        return [(s.crew, s.start) for s in next_on_duty([rotation], changes, local(at))]

    assert nexts("2027-01-04 08:00") == [("B", local("2027-01-04 20:00"))]
    assert nexts("2027-01-04 07:00") == [("A", local("2027-01-04 08:00"))]
    assert nexts("2027-01-08 21:00") == [("C", local("2027-01-09 08:00"))]
    assert nexts("2027-01-12 17:00") == [("E", local("2027-01-12 18:00")), ("B", local("2027-01-12 20:00"))]
    assert nexts("2027-01-10 21:00") == [("B", local("2027-01-11 00:00"))]  # B is back mid-shift

    north = Rotation(name="north", crews=["N1", "N2"], shift_hours=24, anchor=local("2027-01-01 09:00"),
                     district="North")  # fmt: skip
    late_extra = Override(start=local("2027-01-04 22:00"), end=local("2027-01-05 02:00"), crew="E",
                          kind=OverrideKind.EXTRA)  # fmt: skip
    slots = next_on_duty([rotation, north], [late_extra], local("2027-01-04 10:00"))
    assert [(s.crew, s.start, s.district) for s in slots] == [
        ("B", local("2027-01-04 20:00"), None),
        ("E", local("2027-01-04 22:00"), None),  # before the last lane's handover: listed
        ("N1", local("2027-01-05 09:00"), "North"),  # N1 1 Jan, N2 2 Jan, ... N1 5 Jan
    ]


def test_shifts_tile_time_except_where_nobody_covers(rotation: Rotation, changes: list[Override]) -> None:
    slots = shifts_between([rotation], changes, local("2027-01-04 08:00"), local("2027-01-28 08:00"))
    regular = [slot for slot in slots if slot.kind is not SlotKind.EXTRA]
    holes = [(a.end, b.start) for a, b in pairwise(regular) if a.end != b.start]
    assert holes == [(local("2027-01-21 08:00"), local("2027-01-21 20:00"))]
    assert all(a.end <= b.start for a, b in pairwise(regular))


# --- gaps ----------------------------------------------------------------------------------------------


def test_uncovered_finds_the_leave_without_replacement_in_the_next_14_days(
    rotation: Rotation, changes: list[Override]
) -> None:
    now = local("2027-01-15 12:00")
    gaps = uncovered([rotation], changes, now, now + timedelta(days=14))
    assert gaps == [
        Gap(
            start=local("2027-01-21 08:00"),
            end=local("2027-01-21 20:00"),
            district=None,
            reason=GapReason.LEAVE_UNREPLACED,
            rotation="city",
            crew="C",
        )
    ]
    assert uncovered([rotation], changes[:4], now, now + timedelta(days=14)) == []


def test_uncovered_before_a_rotation_starts_and_after_it_ends(rotation: Rotation) -> None:
    ended = rotation.model_copy(update={"until": local("2027-01-10 08:00")})
    gaps = uncovered([ended], [], local("2027-01-01 00:00"), local("2027-01-12 00:00"))
    assert [(g.start, g.end, g.reason, g.rotation) for g in gaps] == [
        (local("2027-01-01 00:00"), local("2027-01-04 08:00"), GapReason.NOT_SCHEDULED, "city"),
        (local("2027-01-10 08:00"), local("2027-01-12 00:00"), GapReason.NOT_SCHEDULED, "city"),
    ]
    successor = Rotation(name="city-2", crews=["C", "D"], shift_hours=24, anchor=local("2027-01-10 08:00"))
    gaps = uncovered([ended, successor], [], local("2027-01-05 00:00"), local("2027-01-12 00:00"))
    assert gaps == []  # same district (none): the new rotation takes over


def test_uncovered_reports_an_empty_rotation_per_district(rotation: Rotation) -> None:
    east = Rotation(name="east", crews=[], shift_hours=12, anchor=local("2027-01-01 08:00"), district="East")
    gaps = uncovered([rotation, east], [], local("2027-01-05 00:00"), local("2027-01-06 00:00"))
    assert [(g.district, g.reason, g.start, g.end) for g in gaps] == [
        ("East", GapReason.EMPTY_ROTATION, local("2027-01-05 00:00"), local("2027-01-06 00:00"))
    ]


def test_uncovered_counts_members_when_given(rotation: Rotation) -> None:
    members: dict[str, list[str] | int] = {"A": ["Li", "Wang"], "B": [], "C": 3}  # D is missing altogether
    gaps = uncovered([rotation], [], local("2027-01-04 08:00"), local("2027-01-06 08:00"), members_by_crew=members)
    assert [(g.crew, g.reason, g.start, g.end) for g in gaps] == [
        ("B", GapReason.NO_MEMBERS, local("2027-01-04 20:00"), local("2027-01-05 08:00")),
        ("D", GapReason.NO_MEMBERS, local("2027-01-05 20:00"), local("2027-01-06 08:00")),
    ]
    assert uncovered([rotation], [], local("2027-01-04 08:00"), local("2027-01-06 08:00"),
                     members_by_crew=members, min_members=3)[0].crew == "A"  # fmt: skip


def test_a_second_rotation_in_the_district_covers_a_leave(rotation: Rotation) -> None:
    north = rotation.model_copy(update={"name": "north", "district": "North"})
    backup = Rotation(name="north-b", crews=["E"], shift_hours=24, anchor=rotation.anchor, district="North")
    leave = Override(start=local("2027-01-05 08:00"), end=local("2027-01-05 20:00"), crew=None,
                     kind=OverrideKind.LEAVE, replaces="C", rotation="north")  # fmt: skip
    window = (local("2027-01-05 00:00"), local("2027-01-06 00:00"))
    assert uncovered([north, backup], [leave], *window) == []
    (gap,) = uncovered([north], [leave], *window)
    assert (gap.district, gap.rotation, gap.crew) == ("North", "north", "C")


# --- models and errors ---------------------------------------------------------------------------------


def test_models_round_trip_through_json(rotation: Rotation, changes: list[Override]) -> None:
    assert Rotation.model_validate_json(rotation.model_dump_json()) == rotation
    for override in changes:
        assert Override.model_validate_json(override.model_dump_json()) == override
    for slot in shifts_between([rotation], changes, local("2027-01-08 00:00"), local("2027-01-16 00:00")):
        assert DutySlot.model_validate_json(slot.model_dump_json()) == slot


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": "swap", "crew": "A"},  # a swap needs the crew it replaces
        {"kind": "extra", "crew": "A", "replaces": "B"},
        {"kind": "shift", "crew": None},
        {"kind": "leave", "crew": "B", "replaces": "B"},
        {"kind": "shift", "crew": "A|B"},
        {"kind": "shift", "crew": "A", "end": "2027-01-05 07:00"},
        {"kind": "shift", "crew": "A", "start": "2027-01-05 08:00"},  # naive
    ],
)
def test_bad_overrides_are_refused(fields: dict[str, object]) -> None:
    values: dict[str, object] = {"start": local("2027-01-05 08:00"), "end": local("2027-01-05 20:00")}
    if isinstance(fields.get("end"), str):
        fields = {**fields, "end": local(str(fields["end"]))}
    with pytest.raises(ValidationError):
        Override.model_validate(values | fields)


def test_bad_rotations_and_calls_are_refused(rotation: Rotation) -> None:
    with pytest.raises(ValidationError):
        Rotation(name="x", crews=["A"], shift_hours=0, anchor=local("2027-01-04 08:00"))
    with pytest.raises(ValidationError):
        Rotation(name="x", crews=["A"], shift_hours=12, anchor=local("2027-01-04 08:00"),
                 until=local("2027-01-04 08:00"))  # fmt: skip
    with pytest.raises(RotaError, match="naive"):
        on_duty([rotation], [], datetime(2027, 1, 4, 8))  # noqa: DTZ001 - the point of the test
    with pytest.raises(RotaError, match="duplicate"):
        on_duty([rotation, rotation], [], local("2027-01-04 08:00"))
    with pytest.raises(RotaError):
        shifts_between([rotation], [], local("2027-01-05 08:00"), local("2027-01-04 08:00"))


def test_find_conflicts() -> None:
    def o(kind: str, crew: str | None, start: str, end: str, replaces: str | None = None) -> Override:
        return Override(start=local(start), end=local(end), crew=crew, kind=OverrideKind(kind), replaces=replaces)

    overrides = [
        o("shift", "A", "2027-01-05 08:00", "2027-01-05 20:00"),
        o("shift", "B", "2027-01-05 19:00", "2027-01-06 08:00"),  # overlaps 0
        o("shift", "C", "2027-01-06 08:00", "2027-01-06 20:00"),  # touches 1: fine
        o("leave", "D", "2027-01-07 00:00", "2027-01-09 00:00", replaces="B"),
        o("swap", "A", "2027-01-08 20:00", "2027-01-09 08:00", replaces="B"),  # B replaced twice
        o("extra", "B", "2027-01-07 10:00", "2027-01-07 12:00"),  # B covers while on leave
        o("leave", None, "2027-01-10 00:00", "2027-01-11 00:00", replaces="C"),
        o("leave", "D", "2027-01-12 00:00", "2027-01-13 00:00", replaces="C"),  # after 6: fine
    ]
    assert [(c.index, c.other) for c in find_conflicts(overrides)] == [(1, 0), (4, 3), (5, 3)]
