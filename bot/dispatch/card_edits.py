"""Editing the crew's card in place when the resident answers after the dispatch.

Every chat that still holds the ticket (members and groups of the crews it is offered to, its holder)
has its newest card edited: a changed severity first, then the card as it is now, then "✏️ Updated: ...".
Each edit carries the whole card, so one still waiting in the outbox is superseded by the next; plain
updates go at notice priority (behind new tickets' cards and the residents' questions), a changed
severity with the dispatch cards.
"""

from __future__ import annotations

from typing import Any

from bot.dispatch import offer as dispatch
from bot.dispatch.card import ticket_text
from bot.dispatch.offer import Scope
from bot.i18n import Lang, t
from bot.intake.forms import FIELDS
from bot.intake.render import value_text
from common.events import Edit, Photo, Priority
from storage.outbox import CardRef, OutboxRepo
from storage.people import CrewsRepo, PeopleRepo
from storage.tickets import Ticket
from storage.timers import OffersRepo

CARD_PURPOSES = ("dispatch", "backup")


def _update_lines(
    lang: Lang, ticket: Ticket, old: str, suggested: str | None, changed: list[str], answers: dict[str, Any]
) -> tuple[list[str], list[str]]:
    """(lines before the card, lines after it): a changed severity first, then the card, then what changed."""
    before = []
    if ticket.severity != old:
        before.append(t(lang, "crew.update_severity_raised", old=old, new=ticket.severity))
    elif suggested is not None:
        before.append(t(lang, "crew.update_severity_kept", kept=ticket.severity, suggested=suggested))
    shown = []
    for name in changed:
        spec = FIELDS.get(name)
        if name == "category":
            shown.append(t(lang, f"category.{ticket.category}"))
        elif spec is not None and name in answers:
            shown.append(f"{t(lang, f'form.{name}.label')}: {value_text(lang, spec, answers[name])}")
    after = [t(lang, "crew.update_line", what="; ".join(shown))] if shown else []
    return before, after


async def _current_cards(ctx: Scope, ticket: Ticket, *, holder_only: bool = False) -> list[CardRef]:
    """The newest card in each chat that still holds the ticket: members and groups of the crews it is
    offered to, and its holder (``holder_only``: once it has one, only the holder's). Cards withdrawn from a
    crew (reassigned, revoked) are left as they are."""
    people, crews = PeopleRepo(ctx.tx), CrewsRepo(ctx.tx)
    members: set[int] = {ticket.assignee_id} if ticket.assignee_id else set()
    groups: set[str] = set()
    offered = [] if holder_only and ticket.assignee_id else await OffersRepo(ctx.tx).crews(ticket.id)
    for crew_id in offered:
        members |= {member.id for member in await people.crew_members(crew_id)}
        crew = await crews.get(crew_id)
        if crew is not None and crew.group_chat:
            groups.add(crew.group_chat)
    newest: dict[str, CardRef] = {}
    for row in await OutboxRepo(ctx.tx).cards_of_ticket(ticket.id, CARD_PURPOSES):  # by id: the last one wins
        if row.recipient_id in members if row.recipient_id is not None else row.chat in groups:
            newest[row.chat] = row
    return sorted(newest.values(), key=lambda row: row.id)


async def edit_cards(
    ctx: Scope,
    ticket: Ticket,
    *,
    old: str,
    suggested: str | None,
    changed: list[str],
    answers: dict[str, Any],
    urgent: bool = False,
    holder_only: bool = False,
) -> int:
    """Edit the crew's card in place in every chat that holds it; returns how many edits were queued
    (``urgent``: with the dispatch cards, as an incident's throttled edit goes; ``holder_only``: once the
    ticket is accepted, in its holder's chat only, as an incident's card).

    A closed or resolved ticket's cards are left as they are (they say why)."""
    if not ticket.is_open:
        return 0
    people = PeopleRepo(ctx.tx)
    holder = await people.get(ticket.assignee_id) if ticket.assignee_id else None
    cards = await _current_cards(ctx, ticket, holder_only=holder_only)
    # each edit carries the whole card: one still waiting (a busy crew chat) is superseded by this one (the
    # holder's only: the others' "taken by" still goes)
    only = [row.chat for row in cards] if holder_only and holder is not None else None
    await OutboxRepo(ctx.tx).drop_pending(ticket.id, "dispatch_edit", reason="superseded by a newer card", chats=only)
    # A changed severity goes with the dispatch cards. Other updates wait behind new tickets' cards and
    # the residents' questions: under load they pile up in the outbox, where each one supersedes the
    # last, so a busy crew chat gets one edit with everything instead of one per answer.
    priority = Priority.DISPATCH if ticket.severity != old or urgent else Priority.NOTICE
    hints = await dispatch.duplicate_hints(ctx, ticket)
    queued = 0
    bodies: dict[Lang, str] = {}  # the card as it is now, written once per language
    for row in cards:
        recipient = await people.get(row.recipient_id) if row.recipient_id is not None else None
        lang = Lang(recipient.lang) if recipient else Lang.ZH
        before, after = _update_lines(lang, ticket, old, suggested, changed, answers)
        body = bodies.get(lang) or bodies.setdefault(lang, ticket_text(lang, ticket, ctx.settings, hints=hints))
        if ticket.status == "dispatched":
            buttons = dispatch.offer_buttons(lang, ticket.id)
        elif holder is not None and row.recipient_id == holder.id:
            buttons = dispatch.progress_buttons(lang, ticket)
        else:
            buttons = []
            if holder is not None:
                after = [*after, t(lang, "crew.taken_by", name=holder.name)]
        text = "\n".join([*before, body]) + ("\n\n" + "\n".join(after) if after else "")
        edit = Edit(chat=row.chat, of_outbox=row.id, text=text, buttons=buttons, priority=priority)
        await dispatch.queue(
            ctx, edit, ticket_id=ticket.id, purpose="dispatch_edit", recipient_id=row.recipient_id,
            channel=row.channel,
        )  # fmt: skip
        queued += 1
    return queued


async def send_photos(ctx: Scope, ticket: Ticket) -> None:
    """Photos sent after the card: to every chat that has the card (a card's photos go with it at dispatch)."""
    photos = [str(p) for p in ticket.details.get("photos") or []][: dispatch.MAX_CARD_PHOTOS]
    for row in await _current_cards(ctx, ticket) if ticket.is_open else []:
        for photo in photos:
            picture = Photo(chat=row.chat, photo=photo, caption=f"#{ticket.id}", priority=Priority.DISPATCH)
            await dispatch.queue(
                ctx, picture, ticket_id=ticket.id, purpose="photo", recipient_id=row.recipient_id,
                channel=row.channel,
            )  # fmt: skip


async def withdraw_cards(
    scope: Scope, ticket: Ticket, key: str, *, except_chat: str | None = None, **values: object
) -> None:
    """Edit every dispatch card of the ticket sent so far (or still to be sent), but the one in ``except_chat``:
    its buttons go, the reason shows. A card dropped before it was sent is not edited."""
    people = PeopleRepo(scope.tx)
    for row in await OutboxRepo(scope.tx).rows_for_ticket(ticket.id, "dispatch"):
        if row.status in ("dropped", "failed") or row.chat == except_chat:
            continue
        recipient = await people.get(row.recipient_id) if row.recipient_id is not None else None
        lang = Lang(recipient.lang) if recipient else Lang.ZH
        edit = Edit(
            chat=row.chat,
            of_outbox=row.id,
            text=ticket_text(lang, ticket, scope.settings) + "\n\n" + t(lang, key, **values),
            priority=Priority.DISPATCH,
        )
        await dispatch.queue(
            scope,
            edit,
            ticket_id=ticket.id,
            purpose="dispatch_edit",
            recipient_id=row.recipient_id,
            channel=row.channel,
        )
