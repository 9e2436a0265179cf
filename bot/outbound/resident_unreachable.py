"""A resident who blocked the bot or deleted the chat: the desk phones them.

When a message about a ticket cannot reach its resident (403 from the channel), the dispatchers are
told once per ticket, with the ticket and the callback phone (the ticket's, else the one on file), so
someone calls: the crew may be on the way and the resident no longer hears from us.
"""

from __future__ import annotations

import logging

from bot.dispatch.offer import Scope, queue
from bot.i18n import Lang, t
from bot.people.phone import display_phone
from common.events import Priority, Text
from storage.outbox import OutboxRow
from storage.people import PeopleRepo
from storage.tickets import TicketsRepo

logger = logging.getLogger(__name__)

EVENT = "resident_unreachable"


async def alert_resident_blocked(scope: Scope, row: OutboxRow, *, out_of_window: bool = False) -> int:
    """Tell the desk that ``row``'s resident cannot be reached about its ticket; returns how many were told.
    ``out_of_window``: the chat is there, but the channel no longer lets us write (WeChat's 48 hours)."""
    if row.recipient_id is None or row.ticket_id is None:
        return 0
    tickets, people = TicketsRepo(scope.tx), PeopleRepo(scope.tx)
    ticket = await tickets.get(row.ticket_id)
    if ticket is None or ticket.resident_id != row.recipient_id:
        return 0  # a staff member's copy (bot.dispatch.desk.alert_unreachable) or someone else's
    if any(event.kind == EVENT for event in await tickets.events(ticket.id)):
        return 0  # once per ticket
    resident = await people.get(ticket.resident_id)
    phone = ticket.phone or (resident.phone if resident else None)
    told = 0
    for person in await people.with_role("dispatcher", "supervisor"):
        lang = Lang(person.lang)
        number = display_phone(phone) if phone else t(lang, "desk.resident_no_phone")
        key = "desk.resident_out_of_window" if out_of_window else "desk.resident_unreachable"
        text = t(lang, key, ticket=ticket.id, phone=number, status=t(lang, f"status.{ticket.status}"))
        message = Text(chat=person.external_id, text=text, priority=Priority.DISPATCH)
        await queue(
            scope, message, ticket_id=ticket.id, purpose="resident_unreachable", recipient_id=person.id,
        )  # fmt: skip
        told += 1
    await tickets.event(ticket.id, EVENT, now=scope.now, actor_id=None, told=told)
    logger.warning("ticket %s: its resident cannot be reached by the bot; %d at the desk told", ticket.id, told)
    return told
