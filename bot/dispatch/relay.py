"""Messages between the hotline's staff and a ticket's resident, carried by the bot: neither side sees
the other's account.

Staff (the assignee, the lead of the ticket's crew, the desk) write ``/msg N TEXT``; the resident gets it
with a Reply button (``r:N``), and their next text or photo goes back to the person who wrote last. Staff
answer the same way. ``send_to_resident`` is the entry for other features (answering a question ticket).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.context import Ctx
from bot.dispatch.authz import may_work
from bot.dispatch.offer import Scope, queue
from bot.i18n import Lang, t
from bot.numbers import ticket_number
from bot.routes import Codec, Router
from common.events import Button, EventKind, Photo, Priority, Text
from storage.conversations import Conversation, ConversationsRepo
from storage.people import PeopleRepo, Person
from storage.tickets import Ticket, TicketsRepo

logger = logging.getLogger(__name__)

FLOW = "relay"
MAX_TEXT = 2000


def reply_button(lang: Lang, ticket_id: int) -> list[list[Button]]:
    return [[Button(text=t(lang, "relay.reply_button"), data=BUTTON.encode(ReplyPress(ticket_id)))]]


async def send_to_resident(
    scope: Scope, ticket: Ticket, sender: Person, text: str, *, photo: str | None = None
) -> None:
    """Carry ``text`` (and a photo) from a staff member to the ticket's resident, with a Reply button."""
    lang = Lang(ticket.lang)
    role = t(lang, "relay.from_crew") if sender.role in ("crew", "lead") else t(lang, "relay.from_desk")
    body = t(lang, "relay.to_resident", ticket=ticket.id, sender=role, text=text[:MAX_TEXT])
    if photo:
        picture = Photo(chat=ticket.chat, photo=photo, caption=f"#{ticket.id}", priority=Priority.DISPATCH)
        await queue(
            scope,
            picture,
            ticket_id=ticket.id,
            purpose="relay",
            recipient_id=ticket.resident_id,
        )
    message = Text(chat=ticket.chat, text=body, buttons=reply_button(lang, ticket.id), priority=Priority.DISPATCH)
    await queue(scope, message, ticket_id=ticket.id, purpose="relay", recipient_id=ticket.resident_id)
    await TicketsRepo(scope.tx).event(
        ticket.id, "relay_out", now=scope.now, actor_id=sender.id, text=text[:MAX_TEXT], photo=bool(photo)
    )


async def _send_to_staff(scope: Scope, ticket: Ticket, resident: Person, text: str, photo: str | None) -> int:
    """The resident's reply, to whoever wrote to them last about this ticket (else the assignee, else the desk)."""
    targets = await _reply_targets(scope, ticket)
    for person in targets:
        lang = Lang(person.lang)
        if photo:
            picture = Photo(chat=person.external_id, photo=photo, caption=f"#{ticket.id}", priority=Priority.DISPATCH)
            await queue(scope, picture, ticket_id=ticket.id, purpose="relay", recipient_id=person.id)
        body = t(lang, "relay.to_staff", ticket=ticket.id, text=text[:MAX_TEXT] or t(lang, "relay.photo_only"))
        message = Text(
            chat=person.external_id, text=body, buttons=reply_button(lang, ticket.id), priority=Priority.DISPATCH
        )
        await queue(scope, message, ticket_id=ticket.id, purpose="relay", recipient_id=person.id)
    await TicketsRepo(scope.tx).event(
        ticket.id, "relay_in", now=scope.now, actor_id=resident.id, text=text[:MAX_TEXT], photo=bool(photo)
    )
    return len(targets)


async def _reply_targets(scope: Scope, ticket: Ticket) -> list[Person]:
    people = PeopleRepo(scope.tx)
    for event in reversed(await TicketsRepo(scope.tx).events(ticket.id)):
        if event.kind == "relay_out" and event.actor_id is not None:
            person = await people.get(event.actor_id)
            if person is not None and person.is_staff:
                return [person]
    assignee = await people.get(ticket.assignee_id) if ticket.assignee_id is not None else None
    if assignee is not None and assignee.is_staff:  # a revoked assignee gets no resident's words
        return [assignee]
    return await people.with_role("dispatcher")


async def _refuse(ctx: Ctx, reason: str) -> None:
    await ctx.audit_refusal("relay", f"{reason}: {ctx.ev.data or ctx.ev.command}")
    logger.info("refused relay (%s) from person %s", reason, ctx.person.id)
    ctx.say("relay.refused")


async def msg_command(ctx: Ctx) -> None:
    """``/msg N TEXT``: a staff member writes to ticket N's resident."""
    number = ticket_number(ctx.ev.args[0]) if ctx.ev.args else None
    parts = ctx.ev.text.split(maxsplit=2)
    text = parts[2].strip() if len(parts) == 3 else ""
    ticket = await TicketsRepo(ctx.tx).get(number) if number is not None else None
    if ticket is None or not text:
        ctx.say("relay.usage")
        return
    if not may_work(ctx.person, ticket):
        await _refuse(ctx, "not_yours")
        return
    if ticket.drill:  # a drill has no resident: nothing leaves
        ctx.say("drills.no_resident", ticket=ticket.id)
        return
    await send_to_resident(ctx, ticket, ctx.person, text)
    ctx.say("relay.sent", ticket=ticket.id)


@dataclass(frozen=True)
class ReplyPress:
    """``r:<ticket>``: reply to the other side of the ticket."""

    ticket: int


BUTTON = Codec("r:", ReplyPress, ReplyPress(1))


async def _forged(ctx: Ctx) -> None:
    await _refuse(ctx, "forged")


async def reply_button_pressed(ctx: Ctx, press: ReplyPress) -> None:
    """``r:N``: the next message of this person goes to the other side of ticket N."""
    ticket = await TicketsRepo(ctx.tx).get(press.ticket)
    if ticket is None:
        await _refuse(ctx, "forged")
        return
    own = ticket.resident_id == ctx.person.id
    if not own and not may_work(ctx.person, ticket):
        await _refuse(ctx, "not_yours")
        return
    conv = Conversation(flow=FLOW, step="text", data={"ticket": ticket.id}, started_at=ctx.now, updated_at=ctx.now)
    await ConversationsRepo(ctx.tx).put(ctx.ev.channel, ctx.ev.user, conv)
    ctx.say("relay.type_reply", ticket=ticket.id)


async def on_reply(ctx: Ctx) -> None:
    """The text (or photo) after Reply: carried to the other side, checked again."""
    repo = ConversationsRepo(ctx.tx)
    conv = await repo.get(ctx.ev.channel, ctx.ev.user)
    if conv is None or conv.flow != FLOW:
        return
    ticket = await TicketsRepo(ctx.tx).get(int(conv.data["ticket"]))
    text = ctx.ev.text.strip()[:MAX_TEXT] if ctx.ev.kind in (EventKind.TEXT, EventKind.PHOTO) else ""
    photo = ctx.ev.photo if ctx.ev.kind is EventKind.PHOTO else None
    if ticket is None or not (text or photo):
        ctx.say("relay.type_reply", ticket=conv.data["ticket"])
        return
    await repo.clear(ctx.ev.channel, ctx.ev.user)
    if ticket.resident_id == ctx.person.id:
        await _send_to_staff(ctx, ticket, ctx.person, text, photo)
    elif may_work(ctx.person, ticket):
        await send_to_resident(ctx, ticket, ctx.person, text, photo=photo)
    else:
        await _refuse(ctx, "not_yours")
        return
    ctx.say("relay.sent", ticket=ticket.id)


ROUTES = Router("relay")
ROUTES.command("msg", msg_command, "staff", refusal="relay.refused")
ROUTES.button(BUTTON, reply_button_pressed, unreadable=_forged)
ROUTES.flow(FLOW, on_reply)
