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
from datetime import datetime
from pathlib import Path

from bot.broadcast.audience import quiet_hours
from bot.broadcast.calendar import occurrences
from bot.broadcast.runner import calendar_for
from bot.cli.text import Kit, Say
from bot.config.settings import Settings
from bot.content import check as content_check
from bot.content import sheet as content_sheet
from bot.content import store as content_store

EXIT_PROBLEMS, EXIT_BAD_INPUT = 1, 2
COMMANDS = ("content", "campaigns")


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser], kit: Kit) -> None:
    content = kit.add(sub, "content", "help.content")
    content_sub = kit.commands(content, "content_command")
    export = kit.add(content_sub, "export", "help.content_export")
    export.add_argument("file", type=Path, help=kit.say("help.content_file"))
    kit.with_config(export)
    load = kit.add(content_sub, "import", "help.content_import")
    load.add_argument("file", type=Path, help=kit.say("help.content_file"))
    kit.with_config(load)
    kit.with_config(kit.add(content_sub, "check", "help.content_check"))

    campaigns = kit.add(sub, "campaigns", "help.campaigns")
    campaigns_sub = kit.commands(campaigns, "campaigns_command")
    show = kit.add(campaigns_sub, "show", "help.campaigns_show")
    show.add_argument("--year", type=int, default=None, help=kit.say("help.campaigns_year"))
    kit.with_config(show)


def show_year(settings: Settings, year: int, say: Say) -> list[str]:
    """One line per firing of ``year``: local date, weekday, time, campaign, audience; a held one says so."""
    tz, quiet = settings.utility.tz, quiet_hours(settings)
    calendar = calendar_for(settings)
    by_id = {c.id: c for c in calendar.campaigns}
    start, end = datetime(year, 1, 1, tzinfo=tz), datetime(year + 1, 1, 1, tzinfo=tz)
    zone = settings.utility.timezone
    lines = [
        say("content.campaigns_title", year=year, zone=zone, start=f"{quiet.start:%H:%M}", end=f"{quiet.end:%H:%M}")
    ]
    weekdays = say("content.weekdays").split()
    for o in occurrences(calendar, start, end, tz, quiet):
        fire = o.fire_at_utc.astimezone(tz)
        scheduled = f"{o.scheduled_at_utc.astimezone(tz):%H:%M}"
        held = "" if o.fire_at_utc == o.scheduled_at_utc else say("content.held", at=scheduled)
        day = weekdays[fire.weekday()]
        lines.append(f"{fire:%Y-%m-%d} {day} {fire:%H:%M}  {o.campaign_id:<28} {by_id[o.campaign_id].audience}{held}")
    return lines


def run(args: argparse.Namespace, settings: Settings, say: Say) -> int:
    if args.command == "campaigns":
        this = datetime.now(settings.utility.tz).year
        for year in [args.year] if args.year else [this, this + 1]:
            print("\n".join(show_year(settings, year, say)))
        return 0
    if args.content_command == "export":
        kb, campaigns = content_sheet.export(args.file, settings)
        print(say("content.wrote", file=args.file, answers=kb, campaigns=campaigns))
        return 0
    if args.content_command == "check":
        problems = content_check.check(settings)
        print("\n".join(problems) if problems else say("content.nothing_to_fix"))
        return EXIT_PROBLEMS if problems else 0
    target = settings.utility.content_override
    if target is None:
        print(say("content.needs_override"), file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        content = content_sheet.read_sheet(args.file, settings, today=datetime.now(settings.utility.tz).date())
    except content_sheet.SheetError as exc:
        print(say("content.sheet_error", file=args.file, error=exc), file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_BAD_INPUT
    content_store.write(target, content)
    answers, campaigns = len(content.knowledge), len(content.campaign)
    print(say("content.loaded", file=args.file, target=target, answers=answers, campaigns=campaigns))
    return 0
