"""The ``hotline roster`` subcommands (wired into :mod:`bot.cli.main`; ``hotline invite`` and ``hotline staff``
are in :mod:`bot.cli.staff`).

Exit codes: 0 done; 2 bad input (a rota file with bad rows -- each named with its line --, a time that
cannot be read); nothing is stored then.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot.cli.text import Kit, Say
from bot.clock import SystemClock
from bot.config.settings import Settings
from bot.rota.csv_files import RotaImportError, parse_time
from bot.rota.model import DutySlot, SlotKind
from bot.rota.operator import RotaError, Show, export_file, import_file, show, when_text
from storage.engines import open_database

EXIT_BAD_INPUT = 2
COMMANDS = ("roster",)


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser], kit: Kit) -> None:
    roster = kit.add(sub, "roster", "help.roster")
    roster_sub = kit.commands(roster, "roster_command")
    imp = kit.add(roster_sub, "import", "help.roster_import", description=kit.say("roster.file_format"))
    imp.add_argument("path", type=Path, help=kit.say("help.roster_path"))
    imp.add_argument("--kind", choices=("rotations", "shifts"), help=kit.say("help.roster_kind"))
    imp.add_argument("--format", dest="fmt", choices=("csv", "ics"), help=kit.say("help.roster_format"))
    kit.with_config(imp)
    exp = kit.add(roster_sub, "export", "help.roster_export")
    exp.add_argument("path", type=Path, help=kit.say("help.roster_path"))
    exp.add_argument("--from", dest="start", required=True, help=kit.say("help.roster_from"))
    exp.add_argument("--to", dest="end", required=True, help=kit.say("help.roster_to"))
    exp.add_argument("--format", dest="fmt", choices=("csv", "ics"), help=kit.say("help.roster_format"))
    kit.with_config(exp)
    shw = kit.add(roster_sub, "show", "help.roster_show")
    shw.add_argument("--at", help=kit.say("help.roster_at"))
    kit.with_config(shw)


def slot_line(slot: DutySlot, say: Say) -> str:
    where = [say("roster.rotation", name=slot.rotation)] if slot.rotation else []
    where += [say("roster.district", name=slot.district)] if slot.district else []
    if slot.kind is not SlotKind.ROTATION and slot.kind is not SlotKind.SHIFT:
        where.append(
            say("roster.replaces", kind=slot.kind.value, crew=slot.replaces) if slot.replaces else slot.kind.value
        )
    tail = f"  ({', '.join(where)})" if where else ""
    return f"  {slot.crew}  {when_text(slot.start)} – {when_text(slot.end)}{tail}"


def render_show(result: Show, settings: Settings, say: Say) -> str:
    zone = settings.utility.timezone
    lines = [say("roster.title", at=when_text(result.at), zone=zone)]
    lines += [say(key, **values) for key, values in result.sources]
    unreachable = (
        [say("roster.unreachable"), *(f"  {line}" for line in result.unreachable)] if result.unreachable else []
    )
    if result.no_rota:
        crews = ", ".join(crew.name for crew in settings.crews) or say("roster.no_crews")
        return "\n".join([*lines, say("roster.no_rota", crews=crews), *unreachable])
    lines.append(say("roster.on_duty"))
    lines += [slot_line(slot, say) for slot in result.on_duty] or [say("roster.nobody")]
    lines.append(say("roster.next"))
    lines += [slot_line(slot, say) for slot in result.next] or [say("roster.nothing_next")]
    lines.append(say("roster.uncovered"))
    for gap in result.gaps:
        who = say("roster.gap_crew", name=gap.crew) if gap.crew else ""
        where = say("roster.gap_district", name=gap.district) if gap.district else ""
        lines.append(f"  {when_text(gap.start)} – {when_text(gap.end)}  {gap.reason.value}{who}{where}")
    if not result.gaps:
        lines.append(say("roster.none"))
    return "\n".join([*lines, *unreachable])


async def _roster(args: argparse.Namespace, settings: Settings, say: Say) -> str:
    zone, now = settings.utility.tz, SystemClock().now()
    db = await open_database(settings.storage)
    try:
        if args.roster_command == "import":
            done = await import_file(db, settings, args.path, now=now, kind=args.kind, fmt=args.fmt)
            kind = say(f"roster.kind_{done.kind}")
            return say("roster.imported", rows=done.rows, kind=kind, path=args.path, fmt=done.fmt)
        if args.roster_command == "export":
            start, end = parse_time(args.start, zone), parse_time(args.end, zone)
            count = await export_file(db, settings, args.path, start, end, now=now, fmt=args.fmt)
            return say("roster.exported", count=count, path=args.path)
        at = parse_time(args.at, zone) if args.at else now
        return render_show(await show(db, settings, at), settings, say)
    finally:
        await db.close()


def run(args: argparse.Namespace, settings: Settings, say: Say) -> int:
    try:
        print(asyncio.run(_roster(args, settings, say)))
    except RotaImportError as exc:
        print(say("err.nothing_imported", error=exc), file=sys.stderr)
        return EXIT_BAD_INPUT
    except (RotaError, ValueError) as exc:
        print(say.error(exc), file=sys.stderr)
        return EXIT_BAD_INPUT
    return 0
