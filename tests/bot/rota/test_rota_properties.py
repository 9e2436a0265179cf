"""Properties of the rota over any rotation, zone and time: one crew at every instant, shifts tiling time; a
leave touching only the replaced crew, inside its window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.rota.checks import uncovered
from bot.rota.model import Override, OverrideKind, Rotation, on_duty, shifts_between
from tests.kit.rota import ZONE, crews_at, local

ZONES = [ZONE, ZoneInfo("UTC"), ZoneInfo("America/New_York"), ZoneInfo("Australia/Lord_Howe")]


@settings(max_examples=300, deadline=None)
@given(
    n=st.integers(1, 6),
    hours=st.integers(1, 48),
    anchor=st.datetimes(
        min_value=datetime(2000, 1, 1),  # noqa: DTZ001 - hypothesis bounds are naive
        max_value=datetime(2100, 1, 1),  # noqa: DTZ001
        timezones=st.sampled_from(ZONES),
        allow_imaginary=False,
    ),
    offset=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=3650)),
    span=st.timedeltas(min_value=timedelta(seconds=1), max_value=timedelta(days=10)),
    zone=st.sampled_from(ZONES),
)
def test_one_crew_at_every_instant_and_shifts_tile_time(
    n: int, hours: int, anchor: datetime, offset: timedelta, span: timedelta, zone: ZoneInfo
) -> None:
    crews = [f"crew{i}" for i in range(n)]
    rotation = Rotation(name="p", crews=crews, shift_hours=hours, anchor=anchor)
    shift = timedelta(hours=hours)
    at = (anchor.astimezone(UTC) + offset).astimezone(zone)

    (slot,) = on_duty([rotation], [], at)
    k = offset // shift
    assert slot.crew == crews[k % n]
    # Compared in UTC: two aware times of one zone compare by wall clock, so 01:00 before and 01:00 after the
    # clocks go back (fold 0 and 1) would count as equal.
    assert slot.start.astimezone(UTC) <= at.astimezone(UTC) < slot.end.astimezone(UTC)
    assert slot.end.astimezone(UTC) - slot.start.astimezone(UTC) == shift

    end = at.astimezone(UTC) + span
    slots = shifts_between([rotation], [], at, end)
    assert slots[0] == slot
    assert slots[-1].start < end <= slots[-1].end
    for a, b in pairwise(slots):
        assert a.end == b.start
        assert b.crew == crews[(crews.index(a.crew) + 1) % n]


@settings(max_examples=200, deadline=None)
@given(
    start_h=st.integers(0, 24 * 20),
    length_h=st.integers(1, 24 * 5),
    replaced=st.sampled_from("ABCD"),
    cover=st.sampled_from(["E", None]),
    at_h=st.floats(0, 24 * 30, allow_nan=False),
)
def test_a_leave_only_touches_the_replaced_crew_inside_its_window(
    start_h: int, length_h: int, replaced: str, cover: str | None, at_h: float
) -> None:
    rotation = Rotation(name="city", crews=list("ABCD"), shift_hours=12, anchor=local("2027-01-04 08:00"))
    base = local("2027-01-04 08:00")
    leave = Override(start=base + timedelta(hours=start_h), end=base + timedelta(hours=start_h + length_h),
                     crew=cover, kind=OverrideKind.LEAVE, replaces=replaced)  # fmt: skip
    at = base + timedelta(hours=at_h)
    before, after = crews_at([rotation], [], at), crews_at([rotation], [leave], at)
    if leave.start <= at < leave.end and before == [replaced]:
        assert after == ([cover] if cover else [])
        assert bool(uncovered([rotation], [leave], at, at + timedelta(seconds=1))) == (cover is None)
    else:
        assert after == before
