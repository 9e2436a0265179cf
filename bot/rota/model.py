"""The duty rota: which rescue crew (抢险队) is on duty when, and where nobody is.

Pure logic over plain pydantic models (they serialise to JSON as they are); time is passed in, always aware.

- A :class:`Rotation` is one *lane*: its crews take turns, ``shift_hours`` each, ``crews[0]`` starting at
  ``anchor``, until ``until`` (if given); it may carry a ``district`` label. Shifts are counted in elapsed
  time (a 12 h shift lasts 12 h across a DST change; Asia/Shanghai has none).
- An :class:`Override` changes the rota in its window ``[start, end)``:

  * ``shift``: an explicit shift of ``crew`` in lane ``rotation`` (which may name no :class:`Rotation`:
    a rota given as a list of shifts, e.g. an imported calendar); it paints over the rotation's crew.
  * ``swap`` / ``leave``: wherever ``replaces`` is scheduled (by a rotation or an explicit shift) within
    the window -- in lane ``rotation`` / ``district`` if given -- ``crew`` works instead; a leave may have
    no ``crew`` (a gap). Replacements match the *scheduled* crew and do not chain; when two cover the
    same time the later in the list wins (:func:`bot.rota.checks.find_conflicts` reports such pairs).
  * ``extra``: ``crew`` is on duty *in addition*, in lane ``rotation`` / ``district``.

- Coverage (:func:`bot.rota.checks.uncovered`) is per district (``None`` is one too): a time is covered when any lane of
  the district has a crew on duty (with enough members, if memberships are given).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, tzinfo
from enum import StrEnum
from typing import Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from common.errors import HotlineError


class RotaError(HotlineError, ValueError):
    """A rota cannot be used as given (naive datetime, duplicate rotation names, bad file, ...)."""


def check_name(name: str) -> str:
    """A crew, rotation or district name: non-empty, no surrounding spaces, no ``|`` or control characters."""
    if not name or name != name.strip():
        raise ValueError(f"name {name!r} is empty or has surrounding spaces")
    if "|" in name or any(ord(ch) < 32 for ch in name):
        raise ValueError(f"name {name!r} contains '|' or a control character")
    return name


class OverrideKind(StrEnum):
    SHIFT = "shift"
    SWAP = "swap"
    LEAVE = "leave"
    EXTRA = "extra"


class SlotKind(StrEnum):  # where a duty slot comes from
    ROTATION = "rotation"
    SHIFT = "shift"
    SWAP = "swap"
    LEAVE = "leave"
    EXTRA = "extra"


_Model = ConfigDict(frozen=True, extra="forbid")


class Rotation(BaseModel):
    model_config = _Model

    name: str
    crews: list[str] = Field(default_factory=list)
    shift_hours: float = Field(gt=0)
    anchor: AwareDatetime
    until: AwareDatetime | None = None
    district: str | None = None

    @field_validator("name", "district")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        return None if value is None else check_name(value)

    @field_validator("crews")
    @classmethod
    def _crews(cls, value: list[str]) -> list[str]:
        return [check_name(crew) for crew in value]

    @model_validator(mode="after")
    def _until_after_anchor(self) -> Self:
        if self.until is not None and self.until <= self.anchor:
            raise ValueError("until must be after anchor")
        return self

    @property
    def shift(self) -> timedelta:
        return timedelta(hours=self.shift_hours)


class Override(BaseModel):
    model_config = _Model

    start: AwareDatetime
    end: AwareDatetime
    crew: str | None
    kind: OverrideKind
    replaces: str | None = None
    note: str = ""
    rotation: str | None = None
    district: str | None = None

    @field_validator("crew", "replaces", "rotation", "district")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        return None if value is None else check_name(value)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.end <= self.start:
            raise ValueError("end must be after start")
        replacing = self.kind in (OverrideKind.SWAP, OverrideKind.LEAVE)
        if replacing and self.replaces is None:
            raise ValueError(f"a {self.kind} needs the crew it replaces")
        if not replacing and self.replaces is not None:
            raise ValueError(f"a {self.kind} replaces nobody (leave 'replaces' empty)")
        if self.crew is None and self.kind is not OverrideKind.LEAVE:
            raise ValueError(f"a {self.kind} needs a crew (only a leave may have nobody covering)")
        if self.crew is not None and self.crew == self.replaces:
            raise ValueError("a crew cannot replace itself")
        return self


class DutySlot(BaseModel):
    """One crew on duty in one lane from ``start`` to ``end`` (whole shift, boundaries after overrides)."""

    model_config = _Model

    crew: str
    start: AwareDatetime
    end: AwareDatetime
    rotation: str | None = None
    district: str | None = None
    kind: SlotKind = SlotKind.ROTATION
    replaces: str | None = None
    note: str = ""


class GapReason(StrEnum):
    NOT_SCHEDULED = "not_scheduled"  # before a rotation starts, after it ends, between explicit shifts
    EMPTY_ROTATION = "empty_rotation"  # the rotation has no crews
    LEAVE_UNREPLACED = "leave_unreplaced"  # ``crew`` is on leave and nobody covers
    NO_MEMBERS = "no_members"  # ``crew`` is on duty but has fewer members than required


class Gap(BaseModel):
    """A period (clipped to the query window) in which a district has nobody on duty."""

    model_config = _Model

    start: AwareDatetime
    end: AwareDatetime
    district: str | None
    reason: GapReason
    rotation: str | None = None
    crew: str | None = None


class Conflict(BaseModel):
    """Overrides ``index`` and ``other`` (the earlier one) contradict each other."""

    model_config = _Model

    index: int
    other: int
    message: str


@dataclass(frozen=True, slots=True)
class _Seg:
    start: datetime
    end: datetime
    lane: str | None
    district: str | None
    kind: SlotKind
    crew: str | None  # None: nobody (leave without cover, empty rotation)
    scheduled: str | None  # the crew the base rota puts here, which swaps and leaves match
    replaces: str | None = None
    note: str = ""


def _aware(*moments: datetime) -> None:
    for moment in moments:
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise RotaError(f"naive datetime {moment.isoformat()}: rota times must be timezone-aware")


def _overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    return a_start < b_end and b_start < a_end


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _rotation_segments(rotation: Rotation, start: datetime, end: datetime) -> list[_Seg]:
    """In UTC (elapsed time: aware datetimes sharing a tzinfo would subtract as wall-clock times)."""
    shift, anchor = rotation.shift, _utc(rotation.anchor)
    until = None if rotation.until is None else _utc(rotation.until)
    stop = end if until is None else min(end, until)
    segs: list[_Seg] = []
    k = max(0, (start - anchor) // shift)
    while (slot_start := anchor + k * shift) < stop:
        slot_end = slot_start + shift if until is None else min(slot_start + shift, until)
        crew = rotation.crews[k % len(rotation.crews)] if rotation.crews else None
        segs.append(_Seg(slot_start, slot_end, rotation.name, rotation.district, SlotKind.ROTATION, crew, crew))
        k += 1
    return segs


def _paint(segs: list[_Seg], new: _Seg) -> list[_Seg]:
    """``segs`` of one lane with ``new``'s window cut out, plus ``new``."""
    out: list[_Seg] = []
    for seg in segs:
        if not _overlaps(seg.start, seg.end, new.start, new.end):
            out.append(seg)
            continue
        if seg.start < new.start:
            out.append(replace(seg, end=new.start))
        if new.end < seg.end:
            out.append(replace(seg, start=new.end))
    out.append(new)
    return out


def _apply(seg: _Seg, override: Override) -> list[_Seg]:
    """``seg`` with the part inside ``override``'s window handed to the covering crew."""
    lo, hi = max(seg.start, override.start), min(seg.end, override.end)
    pieces = [replace(seg, end=lo)] if seg.start < lo else []
    pieces.append(
        replace(
            seg,
            start=lo,
            end=hi,
            kind=SlotKind(override.kind.value),
            crew=override.crew,
            replaces=override.replaces,
            note=override.note,
        )
    )
    if hi < seg.end:
        pieces.append(replace(seg, start=hi))
    return pieces


def _in_utc(overrides: Sequence[Override]) -> list[Override]:
    return [o.model_copy(update={"start": _utc(o.start), "end": _utc(o.end)}) for o in overrides]


def _from(override: Override, kind: SlotKind, district: str | None, scheduled: str | None) -> _Seg:
    o = override
    return _Seg(o.start, o.end, o.rotation, district, kind, o.crew, scheduled, note=o.note)


def _segments(
    rotations: Sequence[Rotation], overrides: Sequence[Override], start: datetime, end: datetime
) -> list[_Seg]:
    """Every segment (staffed or not) overlapping ``[start, end)``, unclipped, sorted; all in UTC."""
    _aware(start, end)
    start, end = _utc(start), _utc(end)
    if end <= start:
        raise RotaError("the end of a period must be after its start")
    overrides = _in_utc(overrides)
    names = [rotation.name for rotation in rotations]
    if len(set(names)) != len(names):
        raise RotaError(f"duplicate rotation names in {names}")
    district_of = {rotation.name: rotation.district for rotation in rotations}

    def district(override: Override) -> str | None:
        if override.district is not None or override.rotation is None:
            return override.district
        return district_of.get(override.rotation)

    lanes: dict[str | None, list[_Seg]] = {}
    for rotation in rotations:
        lanes[rotation.name] = _rotation_segments(rotation, start, end)
    for override in overrides:
        if override.kind is not OverrideKind.SHIFT:
            continue
        lane = lanes.setdefault(override.rotation, [])
        lo = min([start, *(seg.start for seg in lane)])
        hi = max([end, *(seg.end for seg in lane)])
        if _overlaps(override.start, override.end, lo, hi):
            new = _from(override, SlotKind.SHIFT, district(override), override.crew)
            lanes[override.rotation] = _paint(lane, new)
    segs = [seg for lane_segs in lanes.values() for seg in lane_segs]
    for override in overrides:
        if override.kind not in (OverrideKind.SWAP, OverrideKind.LEAVE):
            continue
        next_segs: list[_Seg] = []
        for seg in segs:
            if (
                seg.scheduled == override.replaces
                and override.rotation in (None, seg.lane)
                and override.district in (None, seg.district)
                and _overlaps(seg.start, seg.end, override.start, override.end)
            ):
                next_segs.extend(_apply(seg, override))
            else:
                next_segs.append(seg)
        segs = next_segs
    for override in overrides:
        if override.kind is OverrideKind.EXTRA:
            segs.append(_from(override, SlotKind.EXTRA, district(override), None))
    segs = [seg for seg in segs if _overlaps(seg.start, seg.end, start, end)]
    segs.sort(key=lambda s: (s.start, s.kind is SlotKind.EXTRA, s.lane or "", s.district or "", s.crew or ""))
    return segs


def _slot(seg: _Seg, zone: tzinfo | None) -> DutySlot:
    assert seg.crew is not None
    return DutySlot(
        crew=seg.crew,
        start=seg.start.astimezone(zone),
        end=seg.end.astimezone(zone),
        rotation=seg.lane,
        district=seg.district,
        kind=seg.kind,
        replaces=seg.replaces,
        note=seg.note,
    )


def shifts_between(
    rotations: Sequence[Rotation], overrides: Sequence[Override], start: datetime, end: datetime
) -> list[DutySlot]:
    """Every slot with a crew that overlaps ``[start, end)``, whole (not clipped), by start time.

    Times come in the zone of ``start`` (of ``at`` for :func:`on_duty` and :func:`next_on_duty`).
    """
    segs = _segments(rotations, overrides, start, end)
    return [_slot(seg, start.tzinfo) for seg in segs if seg.crew is not None]


def on_duty(rotations: Sequence[Rotation], overrides: Sequence[Override], at: datetime) -> list[DutySlot]:
    """The slots covering the instant ``at`` (``start <= at < end``): one per staffed lane, plus extras."""
    _aware(at)
    segs = _segments(rotations, overrides, at, _utc(at) + timedelta(microseconds=1))
    return [_slot(seg, at.tzinfo) for seg in segs if seg.crew is not None]


def next_on_duty(
    rotations: Sequence[Rotation],
    overrides: Sequence[Override],
    at: datetime,
    *,
    within: timedelta = timedelta(days=31),
) -> list[DutySlot]:
    """The slots that come next: per lane, the first one starting after ``at`` (within ``within``), and the
    extra cover starting no later than the last of those (with no lanes: the first extra cover)."""
    _aware(at)
    segs = _segments(rotations, overrides, at, _utc(at) + within)
    segs = [seg for seg in segs if seg.crew is not None and seg.start > at]
    first: dict[tuple[str | None, str | None], datetime] = {}
    for seg in segs:
        if seg.kind is not SlotKind.EXTRA:
            first.setdefault((seg.lane, seg.district), seg.start)
    horizon = max(first.values(), default=min((seg.start for seg in segs), default=at))

    def is_next(seg: _Seg) -> bool:
        return seg.start <= horizon if seg.kind is SlotKind.EXTRA else first[seg.lane, seg.district] == seg.start

    return [_slot(seg, at.tzinfo) for seg in segs if is_next(seg)]
