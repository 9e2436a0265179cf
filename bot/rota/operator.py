"""``hotline roster``: import and export the duty rota, and show who is on duty at a given time.

An import reads the whole file first (any bad row: nothing is stored, every bad line is named, see
:mod:`bot.rota.csv_files`) and then replaces that part of the stored rota in one transaction: ``rotations``
(CSV) or ``shifts`` (explicit shifts and overrides, CSV or .ics). Output here is for the operator's
terminal (English), not for chat users.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal

from bot.config.settings import Settings
from bot.operator_error import OperatorError
from bot.outbound.reach import staff_lines
from bot.rota.coverage import gaps_ahead
from bot.rota.csv_files import decode_file, overrides_from_csv, overrides_to_csv, rotations_from_csv
from bot.rota.duty import Rota, rota_around, save_overrides, save_rotations, stored_overrides
from bot.rota.ics import overrides_from_ics, slots_to_ics
from bot.rota.model import DutySlot, Gap, Override, OverrideKind, SlotKind, next_on_duty, on_duty, shifts_between
from storage.db import Database
from storage.rota import RotaFileKind, RotaRepo
from storage.sync import SyncConnection

logger = logging.getLogger(__name__)

Format = Literal["csv", "ics"]


class RotaError(OperatorError, ValueError):
    """A ``hotline roster`` command cannot run as asked (no such file, a calendar of rotations, ...)."""


@dataclass(frozen=True)
class Imported:
    kind: RotaFileKind
    fmt: Format
    rows: int


def file_format(path: Path, fmt: str | None) -> Format:
    if fmt in ("csv", "ics"):
        return fmt  # type: ignore[return-value]
    if fmt is not None:
        raise RotaError("roster.bad_format", fmt=repr(fmt))
    return "ics" if path.suffix.lower() in (".ics", ".ical", ".ifb") else "csv"


def _csv_kind(data: bytes) -> RotaFileKind:
    """A rotations file has a ``crews`` or ``shift_hours`` column (每班小时, 起始时间); anything else is shifts."""
    try:
        text = decode_file(data, fallback="gb18030")
    except ValueError:
        return "shifts"  # the reader names the problem
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            columns = {cell.strip().lower().replace(" ", "_") for cell in line.split(",")}
            return "rotations" if columns & {"crews", "crew_order", "shift_hours", "每班小时", "起始时间"} else "shifts"
    return "shifts"


async def _read(path: Path) -> bytes:
    try:
        return await asyncio.to_thread(path.read_bytes)
    except OSError as exc:
        raise RotaError("roster.unreadable", path=path, reason=exc.strerror) from exc


def known_crews(settings: Settings) -> set[str] | None:
    return {crew.name for crew in settings.crews} or None


async def import_file(
    db: Database, settings: Settings, path: Path, *, now: datetime, kind: str | None = None, fmt: str | None = None
) -> Imported:
    """Read ``path`` whole, then replace that part of the stored rota; raises RotaImportError naming bad lines."""
    form = file_format(path, fmt)
    data = await _read(path)
    zone, known = settings.utility.tz, known_crews(settings)
    if kind not in (None, "rotations", "shifts"):
        raise RotaError("roster.bad_kind", kind=repr(kind))
    chosen: RotaFileKind = ("shifts" if form == "ics" else _csv_kind(data)) if kind is None else kind  # type: ignore[assignment]
    if form == "ics" and chosen == "rotations":
        raise RotaError("roster.ics_rotations")

    async def save(tx: SyncConnection) -> int:
        if chosen == "rotations":
            rotations = rotations_from_csv(data, zone, known_crews=known)
            await save_rotations(tx, rotations, fmt=form, source=path.name, now=now)
            return len(rotations)
        reader = overrides_from_ics if form == "ics" else overrides_from_csv
        overrides = reader(data, zone, known_crews=known)
        await save_overrides(tx, overrides, fmt=form, source=path.name, now=now)
        return len(overrides)

    count = await db.run(save)
    logger.info("rota import: %d %s from a %s file", count, chosen, form)
    return Imported(kind=chosen, fmt=form, rows=count)


def slots_as_overrides(slots: list[DutySlot]) -> list[Override]:
    """Slots as explicit shifts (extra cover stays extra): a file that reads back as the same slots."""
    return [
        Override(
            start=slot.start,
            end=slot.end,
            crew=slot.crew,
            kind=OverrideKind.EXTRA if slot.kind is SlotKind.EXTRA else OverrideKind.SHIFT,
            note=slot.note,
            rotation=slot.rotation,
            district=slot.district,
        )
        for slot in slots
    ]


async def export_file(
    db: Database,
    settings: Settings,
    path: Path,
    start: datetime,
    end: datetime,
    *,
    now: datetime,
    fmt: str | None = None,
) -> int:
    """Write every slot overlapping ``[start, end)`` to ``path`` (CSV of shifts or .ics); returns the count."""
    if end <= start:
        raise RotaError("roster.backwards")
    form, zone = file_format(path, fmt), settings.utility.tz

    async def around(tx: SyncConnection) -> Rota:
        rota = await rota_around(tx, settings, start)
        rota.overrides = await stored_overrides(tx, start - timedelta(days=8), end)
        return rota

    rota = await db.read(around)
    slots = shifts_between(rota.rotations, rota.overrides, start.astimezone(zone), end)
    if form == "ics":
        data = slots_to_ics(slots, zone, now=now, name=f"{settings.utility.name} rota")
    else:
        data = overrides_to_csv(slots_as_overrides(slots), zone).encode("utf-8-sig")
    await asyncio.to_thread(path.write_bytes, data)
    return len(slots)


Source = tuple[str, dict[str, object]]  # a ``cli.roster.*`` text and its values (``bot.cli.roster`` says it)


@dataclass(frozen=True)
class Show:
    at: datetime
    on_duty: list[DutySlot]
    next: list[DutySlot]
    gaps: list[Gap]
    no_rota: bool
    unreachable: list[str] = field(default_factory=list)  # staff the bot cannot reach (bot.outbound.reach)
    sources: list[Source] = field(default_factory=list)  # which rota is in force, and the shifts imported


async def show(db: Database, settings: Settings, at: datetime) -> Show:
    at = at.astimezone(settings.utility.tz)

    async def shown(tx: SyncConnection) -> tuple[Rota, list[Gap], list[str], list[Source]]:
        return (
            await rota_around(tx, settings, at),
            await gaps_ahead(tx, settings, at),
            await staff_lines(tx, settings),
            await _sources(RotaRepo(tx), settings),
        )

    rota, gaps, unreachable, sources = await db.read(shown)
    if rota.empty:
        return Show(at=at, on_duty=[], next=[], gaps=[], no_rota=True, unreachable=unreachable, sources=sources)
    current = on_duty(rota.rotations, rota.overrides, at)
    coming = next_on_duty(rota.rotations, rota.overrides, at)
    return Show(at=at, on_duty=current, next=coming, gaps=gaps, no_rota=False, unreachable=unreachable, sources=sources)


async def _sources(repo: RotaRepo, settings: Settings) -> list[Source]:
    zone = settings.utility.tz
    rotations, shifts = await repo.last_import("rotations"), await repo.last_import("shifts")
    rota: Source
    if rotations is not None:
        name, rows, when = rotations
        rota = ("roster.source_imported", {"rows": rows, "name": name, "at": when_text(when.astimezone(zone))})
    elif settings.rota.crews:
        crews, hours = ", ".join(settings.rota.crews), settings.rota.shift_hours
        rota = ("roster.source_config", {"crews": crews, "hours": hours})
    else:
        rota = ("roster.source_none", {})
    if shifts is None:
        return [rota, ("roster.shifts_none", {})]
    name, rows, when = shifts
    return [rota, ("roster.shifts_imported", {"rows": rows, "name": name, "at": when_text(when.astimezone(zone))})]


def when_text(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")
