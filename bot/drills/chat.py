"""``/drill``: the dispatcher starts a drill in chat (``/drill CREW SCENARIO [ADDRESS]``) or, without
arguments, sees the scenarios, the crews and the drills running. Desk roles only (``bot.authz``)."""

from __future__ import annotations

import logging

from bot.context import Ctx
from bot.drills.scenarios import scenarios
from bot.drills.start import drill_info, start_drill
from bot.routes import Router
from storage.drills import DrillsRepo
from storage.people import CrewsRepo

logger = logging.getLogger(__name__)


async def _overview(ctx: Ctx) -> None:
    lines = [ctx.t("drills.usage")]
    lines += [ctx.t("drills.scenario_line", id=s.id, text=s.describe(ctx.lang.value)) for s in scenarios().values()]
    lines.append(ctx.t("drills.crews", crews=", ".join(c.name for c in ctx.settings.crews) or "-"))
    running = await DrillsRepo(ctx.tx).running()
    for ticket in running:
        info = drill_info(ticket)
        lines.append(
            ctx.t(
                "drills.running_line",
                ticket=ticket.id,
                scenario=info.get("scenario", "?"),
                crew=info.get("crew", "?"),
                status=ctx.t(f"status.{ticket.status}"),
            )
        )
    if not running:
        lines.append(ctx.t("drills.none_running"))
    ctx.say_text("\n".join(lines))


async def drill_command(ctx: Ctx) -> None:
    if len(ctx.ev.args) < 2:
        await _overview(ctx)
        return
    crew_name, scenario_id = ctx.ev.args[0], ctx.ev.args[1]
    crew = await CrewsRepo(ctx.tx).by_name(crew_name)
    scenario = scenarios().get(scenario_id)
    if crew is None or scenario is None:
        ctx.say("drills.unknown", crew=crew_name, scenario=scenario_id)
        return
    parts = ctx.ev.text.split(maxsplit=3)
    address = parts[3].strip()[:200] if len(parts) == 4 else ""
    started = await start_drill(ctx, crew=crew, scenario=scenario, by=ctx.person, address=address)
    if started.waiting_for:
        behind = ", ".join(f"#{n}" for n in started.waiting_for)
        ctx.say("drills.waiting", ticket=started.ticket_id, crew=crew.name, behind=behind)
    else:
        ctx.say("drills.started", ticket=started.ticket_id, crew=crew.name, scenario=scenario.id)
    logger.info("drill %s started in chat by person %s", started.ticket_id, ctx.person.id)


ROUTES = Router("drills")
ROUTES.command("drill", drill_command, "desk")
