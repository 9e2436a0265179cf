"""Who is on duty: the stored rota (rotations + overrides), or the configuration's ``[rota]`` until a
rotations file was imported; and ``/duty`` for staff.

With no rota at all (nothing configured, nothing imported) every crew is on duty, so a report always
reaches someone.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.config.settings import Settings
from bot.context import Ctx
from bot.rota.model import DutySlot, Override, OverrideKind, Rotation, SlotKind, next_on_duty, on_duty
from bot.routes import Router
from storage.db import Conn
from storage.people import CREW_ROLES, CrewsRepo, PeopleRepo
from storage.rota import RotaRepo

logger = logging.getLogger(__name__)

CONFIG_ROTATION = "config"
# Overrides are loaded for a window around the instant asked about: long enough back for the boundaries of
# the current shift, long enough ahead for "next" (bot.rota.model.next_on_duty looks 31 days ahead).
_BACK, _AHEAD = timedelta(days=8), timedelta(days=32)


def config_rotation(settings: Settings) -> Rotation | None:
    """The configuration's ``[rota]`` as a rotation (its anchor in the utility's zone if it has none)."""
    rota = settings.rota
    if not rota.crews:
        return None
    anchor = rota.anchor if rota.anchor.tzinfo else rota.anchor.replace(tzinfo=settings.utility.tz)
    return Rotation(name=CONFIG_ROTATION, crews=list(rota.crews), shift_hours=rota.shift_hours, anchor=anchor)


@dataclass
class Rota:
    rotations: list[Rotation] = field(default_factory=list)
    overrides: list[Override] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.rotations and not self.overrides


async def stored_overrides(tx: Conn, start: datetime | None = None, end: datetime | None = None) -> list[Override]:
    """The stored overrides overlapping ``[start, end)`` (all of them without bounds), in file order."""
    return [Override.model_validate_json(doc) for doc in await RotaRepo(tx).overrides(start, end)]


async def save_rotations(tx: Conn, rotations: Sequence[Rotation], *, fmt: str, source: str, now: datetime) -> None:
    """Replace the stored rotations (an import of ``source``)."""
    docs = [(rotation.name, rotation.model_dump_json()) for rotation in rotations]
    await RotaRepo(tx).replace_rotations(docs, fmt=fmt, source=source, now=now)


async def save_overrides(tx: Conn, overrides: Sequence[Override], *, fmt: str, source: str, now: datetime) -> None:
    """Replace the stored overrides (an import of ``source``)."""
    docs = [(o.start, o.end, o.model_dump_json()) for o in overrides]
    await RotaRepo(tx).replace_overrides(docs, fmt=fmt, source=source, now=now)


async def load_rota(tx: Conn, settings: Settings, start: datetime | None = None, end: datetime | None = None) -> Rota:
    """The rota in force, with the overrides overlapping ``[start, end)`` (all of them without bounds)."""
    repo = RotaRepo(tx)
    overrides = await stored_overrides(tx, start, end)
    if await repo.rotations_imported():
        return Rota([Rotation.model_validate_json(doc) for doc in await repo.rotations()], overrides)
    configured = config_rotation(settings)
    if configured is None:
        return Rota([], overrides)
    # Explicit shifts of no named rotation take the configured rota's place where they are (its lane),
    # rather than a second crew on duty beside the configured one.
    return Rota([configured], [_in_config_lane(o) for o in overrides])


def _in_config_lane(override: Override) -> Override:
    if override.kind is OverrideKind.SHIFT and override.rotation is None:
        return override.model_copy(update={"rotation": CONFIG_ROTATION})
    return override


async def rota_around(tx: Conn, settings: Settings, at: datetime) -> Rota:
    return await load_rota(tx, settings, at - _BACK, at + _AHEAD)


def _names(slots: list[DutySlot]) -> list[str]:
    return list(dict.fromkeys(slot.crew for slot in slots))


async def crews_on_duty(tx: Conn, settings: Settings, now: datetime) -> list[str]:
    """Names of the crews on duty at ``now`` (in the order of their lanes, extra cover last)."""
    rota = await rota_around(tx, settings, now)
    if rota.empty:
        return [crew.name for crew in settings.crews]
    return _names(on_duty(rota.rotations, rota.overrides, now))


# --- /duty -------------------------------------------------------------------------------------------


async def _slot_line(ctx: Ctx, slot: DutySlot, key: str, unreachable: set[int]) -> str:
    tz = ctx.settings.utility.tz
    crews, people = CrewsRepo(ctx.tx), PeopleRepo(ctx.tx)
    crew = await crews.by_name(slot.crew)
    found = await people.crew_members(crew.id) if crew is not None else []
    mark = " " + ctx.t("duty.unreachable")
    members = [p.name + (mark if p.id in unreachable else "") for p in found]
    line = ctx.t(
        key,
        crew=slot.crew,
        start=slot.start.astimezone(tz).strftime("%m-%d %H:%M"),
        end=slot.end.astimezone(tz).strftime("%m-%d %H:%M"),
    )
    if slot.kind is SlotKind.EXTRA:
        line += " " + ctx.t("duty.extra")
    elif slot.replaces:
        line += " " + ctx.t("duty.covers", crew=slot.replaces)
    if members:
        line += "\n   " + ", ".join(members)
    return line


async def duty(ctx: Ctx) -> None:
    """``/duty``: who is on duty now and who comes next; for staff only."""
    rota = await rota_around(ctx.tx, ctx.settings, ctx.now)
    if rota.empty:
        lines = [ctx.t("duty.no_rota", crews=", ".join(crew.name for crew in ctx.settings.crews) or "-")]
        crew_staff = [p for p, _ in await PeopleRepo(ctx.tx).unreachable_staff() if p.role in CREW_ROLES]
        if crew_staff:
            lines.append(ctx.t("duty.unreachable_list", names=", ".join(p.name for p in crew_staff)))
        ctx.say_text("\n".join(lines))
        return
    current = on_duty(rota.rotations, rota.overrides, ctx.now)
    coming = next_on_duty(rota.rotations, rota.overrides, ctx.now)
    unreachable = await PeopleRepo(ctx.tx).unreachable_ids()
    lines = [ctx.t("duty.now_title")]
    lines += [await _slot_line(ctx, slot, "duty.slot", unreachable) for slot in current] or [ctx.t("duty.nobody")]
    lines += ["", ctx.t("duty.next_title")]
    lines += [await _slot_line(ctx, slot, "duty.slot", unreachable) for slot in coming] or [ctx.t("duty.nothing_next")]
    ctx.say_text("\n".join(lines))


ROUTES = Router("duty")
ROUTES.command("duty", duty, "staff", refusal="duty.refused")
