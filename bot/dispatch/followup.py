"""After resolution: is it really fixed? (No reopens the ticket and tells the crew), then a 1-5 rating
and an optional comment.

Buttons: ``f:y:<ticket>`` fixed, ``f:n:<ticket>`` not fixed, ``f:r:<ticket>:<stars>``,
``f:c:<ticket>`` no comment. Each is checked against the presser (the ticket's resident) and the
ticket's state, so a stale or forged press only gets a short toast.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

from bot.context import Ctx
from bot.dispatch.buttons import crew_button
from bot.i18n import Lang, t
from bot.intake.menu import fold
from bot.routes import Codec, Router
from common.events import Answer, Button, Edit, Priority, Text
from storage.conversations import Conversation, ConversationsRepo
from storage.feedback import FeedbackRepo
from storage.outbox import OutboxRepo
from storage.people import PeopleRepo
from storage.tickets import Ticket, TicketsRepo

logger = logging.getLogger(__name__)

FLOW = "followup"
MAX_COMMENT = 1000


async def on_resolved(ctx: Ctx, ticket: Ticket) -> None:
    """Hook from dispatch's resolved transition (same transaction): ask the resident if it is fixed."""
    await FeedbackRepo(ctx.tx).ask(ticket.id, ctx.now)
    lang = Lang(ticket.lang)
    question = Text(
        chat=ticket.chat,
        text=t(lang, "followup.fixed_ask", ticket=ticket.id),
        buttons=[
            [
                Button(text=t(lang, "followup.yes_button"), data=_button("y", ticket.id)),
                Button(text=t(lang, "followup.no_button"), data=_button("n", ticket.id)),
            ]
        ],
        priority=Priority.NOTICE,
    )
    await _queue(ctx, question, ticket.id, "followup", ticket.resident_id)


async def _queue(ctx: Ctx, message: Text, ticket_id: int, purpose: str, recipient: int | None) -> None:
    await OutboxRepo(ctx.tx).add(
        message, now=ctx.now, ticket_id=ticket_id, purpose=purpose, recipient_id=recipient, channel=ctx.ev.channel
    )
    ctx.outbox_rows += 1


def _toast(ctx: Ctx, key: str) -> None:
    ctx.replies.append(Answer(chat=ctx.ev.chat, button_id=ctx.ev.button_id or "", text=ctx.t(key)))


def _close_buttons(ctx: Ctx, key: str, **values: object) -> None:
    """Replace the pressed message's buttons by the chosen answer, so it cannot be pressed twice."""
    if ctx.ev.message_id:
        ctx.replies.append(Edit(chat=ctx.ev.chat, message_id=ctx.ev.message_id, text=ctx.t(key, **values)))


async def _refuse(ctx: Ctx, reason: str) -> None:
    await ctx.audit_refusal("followup_button", f"{reason}: {ctx.ev.data}")
    _toast(ctx, "start.stale_button")


@dataclass(frozen=True)
class FeedbackPress:
    """``f:<answer>:<ticket>[:<stars>]``: fixed yes/no, a rating of 1-5 stars, or no comment."""

    answer: Literal["y", "n", "r", "c"]
    ticket: int
    stars: str = ""

    def __post_init__(self) -> None:
        if self.stars not in (STARS if self.answer == "r" else ("",)):
            raise ValueError(f"{self.answer} does not take {self.stars!r}")


STARS = ("1", "2", "3", "4", "5")
BUTTON = Codec("f:", FeedbackPress, FeedbackPress("r", 1, "5"))


def _button(answer: Literal["y", "n", "r", "c"], ticket_id: int, stars: str = "") -> str:
    return BUTTON.encode(FeedbackPress(answer, ticket_id, stars))


async def _forged(ctx: Ctx) -> None:
    await _refuse(ctx, "forged")


async def on_button(ctx: Ctx, press: FeedbackPress) -> None:
    action, ticket_id, stars = press.answer, press.ticket, int(press.stars) if press.stars else None
    ticket = await TicketsRepo(ctx.tx).get(ticket_id)
    if ticket is None or ticket.resident_id != ctx.person.id:
        await _refuse(ctx, "not_yours")
        return
    state = await FeedbackRepo(ctx.tx).state(ticket_id)
    if state is None:
        await _refuse(ctx, "not_asked")
        return
    fixed, given = state
    if action in ("y", "n") and (fixed is not None or ticket.status != "resolved"):
        _toast(ctx, "followup.already_answered")
        return
    if action == "y":
        await _fixed(ctx, ticket)
    elif action == "n":
        await _not_fixed(ctx, ticket)
    elif action == "r" and stars is not None and fixed == 1 and given is None:
        await _rated(ctx, ticket, stars)
    elif action == "c":
        await _finish(ctx, ticket)
    else:
        _toast(ctx, "followup.already_answered")


async def _fixed(ctx: Ctx, ticket: Ticket) -> None:
    await FeedbackRepo(ctx.tx).answer_fixed(ticket.id, True, ctx.now)
    await TicketsRepo(ctx.tx).event(ticket.id, "confirmed_fixed", now=ctx.now, actor_id=ctx.person.id)
    _close_buttons(ctx, "followup.fixed_yes_chosen", ticket=ticket.id)
    stars = [Button(text="⭐" * n, data=_button("r", ticket.id, str(n))) for n in range(1, 6)]
    ctx.say("followup.rate_ask", ticket=ticket.id, buttons=[stars[:3], stars[3:]])


async def _not_fixed(ctx: Ctx, ticket: Ticket) -> None:
    tickets = TicketsRepo(ctx.tx)
    holder = await PeopleRepo(ctx.tx).get(ticket.assignee_id) if ticket.assignee_id is not None else None
    to_status = "accepted" if holder is not None and holder.is_staff else "dispatched"
    moved = await tickets.transition(
        ticket.id, from_statuses=("resolved",), to_status=to_status, now=ctx.now, actor_id=ctx.person.id, reopened=True
    )
    if not moved:
        _toast(ctx, "followup.already_answered")
        return
    await FeedbackRepo(ctx.tx).answer_fixed(ticket.id, False, ctx.now)
    await tickets.clear_resolved_at(ticket.id)
    await tickets.event(ticket.id, "reopened", now=ctx.now, actor_id=ctx.person.id)
    _close_buttons(ctx, "followup.fixed_no_chosen", ticket=ticket.id)
    ctx.say("followup.reopened", ticket=ticket.id)
    await _tell_crew(ctx, ticket)
    logger.info("ticket %s reopened by its resident", ticket.id)


async def _tell_crew(ctx: Ctx, ticket: Ticket) -> None:
    people = PeopleRepo(ctx.tx)
    holder = await people.get(ticket.assignee_id) if ticket.assignee_id else None
    targets = [holder] if holder is not None and holder.is_staff else []  # a revoked holder gets no address
    if not targets:
        targets = await people.with_role("dispatcher", "supervisor")
    for person in targets:
        lang = Lang(person.lang)
        buttons = [
            [Button(text=t(lang, "crew.on_site_button"), data=crew_button("site", ticket.id))],
            [Button(text=t(lang, "crew.resolved_button"), data=crew_button("res", ticket.id))],
        ]
        text = t(lang, "followup.crew_reopened", ticket=ticket.id, address=ticket.address or "")
        message = Text(chat=person.external_id, text=text, buttons=buttons, priority=Priority.DISPATCH)
        await _queue(ctx, message, ticket.id, "reopened", person.id)


async def _rated(ctx: Ctx, ticket: Ticket, stars: int) -> None:
    await FeedbackRepo(ctx.tx).rate(ticket.id, stars)
    await TicketsRepo(ctx.tx).event(ticket.id, "rated", now=ctx.now, actor_id=ctx.person.id, stars=stars)
    _close_buttons(ctx, "followup.rated", stars="⭐" * stars)
    await ConversationsRepo(ctx.tx).put(
        ctx.ev.channel,
        ctx.ev.user,
        Conversation(flow=FLOW, step="comment", data={"ticket": ticket.id}, started_at=ctx.now, updated_at=ctx.now),
    )
    skip = [[Button(text=ctx.t("followup.no_comment_button"), data=_button("c", ticket.id))]]
    ctx.say("followup.comment_ask", buttons=skip)


async def _finish(ctx: Ctx, ticket: Ticket) -> None:
    conv = await ConversationsRepo(ctx.tx).get(ctx.ev.channel, ctx.ev.user)
    if conv is not None and conv.flow == FLOW:
        await ConversationsRepo(ctx.tx).clear(ctx.ev.channel, ctx.ev.user)
    ctx.say("followup.thanks")


async def on_comment(ctx: Ctx, conv: Conversation) -> bool:
    """Free text while a comment is awaited; False when it is no comment (the caller handles it)."""
    text = ctx.ev.text.strip()
    ticket_id = int(conv.data.get("ticket", 0))
    if not fold(text) or ticket_id <= 0:
        return False
    await FeedbackRepo(ctx.tx).comment(ticket_id, text[:MAX_COMMENT])
    await TicketsRepo(ctx.tx).event(ticket_id, "commented", now=ctx.now, actor_id=ctx.person.id)
    await ConversationsRepo(ctx.tx).clear(ctx.ev.channel, ctx.ev.user)
    ctx.say("followup.thanks")
    return True


ROUTES = Router("followup")
ROUTES.button(BUTTON, on_button, unreadable=_forged)
