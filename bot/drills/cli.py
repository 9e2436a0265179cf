"""``hotline drill start|list``: drills from the command line. The ticket, its cards (outbox rows) and its
timers are written in one transaction; the running bot sends them (its outbox and timer sweeps pick them
up), so the drill flows as one started in chat. The drill report goes to the desk.

Exit codes: 0 started (or waiting behind a real P1: it says so), 2 an unknown crew or scenario.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import datetime

from bot.cli.text import Kit, Say
from bot.clock import SystemClock
from bot.config.settings import Settings
from bot.dispatch.offer import JobScope
from bot.drills.scenarios import scenarios
from bot.drills.start import Started, drill_info, start_drill
from storage.drills import DrillsRepo
from storage.engines import open_database
from storage.people import Crew, CrewsRepo
from storage.sync import SyncConnection

EXIT_BAD_INPUT = 2
COMMANDS = ("drill",)


class DrillInputError(ValueError):
    """An unknown crew or scenario (the message names it and what exists)."""


def add_parsers(sub: argparse._SubParsersAction, kit: Kit) -> None:  # type: ignore[type-arg]
    drill = kit.add(sub, "drill", "help.drill")
    cmds = kit.commands(drill, "drill_command")
    start = kit.add(cmds, "start", "help.drill_start")
    start.add_argument("--crew", required=True, help=kit.say("help.drill_crew"))
    start.add_argument("--scenario", required=True, help=kit.say("help.drill_scenario", names=", ".join(scenarios())))
    start.add_argument("--address", default="", help=kit.say("help.drill_address"))
    start.add_argument("--lat", type=float, help=kit.say("help.drill_lat"))
    start.add_argument("--lon", type=float)
    kit.with_config(start)
    listing = kit.add(cmds, "list", "help.drill_list")
    kit.with_config(listing)


async def start_command(settings: Settings, args: argparse.Namespace, now: datetime, say: Say) -> str:
    scenario = scenarios().get(args.scenario)
    if scenario is None:
        raise DrillInputError(say("drill.no_scenario", name=args.scenario, names=", ".join(scenarios())))
    if (args.lat is None) != (args.lon is None):
        raise DrillInputError(say("drill.lat_lon"))
    db = await open_database(settings.storage)
    try:

        async def start(tx: SyncConnection) -> tuple[Crew, Started]:
            crew = await CrewsRepo(tx).by_name(args.crew)
            if crew is None:
                known = ", ".join(c.name for c in settings.crews) or "-"
                raise DrillInputError(say("drill.no_crew", name=args.crew, known=known))
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
            return crew, started

        crew, started = await db.run(start)
    finally:
        await db.close()
    if started.waiting_for:
        behind = ", ".join(f"#{n}" for n in started.waiting_for)
        return say("drill.waits", id=started.ticket_id, scenario=scenario.id, behind=behind, crew=crew.name)
    return say(
        "drill.sent", id=started.ticket_id, scenario=scenario.id, severity=scenario.severity.value, crew=crew.name
    )


async def list_command(settings: Settings, say: Say) -> str:
    db = await open_database(settings.storage)
    try:
        running = await db.read(lambda conn: DrillsRepo(conn).running())
    finally:
        await db.close()
    if not running:
        return say("drill.none_running")
    return "\n".join(
        say("drill.running", id=t.id, scenario=drill_info(t).get("scenario", "?"), crew=drill_info(t).get("crew", "?"),
            status=t.status)
        for t in running
    )  # fmt: skip


def run(args: argparse.Namespace, settings: Settings, say: Say) -> int:
    try:
        if args.drill_command == "start":
            print(asyncio.run(start_command(settings, args, SystemClock().now(), say)))
        else:
            print(asyncio.run(list_command(settings, say)))
    except DrillInputError as exc:
        print(say.error(exc), file=sys.stderr)
        return EXIT_BAD_INPUT
    return 0
