"""The crew's buttons on a dispatch card: ``t:<action>:<ticket>[:<arg>]``.

Accept / Decline (with a reason), En route, On site, Resolved (a cause, then notes or a photo), Need
backup, Hand over. Every press is checked on the server (``bot.dispatch.authz``) against the presser's stored role
and the stored ticket; a refusal is audited. The first Accept wins atomically (compare-and-set).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.casework import hazards
from bot.context import Ctx
from bot.dispatch import escalation, followup, incidents
from bot.dispatch.authz import may_answer_offer, may_work
from bot.dispatch.buttons import CAUSES, CREW, DECLINE_REASONS, OFFER_ACTIONS, CrewPress, crew_button
from bot.dispatch.card_edits import withdraw_cards
from bot.dispatch.offer import (
    arrival_target_min,
    local_time,
    offer,
    progress_buttons,
    tell_desk,
    tell_resident,
    ticket_text,
)
from bot.drills.report import send_report
from bot.i18n import Lang, t
from bot.people.phone import display_phone
from bot.rota.duty import crews_on_duty
from bot.routes import Router
from common.events import Answer, Button, Edit, EventKind
from storage.conversations import Conversation, ConversationsRepo
from storage.desk import WORKING, DeskRepo
from storage.people import CrewsRepo, PeopleRepo
from storage.tickets import Ticket, TicketsRepo
from storage.timers import OffersRepo

logger = logging.getLogger(__name__)

NOTE_FLOW = "crew_note"


async def refuse(ctx: Ctx, reason: str, *, action: str = "crew_button") -> None:
    await ctx.audit_refusal(action, f"{reason}: {ctx.ev.data or ctx.ev.text}")
    logger.info("refused %s (%s) from person %s", action, reason, ctx.person.id)
    text = ctx.t(f"crew.refused_{reason}")
    if ctx.ev.button_id:
        _answer(ctx, text)
    else:
        ctx.say_text(text)


def _answer(ctx: Ctx, text: str) -> None:
    if ctx.ev.button_id:
        ctx.replies.append(Answer(chat=ctx.ev.chat, button_id=ctx.ev.button_id, text=text))


def _edit_own(ctx: Ctx, text: str, buttons: list[list[Button]]) -> None:
    if ctx.ev.message_id:
        ctx.replies.append(Edit(chat=ctx.ev.chat, message_id=ctx.ev.message_id, text=text, buttons=buttons))


async def forged(ctx: Ctx) -> None:
    await refuse(ctx, "forged")


async def on_button(ctx: Ctx, press: CrewPress) -> None:
    """A crew button (staff only: its route): checked against the ticket's offers and its assignee."""
    action, ticket_id, arg = press.action, press.ticket, press.arg
    person = ctx.person
    ticket = await TicketsRepo(ctx.tx).get(ticket_id)
    if ticket is None:
        await refuse(ctx, "forged")
        return
    if action in OFFER_ACTIONS:
        if not may_answer_offer(person, await OffersRepo(ctx.tx).crews(ticket.id)):
            await refuse(ctx, "not_offered")
            return
        if action == "acc":
            await _accept(ctx, ticket)
        elif action == "dec":
            _ask_decline_reason(ctx, ticket)
        else:
            await _decline(ctx, ticket, arg)
        return
    if not may_work(person, ticket):
        await refuse(ctx, "not_yours")
        return
    if action == "bk":
        await _need_backup(ctx, ticket)
    elif action == "ho":
        await _hand_over(ctx, ticket)
    elif action == "skip":
        await ConversationsRepo(ctx.tx).clear(ctx.ev.channel, ctx.ev.user)
        _answer(ctx, ctx.t("crew.note_skipped"))
    else:
        await _progress(ctx, ticket, action, arg)


async def _holder_name(ctx: Ctx, ticket: Ticket) -> str:
    holder = await PeopleRepo(ctx.tx).get(ticket.assignee_id) if ticket.assignee_id else None
    return holder.name if holder else "?"


async def _accept(ctx: Ctx, ticket: Ticket) -> None:
    tickets, person = TicketsRepo(ctx.tx), ctx.person
    on_duty = False
    if person.crew_id is not None:
        crew = await CrewsRepo(ctx.tx).get(person.crew_id)
        on_duty = crew is not None and crew.name in await crews_on_duty(ctx.tx, ctx.settings, ctx.now)
    won = await tickets.transition(
        ticket.id,
        from_statuses=("dispatched", "queued"),
        to_status="accepted",
        now=ctx.now,
        actor_id=person.id,
        assignee_id=person.id,
        stamp="accepted_at",
        on_duty=on_duty,
    )
    if not won:
        if ticket.assignee_id == person.id:
            _answer(ctx, ctx.t("crew.already_yours", ticket=ticket.id))
            return
        if ticket.assignee_id is None:
            _answer(ctx, ctx.t("crew.stale", status=ctx.t(f"status.{ticket.status}")))
            _edit_own(ctx, ticket_text(ctx.lang, ticket, ctx.settings), [])
            return
        name = await _holder_name(ctx, ticket)
        _answer(ctx, ctx.t("crew.already_taken", name=name))
        _edit_own(ctx, ticket_text(ctx.lang, ticket, ctx.settings) + "\n\n" + ctx.t("crew.taken_by", name=name), [])
        return
    if not on_duty:
        logger.info("ticket %s accepted by off-duty person %s", ticket.id, person.id)
    await tickets.set_crew(ticket.id, person.crew_id)
    fresh = await tickets.get(ticket.id)
    assert fresh is not None
    await escalation.on_accepted(ctx, fresh)
    _answer(ctx, ctx.t("crew.accepted_toast", ticket=ticket.id))
    _edit_own(
        ctx,
        ticket_text(ctx.lang, fresh, ctx.settings) + "\n\n" + ctx.t("crew.you_accepted"),
        progress_buttons(ctx.lang, fresh),
    )
    await withdraw_cards(ctx, fresh, "crew.taken_by", except_chat=ctx.ev.chat, name=person.name)
    eta = local_time(ctx.settings, ctx.now + timedelta(minutes=arrival_target_min(ctx.settings, fresh.severity)))
    await tell_resident(ctx, fresh, "resident.accepted", name=person.name, eta=eta, contact=_contact(ctx, fresh))
    await incidents.follow_lead(
        ctx, fresh, "resident.accepted", name=person.name, eta=eta, contact=_contact(ctx, fresh)
    )


def _contact(ctx: Ctx, ticket: Ticket) -> str:
    """The crew member's own number, for the resident, only when the utility allows it."""
    if not ctx.settings.dispatch.share_crew_phone or not ctx.person.phone:
        return ""
    return t(Lang(ticket.lang), "resident.crew_phone", phone=display_phone(ctx.person.phone))


def _ask_decline_reason(ctx: Ctx, ticket: Ticket) -> None:
    buttons = [
        [Button(text=ctx.t(f"crew.decline_{r}"), data=crew_button("decr", ticket.id, r))] for r in DECLINE_REASONS
    ]
    _answer(ctx, "")
    _edit_own(ctx, ticket_text(ctx.lang, ticket, ctx.settings) + "\n\n" + ctx.t("crew.decline_why"), buttons)


async def _decline(ctx: Ctx, ticket: Ticket, reason: str) -> None:
    if ticket.status != "dispatched":
        _answer(ctx, ctx.t("crew.stale", status=ctx.t(f"status.{ticket.status}")))
        return
    await TicketsRepo(ctx.tx).event(ticket.id, "declined", now=ctx.now, actor_id=ctx.person.id, reason=reason)
    _answer(ctx, ctx.t("crew.declined_toast"))
    _edit_own(
        ctx,
        ticket_text(ctx.lang, ticket, ctx.settings)
        + "\n\n"
        + ctx.t("crew.you_declined", reason=ctx.t(f"crew.decline_{reason}")),
        [],
    )
    await tell_desk(
        ctx, ticket, "desk.declined", card=False, name=ctx.person.name, reason=t(Lang.ZH, f"crew.decline_{reason}")
    )
    await escalation.on_declined(ctx, ticket)


async def _need_backup(ctx: Ctx, ticket: Ticket) -> None:
    if ticket.status not in WORKING:
        _answer(ctx, ctx.t("crew.stale", status=ctx.t(f"status.{ticket.status}")))
        return
    await TicketsRepo(ctx.tx).event(ticket.id, "backup_requested", now=ctx.now, actor_id=ctx.person.id)
    backup = await escalation.backup_crew(ctx, ticket)
    if backup is not None:
        await offer(ctx, ticket, backup, purpose="backup")
    await tell_desk(ctx, ticket, "desk.backup_requested", name=ctx.person.name, crew=backup.name if backup else "-")
    _answer(ctx, ctx.t("crew.backup_toast"))


async def _hand_over(ctx: Ctx, ticket: Ticket) -> None:
    moved = await DeskRepo(ctx.tx).redispatch(
        ticket.id,
        from_statuses=WORKING,
        crew_id=ticket.crew_id,
        now=ctx.now,
        actor_id=ctx.person.id,
        kind="handed_over",
    )
    if not moved:
        _answer(ctx, ctx.t("crew.stale", status=ctx.t(f"status.{ticket.status}")))
        return
    fresh = await TicketsRepo(ctx.tx).get(ticket.id)
    assert fresh is not None
    await escalation.redispatch(ctx, fresh)
    _answer(ctx, ctx.t("crew.handed_over_toast"))
    _edit_own(ctx, ticket_text(ctx.lang, fresh, ctx.settings) + "\n\n" + ctx.t("crew.you_handed_over"), [])
    await tell_desk(ctx, fresh, "desk.handed_over", card=False, name=ctx.person.name)
    await tell_resident(ctx, fresh, "resident.handed_over")


async def _progress(ctx: Ctx, ticket: Ticket, action: str, arg: str) -> None:
    tickets, person = TicketsRepo(ctx.tx), ctx.person
    if action == "res":
        if ticket.status not in WORKING:
            _answer(ctx, ctx.t("crew.stale", status=ctx.t(f"status.{ticket.status}")))
            return
        buttons = [
            [Button(text=ctx.t(f"crew.cause_{cause}"), data=crew_button("cause", ticket.id, cause))] for cause in CAUSES
        ]
        _answer(ctx, "")
        _edit_own(ctx, ticket_text(ctx.lang, ticket, ctx.settings) + "\n\n" + ctx.t("crew.choose_cause"), buttons)
        return
    moves = {
        "enr": (("accepted",), "en_route", None, "resident.en_route"),
        "site": (("accepted", "en_route"), "on_site", "arrived_at", "resident.on_site"),
        "cause": (WORKING, "resolved", "resolved_at", "resident.resolved"),
    }
    from_statuses, to_status, stamp, resident_key = moves[action]
    moved = await tickets.transition(
        ticket.id,
        from_statuses=from_statuses,
        to_status=to_status,
        now=ctx.now,
        actor_id=person.id,
        stamp=stamp,
        cause=arg or None,
    )
    if not moved:
        _answer(ctx, ctx.t("crew.stale", status=ctx.t(f"status.{ticket.status}")))
        return
    fresh = await tickets.get(ticket.id)
    assert fresh is not None
    await escalation.on_progress(ctx, fresh)
    _answer(ctx, ctx.t(f"status.{to_status}"))
    done = to_status == "resolved"
    footer = ctx.t("crew.resolved_footer", cause=ctx.t(f"crew.cause_{arg}")) if done else ctx.t(f"status.{to_status}")
    if done:
        await _ask_notes(ctx, fresh)
        footer += "\n" + ctx.t("crew.ask_notes")
    _edit_own(
        ctx,
        ticket_text(ctx.lang, fresh, ctx.settings) + "\n\n" + footer,
        [
            [Button(text=ctx.t("crew.skip_notes"), data=crew_button("skip", ticket.id))],
            [hazards.record_button(ctx.lang, ticket.id)],
        ]
        if done
        else progress_buttons(ctx.lang, fresh),
    )
    assignee = await PeopleRepo(ctx.tx).get(fresh.assignee_id) if fresh.assignee_id else None
    name = assignee.name if assignee else person.name
    cause_text = t(Lang(ticket.lang), f"crew.cause_{arg}") if arg else ""
    eta = local_time(
        ctx.settings, fresh.created_at + timedelta(minutes=arrival_target_min(ctx.settings, fresh.severity))
    )
    await tell_resident(ctx, fresh, resident_key, name=name, cause=cause_text, eta=eta)
    await incidents.follow_lead(ctx, fresh, resident_key, name=name, cause=cause_text, eta=eta)
    if done and fresh.drill:
        await send_report(ctx, fresh)  # a drill ends with its report to whoever started it
    elif done:
        await followup.on_resolved(ctx, fresh)  # the resident: fixed? then a rating


async def _ask_notes(ctx: Ctx, ticket: Ticket) -> None:
    """After "resolved", the next text or photo from this person is kept as the ticket's notes."""
    conv = Conversation(
        flow=NOTE_FLOW, step="notes", data={"ticket": ticket.id}, started_at=ctx.now, updated_at=ctx.now
    )
    await ConversationsRepo(ctx.tx).put(ctx.ev.channel, ctx.ev.user, conv)


async def on_note(ctx: Ctx) -> None:
    """The crew's notes (text) or photo for a resolved ticket."""
    repo = ConversationsRepo(ctx.tx)
    conv = await repo.get(ctx.ev.channel, ctx.ev.user)
    if conv is None or conv.flow != NOTE_FLOW:
        return
    ticket_id = int(conv.data["ticket"])
    if ctx.ev.kind is EventKind.PHOTO and ctx.ev.photo:
        await TicketsRepo(ctx.tx).event(
            ticket_id, "photo", now=ctx.now, actor_id=ctx.person.id, photo=ctx.ev.photo, caption=ctx.ev.text[:500]
        )
    elif ctx.ev.kind is EventKind.TEXT and ctx.ev.text.strip():
        await TicketsRepo(ctx.tx).event(ticket_id, "note", now=ctx.now, actor_id=ctx.person.id, text=ctx.ev.text[:2000])
    else:
        ctx.say("crew.ask_notes")
        return
    await repo.clear(ctx.ev.channel, ctx.ev.user)
    ctx.say("crew.note_saved", ticket=ticket_id)


ROUTES = Router("crew")
ROUTES.button(CREW, on_button, "staff", unreadable=forged, refusal="crew.refused_not_crew")
ROUTES.flow(NOTE_FLOW, on_note)
