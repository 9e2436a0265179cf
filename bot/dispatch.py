"""From a committed ticket to the crew on duty, and the crew's buttons back to the resident.

Every message to someone other than the person acting goes through the outbox in the same
transaction as the state change it reports. Every state change is a ticket event.
"""

from __future__ import annotations

import logging

from bot.context import Ctx
from bot.duty import crews_on_duty
from bot.events import Answer, Button, Edit, Location, Outbound, Priority, Text
from bot.forms import CATEGORIES
from bot.i18n import Lang, t
from bot.phone import display_phone
from bot.render import answer_lines
from storage.audit import AuditRepo
from storage.outbox import OutboxRepo
from storage.people import CREW_ROLES, CrewsRepo, PeopleRepo
from storage.tickets import Ticket, TicketsRepo

logger = logging.getLogger(__name__)

CAUSES = ("repaired", "valve_hose", "no_leak", "appliance", "third_party", "other")
ACTIONS = frozenset({"acc", "dec", "enr", "site", "res", "cause"})
SUPERVISING = frozenset({"dispatcher", "supervisor", "admin"})


async def queue(ctx: Ctx, message: Outbound, *, ticket_id: int, purpose: str, recipient_id: int | None) -> int:
    ctx.outbox_rows += 1
    return await OutboxRepo(ctx.tx).add(
        message,
        now=ctx.now,
        ticket_id=ticket_id,
        purpose=purpose,
        recipient_id=recipient_id,
        channel=ctx.ev.channel,
    )


def ticket_text(lang: Lang, ticket: Ticket, ctx: Ctx) -> str:
    """The dispatch card: what a crew member needs to decide and to find the place."""
    category = CATEGORIES[ticket.category]
    local = ticket.created_at.astimezone(ctx.settings.utility.tz)
    lines = [
        t(
            lang,
            "crew.card_title",
            severity=ticket.severity,
            category=t(lang, f"category.{ticket.category}"),
            ticket=ticket.id,
        ),
        t(lang, "crew.card_address", address=ticket.address or t(lang, "crew.card_pin_only")),
        *answer_lines(lang, category, ticket.details, skip=("photos",)),
    ]
    if ticket.phone:
        lines.append(t(lang, "crew.card_phone", phone=display_phone(ticket.phone)))
    lines.append(t(lang, "crew.card_reported", time=local.strftime("%H:%M")))
    if ticket.severity == "P1" and ticket.status == "dispatched":
        lines.append(t(lang, "crew.card_accept_within", minutes=max(1, ctx.settings.dispatch.ack_timeout_s // 60)))
    return "\n".join(lines)


def _offer_buttons(lang: Lang, ticket_id: int) -> list[list[Button]]:
    return [
        [
            Button(text=t(lang, "crew.accept_button"), data=f"t:acc:{ticket_id}"),
            Button(text=t(lang, "crew.decline_button"), data=f"t:dec:{ticket_id}"),
        ]
    ]


def _progress_buttons(lang: Lang, ticket: Ticket) -> list[list[Button]]:
    row = []
    if ticket.status == "accepted":
        row.append(Button(text=t(lang, "crew.en_route_button"), data=f"t:enr:{ticket.id}"))
    if ticket.status in ("accepted", "en_route"):
        row.append(Button(text=t(lang, "crew.on_site_button"), data=f"t:site:{ticket.id}"))
    return [row, [Button(text=t(lang, "crew.resolved_button"), data=f"t:res:{ticket.id}")]]


async def route_new(ctx: Ctx, ticket_id: int) -> None:
    """P1/P2 go to the crew on duty at once; P3 and P4 to the dispatchers' desk."""
    ticket = await TicketsRepo(ctx.tx).get(ticket_id)
    assert ticket is not None
    if ticket.status == "dispatched":
        await _dispatch(ctx, ticket)
    else:
        await _tell_desk(ctx, ticket, "desk.new_ticket")


async def _dispatch(ctx: Ctx, ticket: Ticket) -> None:
    crews, people, tickets = CrewsRepo(ctx.tx), PeopleRepo(ctx.tx), TicketsRepo(ctx.tx)
    sent_to: list[str] = []
    for name in crews_on_duty(ctx.settings, ctx.now):
        crew = await crews.by_name(name)
        if crew is None:
            continue
        if ticket.crew_id is None:
            await tickets.set_crew(ticket.id, crew.id)
        chats: list[tuple[str, int | None, Lang]] = [
            (member.external_id, member.id, Lang(member.lang)) for member in await people.crew_members(crew.id)
        ]
        if crew.group_chat:
            chats.append((crew.group_chat, None, Lang.ZH))
        for chat, recipient, lang in chats:
            card = Text(
                chat=chat,
                text=ticket_text(lang, ticket, ctx),
                buttons=_offer_buttons(lang, ticket.id),
                priority=Priority.DISPATCH,
            )
            await queue(ctx, card, ticket_id=ticket.id, purpose="dispatch", recipient_id=recipient)
            if ticket.latitude is not None and ticket.longitude is not None:
                pin = Location(
                    chat=chat,
                    latitude=ticket.latitude,
                    longitude=ticket.longitude,
                    title=f"#{ticket.id}",
                    address=ticket.address,
                    priority=Priority.DISPATCH,
                )
                await queue(ctx, pin, ticket_id=ticket.id, purpose="pin", recipient_id=recipient)
            sent_to.append(chat)
    await tickets.event(ticket.id, "dispatched", now=ctx.now, actor_id=None, recipients=len(sent_to))
    if not sent_to:
        logger.warning("ticket %s: nobody on duty could be reached", ticket.id)
        await _tell_desk(ctx, ticket, "desk.no_crew")


async def _tell_desk(ctx: Ctx, ticket: Ticket, key: str) -> None:
    for person in await PeopleRepo(ctx.tx).with_role("dispatcher", "supervisor"):
        lang = Lang(person.lang)
        text = t(lang, key, ticket=ticket.id) + "\n\n" + ticket_text(lang, ticket, ctx)
        message = Text(chat=person.external_id, text=text, priority=Priority.DISPATCH)
        await queue(ctx, message, ticket_id=ticket.id, purpose="desk", recipient_id=person.id)


async def tell_resident(ctx: Ctx, ticket: Ticket, key: str, **values: object) -> None:
    lang = Lang(ticket.lang)
    text = t(lang, key, ticket=ticket.id, hotline=ctx.settings.utility.hotline, **values)
    message = Text(chat=ticket.chat, text=text, priority=Priority.DISPATCH)
    await queue(ctx, message, ticket_id=ticket.id, purpose="resident", recipient_id=ticket.resident_id)


async def _refuse(ctx: Ctx, reason: str) -> None:
    await AuditRepo(ctx.tx).refused(
        channel=ctx.ev.channel,
        actor=ctx.ev.user,
        action="crew_button",
        detail=f"{reason}: {ctx.ev.data}",
        now=ctx.now,
    )
    _answer(ctx, ctx.t(f"crew.refused_{reason}"))


def _answer(ctx: Ctx, text: str) -> None:
    if ctx.ev.button_id:
        ctx.replies.append(Answer(chat=ctx.ev.chat, button_id=ctx.ev.button_id, text=text))


def _edit_own(ctx: Ctx, text: str, buttons: list[list[Button]]) -> None:
    if ctx.ev.message_id:
        ctx.replies.append(Edit(chat=ctx.ev.chat, message_id=ctx.ev.message_id, text=text, buttons=buttons))


def _parse(data: str) -> tuple[str, int, str] | None:
    parts = data.split(":")
    if len(parts) not in (3, 4) or parts[0] != "t" or parts[1] not in ACTIONS or not parts[2].isdigit():
        return None
    return parts[1], int(parts[2]), parts[3] if len(parts) == 4 else ""


async def on_button(ctx: Ctx) -> None:
    """A crew button: checked on the server against the presser's role and the ticket's state."""
    parsed = _parse(ctx.ev.data or "")
    if parsed is None:
        await _refuse(ctx, "forged")
        return
    action, ticket_id, arg = parsed
    person = ctx.person
    if person.role not in CREW_ROLES | SUPERVISING:
        await _refuse(ctx, "not_crew")
        return
    ticket = await TicketsRepo(ctx.tx).get(ticket_id)
    if ticket is None:
        await _refuse(ctx, "forged")
        return
    if action == "acc":
        await _accept(ctx, ticket)
        return
    if action == "dec":
        await TicketsRepo(ctx.tx).event(ticket.id, "declined", now=ctx.now, actor_id=person.id)
        _answer(ctx, ctx.t("crew.declined_toast"))
        _edit_own(ctx, ticket_text(ctx.lang, ticket, ctx) + "\n\n" + ctx.t("crew.you_declined"), [])
        return
    if ticket.assignee_id != person.id and person.role not in SUPERVISING:
        await _refuse(ctx, "not_yours")
        return
    await _progress(ctx, ticket, action, arg)


async def _accept(ctx: Ctx, ticket: Ticket) -> None:
    tickets, person = TicketsRepo(ctx.tx), ctx.person
    on_duty = False
    if person.crew_id is not None:
        crew = await CrewsRepo(ctx.tx).get(person.crew_id)
        on_duty = crew is not None and crew.name in crews_on_duty(ctx.settings, ctx.now)
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
        holder = await PeopleRepo(ctx.tx).get(ticket.assignee_id) if ticket.assignee_id else None
        name = holder.name if holder else "?"
        _answer(ctx, ctx.t("crew.already_taken", name=name))
        _edit_own(ctx, ticket_text(ctx.lang, ticket, ctx) + "\n\n" + ctx.t("crew.taken_by", name=name), [])
        return
    fresh = await tickets.get(ticket.id)
    assert fresh is not None
    _answer(ctx, ctx.t("crew.accepted_toast", ticket=ticket.id))
    _edit_own(
        ctx,
        ticket_text(ctx.lang, fresh, ctx) + "\n\n" + ctx.t("crew.you_accepted"),
        _progress_buttons(ctx.lang, fresh),
    )
    for row in await OutboxRepo(ctx.tx).rows_for_ticket(ticket.id, "dispatch"):
        if row.chat == ctx.ev.chat:
            continue
        lang = (
            Lang.ZH
            if row.recipient_id is None
            else Lang((await PeopleRepo(ctx.tx).get(row.recipient_id) or person).lang)
        )
        edit = Edit(
            chat=row.chat,
            of_outbox=row.id,
            text=ticket_text(lang, fresh, ctx) + "\n\n" + t(lang, "crew.taken_by", name=person.name),
            priority=Priority.DISPATCH,
        )
        await queue(ctx, edit, ticket_id=ticket.id, purpose="dispatch_edit", recipient_id=row.recipient_id)
    await tell_resident(
        ctx, fresh, "resident.accepted", name=person.name, minutes=ctx.settings.dispatch.arrival_target_min
    )


async def _progress(ctx: Ctx, ticket: Ticket, action: str, arg: str) -> None:
    tickets, person = TicketsRepo(ctx.tx), ctx.person
    if action == "res":
        buttons = [[Button(text=ctx.t(f"crew.cause_{cause}"), data=f"t:cause:{ticket.id}:{cause}")] for cause in CAUSES]
        _answer(ctx, "")
        _edit_own(ctx, ticket_text(ctx.lang, ticket, ctx) + "\n\n" + ctx.t("crew.choose_cause"), buttons)
        return
    moves = {
        "enr": (("accepted",), "en_route", None, "resident.en_route"),
        "site": (("accepted", "en_route"), "on_site", "arrived_at", "resident.on_site"),
        "cause": (("accepted", "en_route", "on_site"), "resolved", "resolved_at", "resident.resolved"),
    }
    if action == "cause" and arg not in CAUSES:
        await _refuse(ctx, "forged")
        return
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
    _answer(ctx, ctx.t(f"status.{to_status}"))
    done = to_status == "resolved"
    footer = ctx.t("crew.resolved_footer", cause=ctx.t(f"crew.cause_{arg}")) if done else ctx.t(f"status.{to_status}")
    _edit_own(
        ctx,
        ticket_text(ctx.lang, fresh, ctx) + "\n\n" + footer,
        [] if done else _progress_buttons(ctx.lang, fresh),
    )
    cause_text = t(Lang(ticket.lang), f"crew.cause_{arg}") if arg else ""
    await tell_resident(ctx, fresh, resident_key, name=person.name, cause=cause_text)


BUTTONS = {"t:": on_button}
