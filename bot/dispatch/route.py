"""Where a committed ticket goes first: P1/P2 to the crew on duty at once, with their escalation chain
started; P3 and P4 to the desk. Above both ``offer`` and ``escalation``, which build on each other in
that order only."""

from __future__ import annotations

from bot.context import Ctx
from bot.dispatch.escalation import start_deadlines
from bot.dispatch.offer import dispatch_on_duty, tell_desk, tell_key_site
from storage.tickets import TicketsRepo


async def route_new(ctx: Ctx, ticket_id: int) -> None:
    """P1/P2 go to the crew on duty at once (and their escalation chain starts); P3 and P4 to the desk."""
    ticket = await TicketsRepo(ctx.tx).get(ticket_id)
    assert ticket is not None
    if ticket.status == "dispatched":
        await dispatch_on_duty(ctx, ticket)
    else:
        await tell_desk(ctx, ticket, "desk.new_ticket")
    await start_deadlines(ctx, ticket)
    if isinstance(site := ticket.details.get("_key_site"), dict):
        await tell_key_site(ctx, ticket, site)
