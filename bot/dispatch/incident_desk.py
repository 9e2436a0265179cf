"""The dispatcher's incident commands: /split N (a report out of its incident, with its own card) and
/merge N M (M's incident into N's). Desk roles only; both are ticket events with who and when."""

from __future__ import annotations

from bot.context import Ctx
from bot.dispatch import incidents
from bot.numbers import ticket_number
from bot.routes import Router
from storage.tickets import Ticket, TicketsRepo


async def _tickets(ctx: Ctx, count: int, usage: str) -> list[Ticket] | None:
    """The ``count`` tickets the arguments name (``12`` or ``#12``); says why when one is missing."""
    numbers = [ticket_number(arg) for arg in ctx.ev.args[:count]]
    if len(numbers) < count or None in numbers:
        ctx.say(f"incidents.usage_{usage}")
        return None
    found = []
    for number in numbers:
        assert number is not None
        ticket = await TicketsRepo(ctx.tx).get(number)
        if ticket is None:
            ctx.say("desk.no_such_ticket", ticket=number)
            return None
        found.append(ticket)
    return found


async def split(ctx: Ctx) -> None:
    named = await _tickets(ctx, 1, "split")
    if named is None:
        return
    lead = await incidents.split(ctx, named[0], actor_id=ctx.person.id, reason="desk")
    if lead is None:
        ctx.say("incidents.not_joined", ticket=named[0].id)
        return
    ctx.say("incidents.split_done", ticket=named[0].id, incident=lead)


async def merge(ctx: Ctx) -> None:
    named = await _tickets(ctx, 2, "merge")
    if named is None:
        return
    repo = TicketsRepo(ctx.tx)
    into, other = [await repo.get(await incidents.lead_of(ctx, ticket.id)) for ticket in named]
    assert into is not None and other is not None
    if into.id == other.id:
        ctx.say("incidents.same_incident", incident=into.id)
        return
    if not (into.is_open and other.is_open):
        ctx.say("incidents.merge_closed", incident=into.id if not into.is_open else other.id)
        return
    count = await incidents.merge(ctx, into, other, actor_id=ctx.person.id)
    ctx.say("incidents.merged", incident=into.id, other=other.id, count=count)


ROUTES = Router("incidents")
ROUTES.command("split", split, "desk")
ROUTES.command("merge", merge, "desk")
