"""``hotline drill start|list``: drills from the command line. The ticket, its cards (outbox rows) and its
timers are written in one transaction; the running bot sends them (its outbox and timer sweeps pick them
up), so the drill flows as one started in chat. The drill report goes to the desk.

Exit codes: 0 started (or waiting behind a real P1: it says so), 2 an unknown crew or scenario.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from datetime import datetime

from bot.clock import SystemClock
from bot.config import Settings
from bot.dispatch import JobScope
from bot.drills.scenarios import scenarios
from bot.drills.start import drill_info, start_drill
from storage.db import Database
from storage.drills import DrillsRepo
from storage.people import CrewsRepo

EXIT_BAD_INPUT = 2
COMMANDS = ("drill",)


class DrillInputError(ValueError):
    """An unknown crew or scenario (the message names it and what exists)."""


def add_parsers(sub: argparse._SubParsersAction, with_config: Callable[[argparse.ArgumentParser], None]) -> None:  # type: ignore[type-arg]
    drill = sub.add_parser("drill", help="start a drill (演练) for a crew; list the drills running")
    cmds = drill.add_subparsers(dest="drill_command", required=True)
    start = cmds.add_parser("start", help="send a drill ticket to a crew (it waits while a real P1 of it is open)")
    start.add_argument("--crew", required=True, help="a configured crew")
    start.add_argument("--scenario", required=True, help=f"one of: {', '.join(scenarios())}")
    start.add_argument("--address", default="", help="the drill site shown on the card")
    start.add_argument("--lat", type=float, help="the drill site's pin (with --lon)")
    start.add_argument("--lon", type=float)
    with_config(start)
    listing = cmds.add_parser("list", help="the drills not ended yet")
    with_config(listing)


async def start_command(settings: Settings, args: argparse.Namespace, now: datetime) -> str:
    scenario = scenarios().get(args.scenario)
    if scenario is None:
        raise DrillInputError(f"no scenario {args.scenario!r}; the scenarios: {', '.join(scenarios())}")
    if (args.lat is None) != (args.lon is None):
        raise DrillInputError("--lat and --lon go together")
    db = await Database.open(settings.storage.path)
    try:
        async with db.transaction() as tx:
            crew = await CrewsRepo(tx).by_name(args.crew)
            if crew is None:
                known = ", ".join(c.name for c in settings.crews) or "none"
                raise DrillInputError(
                    f"no crew {args.crew!r} in the database (configured: {known}; the bot mirrors them at start)"
                )
            scope = JobScope(tx=tx, settings=settings, now=now)
            started = await start_drill(
                scope,
                crew=crew,
                scenario=scenario,
                by=None,
                address=args.address,
                latitude=args.lat,
                longitude=args.lon,
            )
    finally:
        await db.close()
    if started.waiting_for:
        behind = ", ".join(f"#{n}" for n in started.waiting_for)
        return (
            f"drill #{started.ticket_id} ({scenario.id}) waits: real P1 {behind} of crew {crew.name} is open; "
            "it is sent when that closes"
        )
    return f"drill #{started.ticket_id} ({scenario.id}, {scenario.severity.value}) sent to crew {crew.name}"


async def list_command(settings: Settings) -> str:
    db = await Database.open(settings.storage.path)
    try:
        async with db.lock:
            running = await DrillsRepo(db.conn).running()
    finally:
        await db.close()
    if not running:
        return "no drills running"
    return "\n".join(
        f"#{t.id} {drill_info(t).get('scenario', '?')} crew {drill_info(t).get('crew', '?')}: {t.status}"
        for t in running
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    try:
        if args.drill_command == "start":
            print(asyncio.run(start_command(settings, args, SystemClock().now())))
        else:
            print(asyncio.run(list_command(settings)))
    except DrillInputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return 0
