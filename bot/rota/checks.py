"""Checks over the duty rota: where nobody is on duty (``uncovered``), and overrides that contradict each
other (``find_conflicts``). Pure functions over the models of ``bot.rota.model``; time is passed in, always aware.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime

from bot.rota.model import (
    Conflict,
    Gap,
    GapReason,
    Override,
    OverrideKind,
    Rotation,
    SlotKind,
    _in_utc,
    _Seg,
    _segments,
    _utc,
)

_REASON_ORDER = [GapReason.LEAVE_UNREPLACED, GapReason.NO_MEMBERS, GapReason.EMPTY_ROTATION]


def uncovered(
    rotations: Sequence[Rotation],
    overrides: Sequence[Override],
    start: datetime,
    end: datetime,
    *,
    members_by_crew: Mapping[str, Collection[str] | int] | None = None,
    min_members: int = 1,
) -> list[Gap]:
    """Periods within ``[start, end)`` in which a district has nobody on duty, in ``start``'s zone.

    Districts checked: those of every rotation and explicit shift. With ``members_by_crew`` (crew -> its
    members, or just their number), a crew with fewer than ``min_members`` does not count as cover.
    """
    segs, zone = _segments(rotations, overrides, start, end), start.tzinfo
    start, end = _utc(start), _utc(end)
    lanes_of: dict[str | None, set[str | None]] = {}
    for rotation in rotations:
        lanes_of.setdefault(rotation.district, set()).add(rotation.name)
    names = {rotation.name for rotation in rotations}
    for override in overrides:  # a lane of explicit shifts (no rotation of that name) must be covered too
        if override.kind is OverrideKind.SHIFT and override.rotation not in names:
            lanes_of.setdefault(override.district, set()).add(override.rotation)

    def reason(seg: _Seg) -> GapReason | None:
        if seg.crew is None:
            return GapReason.LEAVE_UNREPLACED if seg.kind is SlotKind.LEAVE else GapReason.EMPTY_ROTATION
        members = 0 if members_by_crew is None else members_by_crew.get(seg.crew, 0)
        size = members if isinstance(members, int) else len(members)
        return GapReason.NO_MEMBERS if members_by_crew is not None and size < min_members else None

    gaps: list[Gap] = []
    for where, lanes in sorted(lanes_of.items(), key=lambda item: (item[0] is not None, item[0] or "")):
        local = [seg for seg in segs if seg.district == where]
        cuts = sorted({start, end} | {t for seg in local for t in (seg.start, seg.end) if start < t < end})
        buckets: list[list[_Seg]] = [[] for _ in cuts[1:]]
        for seg in local:
            for i in range(bisect_left(cuts, max(seg.start, start)), bisect_left(cuts, min(seg.end, end))):
                buckets[i].append(seg)
        for lo, hi, here in zip(cuts, cuts[1:], buckets, strict=False):
            causes = sorted(((reason(seg), seg) for seg in here), key=_by_reason)
            if causes and causes[0][0] is None:
                continue  # somebody is on duty
            gap = _gap(causes, lo.astimezone(zone), hi.astimezone(zone), where, lanes)
            if gaps and gaps[-1].end == gap.start and _same_cause(gaps[-1], gap):
                gap = gaps.pop().model_copy(update={"end": gap.end})
            gaps.append(gap)
    return sorted(gaps, key=lambda g: (g.start, g.district or ""))


def _by_reason(item: tuple[GapReason | None, _Seg]) -> tuple[int, str]:
    return (-1 if item[0] is None else _REASON_ORDER.index(item[0])), item[1].lane or ""


def _gap(
    causes: list[tuple[GapReason | None, _Seg]],
    start: datetime,
    end: datetime,
    district: str | None,
    lanes: set[str | None],
) -> Gap:
    if not causes:
        lane = next(iter(lanes)) if len(lanes) == 1 else None
        return Gap(start=start, end=end, district=district, reason=GapReason.NOT_SCHEDULED, rotation=lane)
    cause, seg = causes[0]
    assert cause is not None
    crew = seg.crew if cause is GapReason.NO_MEMBERS else seg.scheduled
    return Gap(start=start, end=end, district=district, reason=cause, rotation=seg.lane, crew=crew)


def _same_cause(a: Gap, b: Gap) -> bool:
    return a.model_dump(exclude={"start", "end"}) == b.model_dump(exclude={"start", "end"})


def find_conflicts(overrides: Sequence[Override]) -> list[Conflict]:
    """Pairs of overrides that contradict each other, each reported once on the later entry.

    - two explicit shifts in the same lane overlap;
    - two swaps/leaves replace the same crew at the same time (in lanes that can coincide);
    - a crew covers (swap, leave, extra) while it is itself on leave.
    """
    utc = _in_utc(overrides)  # same-zone datetimes would compare as wall-clock times
    conflicts: list[Conflict] = []
    open_: list[int] = []
    for i in sorted(range(len(utc)), key=lambda i: utc[i].start):
        new = overrides[i]
        open_ = [j for j in open_ if utc[j].end > utc[i].start]
        for j in open_:
            message = _contradiction(overrides[j], new) or _contradiction(new, overrides[j])
            if message:
                conflicts.append(Conflict(index=max(i, j), other=min(i, j), message=message))
        open_.append(i)
    conflicts.sort(key=lambda c: (c.index, c.other))
    return conflicts


def _span(o: Override) -> str:
    return f"{o.kind} {o.crew or '-'} {o.start.isoformat()}–{o.end.isoformat()}"


def _may_meet(a: str | None, b: str | None) -> bool:
    """Two lane restrictions can apply to the same slot (None: no restriction)."""
    return a is None or b is None or a == b


def _contradiction(a: Override, b: Override) -> str | None:
    """Why ``a`` and ``b`` (known to overlap in time) cannot both hold; None if they can."""
    replacing = (OverrideKind.SWAP, OverrideKind.LEAVE)
    if a.kind is OverrideKind.SHIFT and b.kind is OverrideKind.SHIFT and a.rotation == b.rotation:
        return f"overlaps the shift {_span(a)} in the same rotation"
    if (
        a.kind in replacing
        and b.kind in replacing
        and a.replaces == b.replaces
        and _may_meet(a.rotation, b.rotation)
        and _may_meet(a.district, b.district)
    ):
        return f"replaces {a.replaces} at the same time as {_span(a)}"
    if a.kind is OverrideKind.LEAVE and b.kind is not OverrideKind.SHIFT and b.crew == a.replaces:
        return f"{b.crew} covers while on leave ({_span(a)})"
    return None
