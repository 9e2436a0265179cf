"""SLA figures: time to accept, to arrive, to resolve, per ticket and per crew, against the targets.

A breach is flagged once per ticket and measure: a ``sla_breach`` ticket event (shown on /ticket and
/open) and a message to the desk. ``/sla`` shows the crews' figures; ``/sla N`` one ticket's.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import median

from bot.config.settings import Settings
from bot.context import Ctx
from bot.dispatch.offer import Scope, ack_timeout_s, arrival_target_min, resolve_target_min, tell_desk
from bot.numbers import ticket_number
from bot.routes import Router
from storage.desk import DeskRepo
from storage.paid_sends import PaidSendsRepo
from storage.people import CrewsRepo
from storage.tickets import Ticket, TicketsRepo

logger = logging.getLogger(__name__)

MEASURES = ("accept", "arrive", "resolve")
PERIOD = timedelta(days=30)


def targets(settings: Settings, severity: str) -> dict[str, timedelta]:
    return {
        "accept": timedelta(seconds=ack_timeout_s(settings, severity)),
        "arrive": timedelta(minutes=arrival_target_min(settings, severity)),
        "resolve": timedelta(minutes=resolve_target_min(settings, severity)),
    }


def figures(ticket: Ticket) -> dict[str, timedelta | None]:
    """Time from the report to acceptance, arrival and resolution (None: not yet)."""
    stamps = {"accept": ticket.accepted_at, "arrive": ticket.arrived_at, "resolve": ticket.resolved_at}
    return {name: (at - ticket.created_at if at else None) for name, at in stamps.items()}


def breached(ticket: Ticket, limits: dict[str, timedelta], now: datetime) -> list[str]:
    """Measures over target: done late, or not done and the target has passed."""
    out = []
    for name, took in figures(ticket).items():
        if name == "arrive" and ticket.severity not in ("P1", "P2"):
            continue
        elapsed = took if took is not None else (now - ticket.created_at if ticket.is_open else None)
        if elapsed is not None and elapsed > limits[name]:
            out.append(name)
    return out


async def flag_breach(scope: Scope, ticket: Ticket, measure: str, *, notify: bool = True, **values: object) -> bool:
    """Record a breach of ``measure`` on the ticket once, and tell the desk; False if already flagged."""
    tickets = TicketsRepo(scope.tx)
    if any(e.kind == "sla_breach" and e.data.get("measure") == measure for e in await tickets.events(ticket.id)):
        return False
    await tickets.event(ticket.id, "sla_breach", now=scope.now, actor_id=None, measure=measure)
    logger.info("ticket %s: SLA breach (%s)", ticket.id, measure)
    if notify:
        await tell_desk(scope, ticket, f"sla.breach_{measure}", card=False, **values)
    return True


def minutes(delta: timedelta | None) -> str:
    return "-" if delta is None else f"{delta.total_seconds() / 60:.0f}"


@dataclass
class CrewFigures:
    name: str
    tickets: int = 0
    took: dict[str, list[timedelta]] = field(default_factory=lambda: {m: [] for m in MEASURES})
    breaches: int = 0


async def crew_figures(scope: Scope, since: datetime) -> list[CrewFigures]:
    tickets, crews = TicketsRepo(scope.tx), CrewsRepo(scope.tx)
    table: dict[int, CrewFigures] = {}
    for ticket_id in await DeskRepo(scope.tx).crew_ticket_ids(since):
        ticket = await tickets.get(ticket_id)
        if ticket is None or ticket.crew_id is None:
            continue
        if ticket.crew_id not in table:
            crew = await crews.get(ticket.crew_id)
            table[ticket.crew_id] = CrewFigures(name=crew.name if crew else "?")
        entry = table[ticket.crew_id]
        entry.tickets += 1
        for name, took in figures(ticket).items():
            if took is not None:
                entry.took[name].append(took)
        entry.breaches += len(breached(ticket, targets(scope.settings, ticket.severity), scope.now))
    return sorted(table.values(), key=lambda c: c.name)


def _median(values: list[timedelta]) -> str:
    return minutes(timedelta(seconds=median(v.total_seconds() for v in values))) if values else "-"


async def sla_command(ctx: Ctx) -> None:
    if ctx.ev.args and (number := ticket_number(ctx.ev.args[0])) is not None:
        await _ticket_sla(ctx, number)
        return
    lines = [ctx.t("sla.title", days=PERIOD.days)]
    for crew in await crew_figures(ctx, ctx.now - PERIOD):
        lines.append(
            ctx.t(
                "sla.crew_line",
                crew=crew.name,
                tickets=crew.tickets,
                accept=_median(crew.took["accept"]),
                arrive=_median(crew.took["arrive"]),
                resolve=_median(crew.took["resolve"]),
                breaches=crew.breaches,
            )
        )
    if len(lines) == 1:
        lines.append(ctx.t("sla.none"))
    paid = await PaidSendsRepo(ctx.tx).since(ctx.now - PERIOD)
    if paid or ctx.settings.outbound.paid_safety_cards:
        lines.append(ctx.t("sla.paid", count=paid))
    ctx.say_text("\n".join(lines))


async def _ticket_sla(ctx: Ctx, ticket_id: int) -> None:
    ticket = await TicketsRepo(ctx.tx).get(ticket_id)
    if ticket is None:
        ctx.say("desk.no_such_ticket", ticket=ticket_id)
        return
    ctx.say_text(ticket_sla_text(ctx, ticket))


def ticket_sla_text(ctx: Ctx, ticket: Ticket) -> str:
    limits = targets(ctx.settings, ticket.severity)
    late = breached(ticket, limits, ctx.now)
    took = figures(ticket)
    lines = [ctx.t("sla.ticket_title", ticket=ticket.id, severity=ticket.severity)]
    for name in MEASURES:
        flag = " ⚠️" if name in late else ""
        lines.append(ctx.t(f"sla.measure_{name}", took=minutes(took[name]), target=minutes(limits[name])) + flag)
    return "\n".join(lines)


ROUTES = Router("sla")
ROUTES.command("sla", sla_command, "desk")
