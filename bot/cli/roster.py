"""The ``hotline roster`` subcommands (wired into :mod:`bot.cli.main`; ``hotline invite`` and ``hotline staff``
are in :mod:`bot.cli.staff`).

Exit codes: 0 done; 2 bad input (a rota file with bad rows -- each named with its line --, a time that
cannot be read); nothing is stored then.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from pathlib import Path

from bot.clock import SystemClock
from bot.config.settings import Settings
from bot.rota.csv_files import RotaImportError, parse_time
from bot.rota.roster import RosterError, export_file, import_file, render_show, show
from storage.db import Database

EXIT_BAD_INPUT = 2
COMMANDS = ("roster",)

FILE_FORMAT = """\
CSV files: UTF-8 (or GB18030, as Excel on Chinese Windows saves), the first row the header, in any order,
English or Chinese names; blank rows and rows starting with # are skipped. Times in the utility's zone
unless they carry an offset: 2027-01-04 08:00, 2027/1/4 8:00, 2027-01-04T08:00:00+08:00.

Rotations (--kind rotations; crews take turns, each for shift_hours, from anchor):
  rotation,crews,shift_hours,anchor,district,until
  轮班,班组,每班小时,起始时间,区域,截止时间
  city,A|B|C|D,12,2027-01-04 08:00,,
  required: rotation, crews (|-separated, in order), shift_hours, anchor

Shifts and overrides (--kind shifts; CSV or .ics):
  start,end,crew,kind,replaces,note,rotation,district
  开始时间,结束时间,班组,类型,替换,备注,轮班,区域
  2027-01-08 20:00,2027-01-09 08:00,D,leave,B,B on a course,,
  required: start, end, crew. kind: shift (default), swap, leave, extra,
  or 值班, 换班/调班, 请假/休假, 加班/增援; replaces: the crew swapped or on leave.

An import replaces the stored rotations (or shifts) whole; a file with a bad row imports nothing and
names every bad line (exit 2). Until rotations are imported the configuration's [rota] is in force;
an imported shift replaces that rota where it is given (one crew on duty, not two).
"""


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser], with_config: Callable[..., None]) -> None:
    roster = sub.add_parser("roster", help="the duty rota: import, export, show")
    roster_sub = roster.add_subparsers(dest="roster_command", required=True)
    imp = roster_sub.add_parser(
        "import",
        help="replace the rotations or the shifts/overrides with a file",
        description=FILE_FORMAT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    imp.add_argument("path", type=Path)
    imp.add_argument("--kind", choices=("rotations", "shifts"), help="default: from the file (.ics: shifts)")
    imp.add_argument("--format", dest="fmt", choices=("csv", "ics"), help="default: from the file name")
    with_config(imp)
    exp = roster_sub.add_parser("export", help="write the shifts of a period as CSV or .ics")
    exp.add_argument("path", type=Path)
    exp.add_argument("--from", dest="start", required=True, help="e.g. '2027-01-04 08:00' (local time)")
    exp.add_argument("--to", dest="end", required=True)
    exp.add_argument("--format", dest="fmt", choices=("csv", "ics"), help="default: from the file name")
    with_config(exp)
    shw = roster_sub.add_parser("show", help="who is on duty at a time, who is next, gaps ahead")
    shw.add_argument("--at", help="a time (local unless it has an offset); default: now")
    with_config(shw)


async def _roster(args: argparse.Namespace, settings: Settings) -> str:
    zone, now = settings.utility.tz, SystemClock().now()
    db = await Database.open(settings.storage.path)
    try:
        if args.roster_command == "import":
            done = await import_file(db, settings, args.path, now=now, kind=args.kind, fmt=args.fmt)
            return (
                f"imported {done.rows} {done.kind} from {args.path} ({done.fmt}); they replace the stored {done.kind}"
            )
        if args.roster_command == "export":
            start, end = parse_time(args.start, zone), parse_time(args.end, zone)
            count = await export_file(db, settings, args.path, start, end, now=now, fmt=args.fmt)
            return f"exported {count} shift(s) to {args.path}"
        at = parse_time(args.at, zone) if args.at else now
        return render_show(await show(db, settings, at), settings)
    finally:
        await db.close()


def run(args: argparse.Namespace, settings: Settings) -> int:
    try:
        print(asyncio.run(_roster(args, settings)))
    except RotaImportError as exc:
        print(f"error: nothing imported.\n{exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (RosterError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return 0
