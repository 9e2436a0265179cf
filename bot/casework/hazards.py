"""Hazards rectified by a deadline (以检查促整改, 限期整改).

A crew that resolves a ticket (or any worker of it, or the staff member who did its inspection visit,
``bot.casework.booking``) records what it found: ``hz:k:<ticket>`` lists the kinds
(``bot.casework.kinds``), ``hz:p:<ticket>:<kind>`` asks who must fix it, ``hz:r:<ticket>:<kind>:<party>``
records it with the deadline by rule. The ticket's resident gets the notice (what to do, by when) with a
"done - send a photo" button (``hz:d:<hazard>``); their photo goes to the crew member who recorded it and
to the inspectors, who confirm (``hz:ok:<hazard>``) or say it is not fixed (``hz:no:<hazard>``). Only that
confirmation closes it. The reminder and the overdue alert are ``bot.casework.deadlines``. Every step is a
ticket event (the audit trail); ``/hazards`` is the desk's list, overdue first.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from bot.casework import kinds as hazard_kinds
from bot.context import Ctx
from bot.dispatch.authz import may_confirm_hazard, may_work
from bot.dispatch.offer import Scope, queue
from bot.i18n import Lang, t
from bot.routes import Codec, Router
from common.events import Button, EventKind, Photo, Priority, Text
from storage.bookings import BookingsRepo
from storage.conversations import Conversation, ConversationsRepo
from storage.hazards import Hazard, HazardsRepo
from storage.people import PeopleRepo
from storage.tickets import Ticket, TicketsRepo

logger = logging.getLogger(__name__)

FLOW = "hazard_photo"
LIST_LIMIT = 30


def record_button(lang: Lang, ticket_id: int) -> Button:
    """The "record a hazard" button under a resolved card (``bot.dispatch.crew_actions``)."""
    return Button(text=t(lang, "hazard.record_button"), data=_button("k", ticket_id))


def _when(scope: Scope, at: datetime) -> str:
    return at.astimezone(scope.settings.utility.tz).strftime("%Y-%m-%d %H:%M")


async def _refuse(ctx: Ctx, reason: str) -> None:
    await ctx.audit_refusal("hazard_button", f"{reason}: {ctx.ev.data}")
    ctx.toast("start.stale_button")


HazardAction = Literal["k", "p", "r", "d", "ok", "no"]
_ARITY = {"k": 0, "p": 1, "r": 2, "d": 0, "ok": 0, "no": 0}


@dataclass(frozen=True)
class HazardPress:
    """``hz:<action>:<number>[:<kind>[:<party>]]``: record (ticket number; choose the kind, then the party),
    the resident's "done" and the inspector's verdict (hazard number)."""

    action: HazardAction
    number: int
    kind: str = ""
    party: str = ""

    def __post_init__(self) -> None:
        given = [arg for arg in (self.kind, self.party) if arg]
        if (
            len(given) != _ARITY[self.action]
            or (self.party and not self.kind)
            or (self.kind and self.kind not in hazard_kinds.kinds())
            or (self.party and self.party not in hazard_kinds.PARTIES)
        ):
            raise ValueError(f"hz:{self.action} does not take {given}")


BUTTON = Codec("hz:", HazardPress, HazardPress("r", 1, max(hazard_kinds.kinds(), key=len), "property"))


def _button(action: HazardAction, number: int, kind: str = "", party: str = "") -> str:
    return BUTTON.encode(HazardPress(action, number, kind, party))


async def _forged(ctx: Ctx) -> None:
    await _refuse(ctx, "forged")


async def on_button(ctx: Ctx, press: HazardPress) -> None:
    action, number = press.action, press.number
    if action in ("k", "p", "r"):
        ticket = await TicketsRepo(ctx.tx).get(number)
        if ticket is None or not ctx.person.is_staff or not await _may_record(ctx, ticket):
            await _refuse(ctx, "not_yours")
            return
        if action == "k":
            _choose_kind(ctx, ticket)
        elif action == "p":
            _choose_party(ctx, ticket, press.kind)
        else:
            await _record(ctx, ticket, press.kind, press.party)
        return
    hazard = await HazardsRepo(ctx.tx).get(number)
    ticket = await TicketsRepo(ctx.tx).get(hazard.ticket_id) if hazard else None
    if hazard is None or ticket is None:
        await _refuse(ctx, "forged")
        return
    if action == "d":
        if ticket.resident_id != ctx.person.id:
            await _refuse(ctx, "not_yours")
            return
        await _ask_photo(ctx, hazard)
        return
    if not may_confirm_hazard(ctx.person, list(ctx.settings.casework.inspection_roles)):
        await _refuse(ctx, "not_inspector")
        return
    await _verdict(ctx, hazard, ticket, fixed=action == "ok")


async def _may_record(ctx: Ctx, ticket: Ticket) -> bool:
    """Whoever may work the ticket, or the staff member who did its inspection visit (an inspection finding)."""
    return may_work(ctx.person, ticket) or await BookingsRepo(ctx.tx).inspected_by(ticket.id, ctx.person.id)


def _choose_kind(ctx: Ctx, ticket: Ticket) -> None:
    buttons = [
        [Button(text=kind.name(ctx.lang), data=_button("p", ticket.id, kind.id))]
        for kind in hazard_kinds.kinds().values()
    ]
    ctx.toast("hazard.choose_kind_toast")
    ctx.edit_pressed(ctx.t("hazard.choose_kind", ticket=ticket.id), buttons)


def _choose_party(ctx: Ctx, ticket: Ticket, kind_id: str) -> None:
    kind = hazard_kinds.kinds()[kind_id]
    order = [kind.party, *(p for p in hazard_kinds.PARTIES if p != kind.party)]
    buttons = [[Button(text=ctx.t(f"hazard.party_{p}"), data=_button("r", ticket.id, kind_id, p))] for p in order]
    ctx.toast("hazard.choose_party_toast")
    ctx.edit_pressed(ctx.t("hazard.choose_party", ticket=ticket.id, kind=kind.name(ctx.lang)), buttons)


def notice_text(scope: Scope, hazard: Hazard, lang: Lang, key: str = "hazard.notice") -> str:
    kind = hazard_kinds.kinds()[hazard.kind]
    return t(
        lang,
        key,
        ticket=hazard.ticket_id,
        kind=kind.name(lang),
        todo=kind.todo(lang),
        party=t(lang, f"hazard.party_{hazard.party}"),
        due=_when(scope, hazard.due_at_utc),
        rule=t(lang, f"hazard.rule_{hazard.rule}"),
        hotline=scope.settings.utility.hotline,
    )


def done_buttons(lang: Lang, hazard_id: int) -> list[list[Button]]:
    return [[Button(text=t(lang, "hazard.done_button"), data=_button("d", hazard_id))]]


async def tell_resident(scope: Scope, ticket: Ticket, hazard: Hazard, key: str, purpose: str) -> None:
    lang = Lang(ticket.lang)
    message = Text(
        chat=ticket.chat,
        text=notice_text(scope, hazard, lang, key),
        buttons=done_buttons(lang, hazard.id) if hazard.status == "open" else [],
        priority=Priority.NOTICE,
    )
    await queue(scope, message, ticket_id=ticket.id, purpose=purpose, recipient_id=ticket.resident_id)


async def _record(ctx: Ctx, ticket: Ticket, kind_id: str, party: str) -> None:
    kind = hazard_kinds.kinds()[kind_id]
    due = hazard_kinds.deadline(kind.rule, ctx.now)
    repo = HazardsRepo(ctx.tx)
    hazard_id = await repo.add(
        ticket_id=ticket.id,
        kind=kind_id,
        party=party,
        rule=kind.rule,
        recorded_by=ctx.person.id,
        now=ctx.now,
        due=due,
        remind=hazard_kinds.remind_at(ctx.now, due),
    )
    if hazard_id is None:
        ctx.toast("hazard.already_recorded")
        return
    hazard = await repo.get(hazard_id)
    assert hazard is not None
    await TicketsRepo(ctx.tx).event(
        ticket.id, "hazard_recorded", now=ctx.now, actor_id=ctx.person.id, hazard=hazard_id, hazard_kind=kind_id,
        party=party, rule=kind.rule, due=due.isoformat(),
    )  # fmt: skip
    await tell_resident(ctx, ticket, hazard, "hazard.notice", "hazard_notice")
    logger.info("hazard %s (%s) recorded on ticket %s", hazard_id, kind_id, ticket.id)
    ctx.toast("hazard.recorded_toast")
    text = ctx.t("hazard.recorded", ticket=ticket.id, kind=kind.name(ctx.lang), due=_when(ctx, due))
    ctx.edit_pressed(text, [[record_button(ctx.lang, ticket.id)]])


async def _ask_photo(ctx: Ctx, hazard: Hazard) -> None:
    if hazard.status == "fixed":
        ctx.toast("hazard.already_fixed")
        return
    conv = Conversation(flow=FLOW, step="photo", data={"hazard": hazard.id}, started_at=ctx.now, updated_at=ctx.now)
    await ConversationsRepo(ctx.tx).put(ctx.ev.channel, ctx.ev.user, conv)
    ctx.toast("hazard.photo_toast")
    ctx.say("hazard.send_photo")


async def on_photo(ctx: Ctx) -> None:
    """The resident's photo of the fix (or a line saying what was done): the checkers are asked to confirm."""
    conversations = ConversationsRepo(ctx.tx)
    conv = await conversations.get(ctx.ev.channel, ctx.ev.user)
    if conv is None or conv.flow != FLOW:
        return
    photo = ctx.ev.photo if ctx.ev.kind is EventKind.PHOTO else None
    said = ctx.ev.text.strip()[:500]
    if photo is None and not said:
        ctx.say("hazard.send_photo")
        return
    await conversations.clear(ctx.ev.channel, ctx.ev.user)
    repo = HazardsRepo(ctx.tx)
    hazard = await repo.get(int(conv.data["hazard"]))
    if hazard is None or not await repo.reported(hazard.id, ctx.now, photo):
        ctx.say("hazard.already_fixed")
        return
    await TicketsRepo(ctx.tx).event(
        hazard.ticket_id, "hazard_reported_fixed", now=ctx.now, actor_id=ctx.person.id, hazard=hazard.id,
        photo=bool(photo), said=said,
    )  # fmt: skip
    await _ask_checkers(ctx, hazard, photo, said)
    ctx.say("hazard.photo_received", ticket=hazard.ticket_id)


async def _ask_checkers(ctx: Ctx, hazard: Hazard, photo: str | None, said: str) -> None:
    people = PeopleRepo(ctx.tx)
    checkers = await people.with_role(*ctx.settings.casework.inspection_roles)
    recorder = await people.get(hazard.recorded_by) if hazard.recorded_by is not None else None
    if recorder is not None and recorder.is_staff and all(p.id != recorder.id for p in checkers):
        checkers.insert(0, recorder)
    kind = hazard_kinds.kinds()[hazard.kind]
    for person in checkers:
        lang = Lang(person.lang)
        if photo:
            picture = Photo(
                chat=person.external_id, photo=photo, caption=f"#{hazard.ticket_id}", priority=Priority.NOTICE
            )
            await queue(ctx, picture, ticket_id=hazard.ticket_id, purpose="hazard_check", recipient_id=person.id)
        text = t(
            lang, "hazard.check_ask", ticket=hazard.ticket_id, kind=kind.name(lang), said=said or "-",
            photo=t(lang, "hazard.with_photo" if photo else "hazard.without_photo"),
        )  # fmt: skip
        buttons = [
            [Button(text=t(lang, "hazard.confirm_button"), data=_button("ok", hazard.id))],
            [Button(text=t(lang, "hazard.not_fixed_button"), data=_button("no", hazard.id))],
        ]
        message = Text(chat=person.external_id, text=text, buttons=buttons, priority=Priority.NOTICE)
        await queue(ctx, message, ticket_id=hazard.ticket_id, purpose="hazard_check", recipient_id=person.id)


async def _verdict(ctx: Ctx, hazard: Hazard, ticket: Ticket, *, fixed: bool) -> None:
    repo = HazardsRepo(ctx.tx)
    kind = hazard_kinds.kinds()[hazard.kind].name(ctx.lang)
    if fixed:
        if not await repo.fixed(hazard.id, ctx.now, ctx.person.id):
            ctx.toast("hazard.already_fixed")
            return
        await TicketsRepo(ctx.tx).event(
            ticket.id, "hazard_fixed", now=ctx.now, actor_id=ctx.person.id, hazard=hazard.id
        )
        fresh = await repo.get(hazard.id)
        assert fresh is not None
        await tell_resident(ctx, ticket, fresh, "hazard.confirmed_resident", "hazard_confirmed")
        ctx.toast("hazard.confirmed_toast")
        ctx.edit_pressed(ctx.t("hazard.confirmed", ticket=ticket.id, kind=kind))
        return
    if hazard.status == "fixed":
        ctx.toast("hazard.already_fixed")
        return
    await repo.reopen(hazard.id)
    await TicketsRepo(ctx.tx).event(
        ticket.id, "hazard_not_fixed", now=ctx.now, actor_id=ctx.person.id, hazard=hazard.id
    )
    fresh = await repo.get(hazard.id)
    assert fresh is not None
    await tell_resident(ctx, ticket, fresh, "hazard.not_fixed_resident", "hazard_not_fixed")
    ctx.toast("hazard.not_fixed_toast")
    ctx.edit_pressed(ctx.t("hazard.not_fixed", ticket=ticket.id, kind=kind))


async def on_list(ctx: Ctx) -> None:
    """``/hazards``: every hazard not confirmed fixed, overdue first, each with its confirm button."""
    hazards = await HazardsRepo(ctx.tx).unfixed()
    if not hazards:
        ctx.say("hazard.list_empty")
        return
    hazards.sort(key=lambda h: (h.due_at_utc > ctx.now, h.due_at_utc))
    lines, buttons = [ctx.t("hazard.list_head", count=len(hazards))], []
    for hazard in hazards[:LIST_LIMIT]:
        key = "hazard.list_overdue" if hazard.due_at_utc <= ctx.now else f"hazard.list_{hazard.status}"
        lines.append(
            ctx.t(
                key, ticket=hazard.ticket_id, id=hazard.id, due=_when(ctx, hazard.due_at_utc),
                kind=hazard_kinds.kinds()[hazard.kind].name(ctx.lang), party=ctx.t(f"hazard.party_{hazard.party}"),
            )
        )  # fmt: skip
        buttons.append([Button(text=ctx.t("hazard.list_confirm", id=hazard.id), data=_button("ok", hazard.id))])
    ctx.say_text("\n".join(lines), buttons=buttons[:10])


ROUTES = Router("hazards")
ROUTES.command("hazards", on_list, "desk")
ROUTES.button(BUTTON, on_button, unreadable=_forged)
ROUTES.flow(FLOW, on_photo)
