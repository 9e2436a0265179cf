"""``hotline figures``: the figures of a month (or any period) for the archive, printed by section.

Each section is a function ``(db, settings, start, end, now, lang) -> lines`` in its feature's package
(``[start, end)`` the period, ``now`` for what is overdue at the time of asking); ``SECTIONS`` lists them.
Real figures never count a drill; drills have their own section.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from datetime import date, datetime, time

from bot.config import Settings
from bot.drills.figures import drills_section
from bot.i18n import Lang
from storage.db import Database

EXIT_BAD_INPUT = 2
COMMANDS = ("figures",)

Section = Callable[[Database, Settings, datetime, datetime, datetime, Lang], Awaitable[list[str]]]
SECTIONS: tuple[Section, ...] = (drills_section,)


def add_parser(sub: argparse._SubParsersAction, with_config: Callable[[argparse.ArgumentParser], None]) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("figures", help="the figures of a month for the archive (drills, ...)")
    parser.add_argument("--month", help="YYYY-MM in the utility's zone (default: the current month)")
    parser.add_argument("--from", dest="start", help="YYYY-MM-DD (local), with --to instead of --month")
    parser.add_argument("--to", dest="end", help="YYYY-MM-DD (local), the first day not counted")
    parser.add_argument("--lang", choices=("zh", "en"), default="en")
    with_config(parser)


def period(settings: Settings, args: argparse.Namespace, now: datetime) -> tuple[datetime, datetime]:
    """``[start, end)`` as aware datetimes in the utility's zone; ValueError names what is wrong."""
    zone = settings.utility.tz
    if args.start or args.end:
        if not (args.start and args.end) or args.month:
            raise ValueError("give --from and --to together (or --month)")
        first, last = date.fromisoformat(args.start), date.fromisoformat(args.end)
    else:
        year, month = (
            (int(x) for x in args.month.split("-"))
            if args.month
            else (now.astimezone(zone).year, now.astimezone(zone).month)
        )
        first = date(year, month, 1)
        last = date(year + month // 12, month % 12 + 1, 1)
    if last <= first:
        raise ValueError("the period ends before it starts")
    return datetime.combine(first, time(), zone), datetime.combine(last, time(), zone)


async def figures_text(settings: Settings, start: datetime, end: datetime, now: datetime, lang: Lang) -> str:
    db = await Database.open(settings.storage.path)
    try:
        lines = [f"{start:%Y-%m-%d} .. {end:%Y-%m-%d} ({settings.utility.timezone})"]
        for section in SECTIONS:
            lines += ["", *await section(db, settings, start, end, now, lang)]
    finally:
        await db.close()
    return "\n".join(lines)


def run(args: argparse.Namespace, settings: Settings, now: datetime) -> int:
    try:
        start, end = period(settings, args, now)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(asyncio.run(figures_text(settings, start, end, now, Lang(args.lang))))
    return 0
