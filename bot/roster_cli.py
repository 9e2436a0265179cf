"""The ``hotline roster`` and ``hotline invite`` subcommands (wired into :mod:`bot.cli`).

Exit codes: 0 done; 2 bad input (a rota file with bad rows -- each named with its line --, an unknown
role or crew, a time that cannot be read); nothing is stored then.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from pathlib import Path

from bot.clock import SystemClock
from bot.config import Settings
from bot.invites import InviteError, create_invite
from bot.roster import RosterError, export_file, import_file, render_show, show
from bot.rota_io import RotaImportError, parse_time
from storage.db import Database
from storage.people import STAFF_ROLES

EXIT_BAD_INPUT = 2
COMMANDS = ("roster", "invite")


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser], with_config: Callable[..., None]) -> None:
    roster = sub.add_parser("roster", help="the duty rota: import, export, show")
    roster_sub = roster.add_subparsers(dest="roster_command", required=True)
    imp = roster_sub.add_parser("import", help="replace the rotations or the shifts/overrides with a file")
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

    invite = sub.add_parser("invite", help="a one-time code that links a chat account to a staff role")
    invite.add_argument("--role", required=True, choices=sorted(STAFF_ROLES))
    invite.add_argument("--crew", help="the crew (for the roles crew and lead)")
    invite.add_argument("--expires-h", type=float, default=72.0, help="hours the code is valid (default 72)")
    with_config(invite)


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


async def _invite(args: argparse.Namespace, settings: Settings) -> str:
    db = await Database.open(settings.storage.path)
    try:
        made = await create_invite(
            db, settings, role=args.role, crew=args.crew, expires_h=args.expires_h, now=SystemClock().now()
        )
    finally:
        await db.close()
    expires = made.expires_at.astimezone(settings.utility.tz).strftime("%Y-%m-%d %H:%M")
    lines = [
        f"invite code: {made.code}",
        f"role: {made.role}" + (f", crew {made.crew}" if made.crew else "") + f"; single use, expires {expires}",
        f"link: {made.link}" if made.link else f"the new member opens the bot and sends: /start {made.code}",
    ]
    return "\n".join(lines)


def run(args: argparse.Namespace, settings: Settings) -> int:
    try:
        if args.command == "invite":
            print(asyncio.run(_invite(args, settings)))
        else:
            print(asyncio.run(_roster(args, settings)))
    except RotaImportError as exc:
        print(f"error: nothing imported.\n{exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (RosterError, InviteError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return 0
