"""The dispatcher's desk: /open, /ticket N, /assign N CREW, /note N TEXT, /close N REASON.

For the dispatcher, supervisor and admin roles only (``bot.dispatch.authz``); any other caller is refused and
audited. Every change is a ticket event with who and when.
"""

from __future__ import annotations

import logging
from collections import Counter

from bot.context import Ctx
from bot.dispatch import escalation, incidents, sla
from bot.dispatch.card import drill_shown
from bot.dispatch.card_edits import withdraw_cards
from bot.dispatch.offer import Scope, local_time, queue, tell_resident, tell_staff, ticket_text
from bot.drills.report import send_report
from bot.i18n import Lang, t
from bot.numbers import ticket_number
from bot.routes import Router
from common.events import Priority, Text
from storage.desk import DeskRepo
from storage.hazards import HazardsRepo
from storage.incidents import IncidentsRepo
from storage.outbox import OutboxRow
from storage.people import CrewsRepo, PeopleRepo
from storage.tickets import OPEN_STATUSES, Ticket, TicketsRepo
from storage.timers import TimersRepo

logger = logging.getLogger(__name__)

SEVERITY_ORDER = {"P1": 0, "P2": 1, "P3": 2, "P4": 3}
MAX_TEXT = 1000
OPEN_LISTED = 50  # /open lists the most urgent ones; the rest are counted (a long list arrives in parts)


def rest_of(ctx: Ctx, skip: int) -> str:
    """The command's text after its first ``skip`` arguments, as typed (spacing kept)."""
    parts = ctx.ev.text.split(maxsplit=skip + 1)
    return parts[skip + 1].strip()[:MAX_TEXT] if len(parts) > skip + 1 else ""


async def _ticket_arg(ctx: Ctx, usage: str) -> Ticket | None:
    """The ticket named by the first argument (``12`` or ``#12``); says why when there is none."""
    number = ticket_number(ctx.ev.args[0]) if ctx.ev.args else None
    if number is None:
        ctx.say(f"desk.usage_{usage}")
        return None
    ticket = await TicketsRepo(ctx.tx).get(number)
    if ticket is None:
        ctx.say("desk.no_such_ticket", ticket=number)
    return ticket


def _age_min(ctx: Ctx, ticket: Ticket) -> int:
    return int((ctx.now - ticket.created_at).total_seconds() // 60)


async def open_tickets(ctx: Ctx) -> None:
    tickets = await TicketsRepo(ctx.tx).open_tickets()
    joined = await IncidentsRepo(ctx.tx).joined_among([tk.id for tk in tickets])
    reports = Counter(joined.values())
    tickets = [tk for tk in tickets if tk.id not in joined]  # an incident's reports are listed on its lead
    overdue = await HazardsRepo(ctx.tx).overdue_count(ctx.now)
    hazards = [ctx.t("hazard.open_overdue", count=overdue)] if overdue else []
    if not tickets:
        ctx.say_text("\n".join([ctx.t("desk.open_none"), *hazards]))
        return
    tickets.sort(key=lambda tk: (SEVERITY_ORDER.get(tk.severity, 9), tk.created_at))
    crews = CrewsRepo(ctx.tx)
    lines = [ctx.t("desk.open_title", count=len(tickets))]
    for ticket in tickets[:OPEN_LISTED]:
        crew = await crews.get(ticket.crew_id) if ticket.crew_id else None
        late = sla.breached(ticket, sla.targets(ctx.settings, ticket.severity), ctx.now)
        lines.append(
            ctx.t(
                "desk.open_line",
                ticket=ticket.id,
                severity=ticket.severity,
                category=ctx.t(f"category.{ticket.category}"),
                status=ctx.t(f"status.{ticket.status}"),
                age=_age_min(ctx, ticket),
                crew=crew.name if crew else "-",
            )
            + (" · " + ctx.t("board.incident_reports", count=reports[ticket.id] + 1) if ticket.id in reports else "")
            + ("  ⚠️ " + ", ".join(ctx.t(f"sla.short_{m}") for m in late) if late else "")
        )
    if len(tickets) > OPEN_LISTED:
        lines.append(ctx.t("desk.open_more", count=len(tickets) - OPEN_LISTED))
    ctx.say_text("\n".join([*lines, *hazards]))


async def show_ticket(ctx: Ctx) -> None:
    ticket = await _ticket_arg(ctx, "ticket")
    if ticket is None:
        return
    people = PeopleRepo(ctx.tx)
    lines = [
        *([ctx.t("drills.mark")] if ticket.drill and not drill_shown(ticket) else []),  # the desk always knows
        ticket_text(ctx.lang, ticket, ctx.settings),
        ctx.t("desk.ticket_status", status=ctx.t(f"status.{ticket.status}"), age=_age_min(ctx, ticket)),
        "",
        sla.ticket_sla_text(ctx, ticket),
        "",
        ctx.t("desk.timeline"),
    ]
    names: dict[int, str] = {}
    for event in (await TicketsRepo(ctx.tx).events(ticket.id))[-40:]:
        who = ""
        if event.actor_id is not None:
            if event.actor_id not in names:
                person = await people.get(event.actor_id)
                names[event.actor_id] = (person.name or "#") if person and person.is_staff else ctx.t("desk.resident")
            who = names[event.actor_id]
        detail = ", ".join(f"{k}={v}" for k, v in event.data.items() if k in _SHOWN)
        lines.append(f"{local_time(ctx.settings, event.at)} {event.kind} {who} {detail}".rstrip())
    ctx.say_text("\n".join(lines))


_SHOWN = ("cause", "reason", "text", "measure", "level", "crew", "on_duty", "recipients", "incident", "report", "into")


async def assign(ctx: Ctx) -> None:
    ticket = await _ticket_arg(ctx, "assign")
    if ticket is None:
        return
    name = rest_of(ctx, 1)
    crew = next((c for c in ctx.settings.crews if c.name.lower() == name.lower()), None) if name else None
    stored = await CrewsRepo(ctx.tx).by_name(crew.name) if crew else None
    if stored is None:
        ctx.say("desk.no_such_crew", crew=name or "?", crews=", ".join(c.name for c in ctx.settings.crews))
        return
    previous = ticket.assignee_id
    moved = await DeskRepo(ctx.tx).redispatch(
        ticket.id,
        from_statuses=OPEN_STATUSES,
        crew_id=stored.id,
        now=ctx.now,
        actor_id=ctx.person.id,
        kind="reassigned",
        crew=stored.name,
    )
    if not moved:
        ctx.say("desk.not_open", ticket=ticket.id, status=ctx.t(f"status.{ticket.status}"))
        return
    await withdraw_cards(ctx, ticket, "crew.reassigned_to", crew=stored.name)
    fresh = await TicketsRepo(ctx.tx).get(ticket.id)
    assert fresh is not None
    await escalation.redispatch(ctx, fresh)
    holder = await PeopleRepo(ctx.tx).get(previous) if previous is not None else None
    if holder is not None and holder.is_staff:  # a revoked holder hears nothing more of the ticket
        await tell_staff(ctx, [holder], fresh, "desk.taken_off", crew=stored.name)
    await tell_resident(ctx, fresh, "resident.reassigned")
    ctx.say("desk.assigned", ticket=ticket.id, crew=stored.name)


async def note(ctx: Ctx) -> None:
    ticket = await _ticket_arg(ctx, "note")
    if ticket is None:
        return
    text = rest_of(ctx, 1)
    if not text:
        ctx.say("desk.usage_note")
        return
    await TicketsRepo(ctx.tx).event(ticket.id, "note", now=ctx.now, actor_id=ctx.person.id, text=text)
    ctx.say("desk.noted", ticket=ticket.id)


async def close(ctx: Ctx) -> None:
    ticket = await _ticket_arg(ctx, "close")
    if ticket is None:
        return
    reason = rest_of(ctx, 1)
    if not reason:
        ctx.say("desk.usage_close")
        return
    if not await DeskRepo(ctx.tx).close(ticket.id, now=ctx.now, actor_id=ctx.person.id, reason=reason):
        ctx.say("desk.not_open", ticket=ticket.id, status=ctx.t(f"status.{ticket.status}"))
        return
    await TimersRepo(ctx.tx).cancel(ticket.id)
    if ticket.status != "resolved":
        await withdraw_cards(ctx, ticket, "crew.closed_by_desk")
        await tell_resident(ctx, ticket, "resident.closed")
    holder = await PeopleRepo(ctx.tx).get(ticket.assignee_id) if ticket.assignee_id is not None else None
    if holder is not None and holder.is_staff:
        await tell_staff(ctx, [holder], ticket, "desk.closed_for_crew", reason=reason)
    await incidents.close_reports(ctx, ticket, reason=reason)
    if ticket.drill and ticket.status != "resolved":  # a resolved drill had its report already
        closed = await TicketsRepo(ctx.tx).get(ticket.id)
        assert closed is not None
        await send_report(ctx, closed)
    ctx.say("desk.closed", ticket=ticket.id)


async def alert_unreachable(scope: Scope, row: OutboxRow, why: str = "blocked") -> int:
    """A staff member's chat refused a dispatch: tell the desk this person cannot be reached, and why
    (``blocked``: they blocked the bot or left, 403; ``not_started``: they never opened it, 400 "chat not
    found").

    Only for dispatch cards (one alert per missed dispatch), never to the person themselves, so an
    alert that bounces cannot raise another. Returns how many were told.
    """
    if row.recipient_id is None or row.purpose not in ("dispatch", "backup"):
        return 0
    person = await PeopleRepo(scope.tx).get(row.recipient_id)
    if person is None or not person.is_staff:
        return 0
    told = 0
    for desk_person in await PeopleRepo(scope.tx).with_role("dispatcher", "supervisor"):
        if desk_person.id == person.id:
            continue
        key = "desk.unreachable" if why == "blocked" else "desk.unreachable_not_started"
        text = t(Lang(desk_person.lang), key, name=person.name, ticket=row.ticket_id or "-")
        message = Text(chat=desk_person.external_id, text=text, priority=Priority.DISPATCH)
        await queue(
            scope,
            message,
            ticket_id=row.ticket_id,
            purpose="unreachable",
            recipient_id=desk_person.id,
        )
        told += 1
    if row.ticket_id is not None:
        await TicketsRepo(scope.tx).event(row.ticket_id, "unreachable", now=scope.now, actor_id=person.id)
    return told


ROUTES = Router("desk")
ROUTES.command("open", open_tickets, "desk")
ROUTES.command("ticket", show_ticket, "desk")
ROUTES.command("assign", assign, "desk")
ROUTES.command("note", note, "desk")
ROUTES.command("close", close, "desk")
