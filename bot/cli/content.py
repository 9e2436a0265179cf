"""``hotline content export|import|check`` and ``hotline campaigns show``, wired into :mod:`bot.cli.main`.

``content export FILE.xlsx`` writes the knowledge base and the campaigns as a workbook; ``content import
FILE.xlsx`` validates an edited one and writes ``[utility] content_override`` (the bot reads it at start:
restart it to use the new texts); ``content check`` lints the content the bot will use. ``campaigns show
[--year YYYY]`` lists every firing of that year (default: this year and the next) in local dates and times,
quiet hours applied.

Exit codes: 0 done (check: nothing to fix); 1 check found problems; 2 bad input (an import with bad cells:
nothing is loaded; no content_override configured).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from bot.broadcast.audience import quiet_hours
from bot.broadcast.calendar import occurrences
from bot.broadcast.runner import calendar_for
from bot.config.settings import Settings
from bot.content import check as content_check
from bot.content import sheet as content_sheet
from bot.content import store as content_store

EXIT_PROBLEMS, EXIT_BAD_INPUT = 1, 2
COMMANDS = ("content", "campaigns")


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser], with_config: Callable[..., None]) -> None:
    content = sub.add_parser("content", help="the safety officer's spreadsheet: export, import, check")
    content_sub = content.add_subparsers(dest="content_command", required=True)
    export = content_sub.add_parser("export", help="write the knowledge base and campaigns to FILE.xlsx")
    export.add_argument("file", type=Path)
    with_config(export)
    load = content_sub.add_parser("import", help="validate FILE.xlsx and load it into [utility] content_override")
    load.add_argument("file", type=Path)
    with_config(load)
    with_config(content_sub.add_parser("check", help="missing languages, missing hotline, long texts, quiet hours"))

    campaigns = sub.add_parser("campaigns", help="the seasonal campaigns")
    campaigns_sub = campaigns.add_subparsers(dest="campaigns_command", required=True)
    show = campaigns_sub.add_parser("show", help="every firing of a year, in local dates and times")
    show.add_argument("--year", type=int, default=None, help="default: this year and the next")
    with_config(show)


def show_year(settings: Settings, year: int) -> list[str]:
    """One line per firing of ``year``: local date, weekday, time, campaign, audience; a held one says so."""
    tz, quiet = settings.utility.tz, quiet_hours(settings)
    calendar = calendar_for(settings)
    by_id = {c.id: c for c in calendar.campaigns}
    start, end = datetime(year, 1, 1, tzinfo=tz), datetime(year + 1, 1, 1, tzinfo=tz)
    lines = [f"campaigns in {year} ({settings.utility.timezone}, quiet hours {quiet.start:%H:%M}-{quiet.end:%H:%M}):"]
    for o in occurrences(calendar, start, end, tz, quiet):
        fire = o.fire_at_utc.astimezone(tz)
        held = "" if o.fire_at_utc == o.scheduled_at_utc else f" (held from {o.scheduled_at_utc.astimezone(tz):%H:%M})"
        lines.append(f"{fire:%Y-%m-%d %a %H:%M}  {o.campaign_id:<28} {by_id[o.campaign_id].audience}{held}")
    return lines


def run(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "campaigns":
        this = datetime.now(settings.utility.tz).year
        for year in [args.year] if args.year else [this, this + 1]:
            print("\n".join(show_year(settings, year)))
        return 0
    if args.content_command == "export":
        kb, campaigns = content_sheet.export(args.file, settings)
        print(f"wrote {args.file}: {kb} answers, {campaigns} campaigns")
        return 0
    if args.content_command == "check":
        problems = content_check.check(settings)
        print("\n".join(problems) if problems else "content check: nothing to fix")
        return EXIT_PROBLEMS if problems else 0
    target = settings.utility.content_override
    if target is None:
        print("error: set [utility] content_override = FILE in the configuration first", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        content = content_sheet.read_sheet(args.file, settings, today=datetime.now(settings.utility.tz).date())
    except content_sheet.SheetError as exc:
        print(f"error: {args.file}: {exc}", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_BAD_INPUT
    content_store.write(target, content)
    print(
        f"loaded {args.file} into {target}: {len(content.knowledge)} answers and {len(content.campaign)} campaigns"
        " differ from the shipped content; restart the bot to use them"
    )
    return 0
