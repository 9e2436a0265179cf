"""Committing a report's ticket: an emergency's at its location, a service report's at its confirm.

Dispatch as soon as we know where (DESIGN.md, principle 9).

An emergency report (leak, CO, fire, a pipe hit by works, or any report whose answers make it P1/P2)
is committed the moment it has a location, at its provisional severity (unanswered questions count as
their worst answer), and dispatched in the same transaction; the resident is told its number. Every
later answer updates the ticket in the transaction that records it, re-triages it, and edits the
crew's cards in place (``bot.dispatch.card_edits``).

Severity only rises while a crew is on its way: a higher one re-dispatches at the new level (the
acknowledgement clock and the escalation chain start again; a queued ticket goes to the crew on
duty), a lower one is only a note on the card for the crew to judge.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from bot.casework import booking
from bot.casework import cases as casework
from bot.context import Ctx
from bot.dispatch import card_edits, duplicates, escalation, incidents
from bot.dispatch import offer as dispatch
from bot.dispatch.card import arrival_target_min
from bot.dispatch.route import route_new
from bot.i18n import Lang, t
from bot.intake import abandoned
from bot.intake.forms import CATEGORIES, FIELDS, Severity
from bot.intake.geocode import address_of
from bot.intake.menu import menu_keyboard
from bot.intake.triage import RANK, provisional, routing, triage, urgent
from bot.key_sites.store import raise_at_site
from common.events import Priority, Text
from storage.conversations import ConversationsRepo
from storage.db import to_db
from storage.people import PeopleRepo
from storage.tickets import Ticket, TicketsRepo
from storage.timers import TimersRepo

logger = logging.getLogger(__name__)

MAX_PHOTOS = 10
_COLUMNS = ("location", "phone", "phone_optional")


def columns(answers: dict[str, Any]) -> dict[str, Any]:
    """The ticket's columns and details from a report's answers (hidden ``_`` answers are not kept)."""
    answers = dict(answers)
    if early := answers.pop("_photos", None):
        answers["photos"] = [*(answers.get("photos") or []), *early][:MAX_PHOTOS]
    location = answers.get("location") or {}
    return {
        "address": location.get("address") or answers.get("address"),
        "latitude": location.get("lat"),
        "longitude": location.get("lon"),
        "phone": answers.get("phone") or answers.get("phone_optional"),
        "details": {k: v for k, v in answers.items() if k not in _COLUMNS and not k.startswith("_")},
    }


def _asked(answers: dict[str, Any]) -> list[str]:
    return [name for name in FIELDS if name in answers]


def severity_of(data: dict[str, Any]) -> Severity:
    return provisional(data["category"], data["answers"], fire=bool(data.get("fire")))


async def _create(
    ctx: Ctx, category: str, severity: Severity, cols: dict[str, Any], details: dict[str, Any]
) -> tuple[int, Severity]:
    """The ticket row of the resident's report (the one place a report becomes a ticket), raised a level
    at a key site; returns its number and severity."""
    severity, site = await raise_at_site(
        ctx.tx,
        ctx.settings,
        category=category,
        severity=severity,
        address=cols["address"],
        latitude=cols["latitude"],
        longitude=cols["longitude"],
        details=details,
    )
    if site is not None:
        details = {**details, "_key_site": site}
    ticket_id = await TicketsRepo(ctx.tx).create(
        resident_id=ctx.person.id,
        channel=ctx.ev.channel,
        chat=ctx.ev.chat,
        lang=ctx.lang.value,
        category=category,
        severity=severity.value,
        status=routing(severity),
        address=cols["address"],
        latitude=cols["latitude"],
        longitude=cols["longitude"],
        phone=cols["phone"],
        details=details,
        now=ctx.now,
    )
    return ticket_id, severity


async def commit(ctx: Ctx, data: dict[str, Any]) -> int | None:
    """Commit and dispatch the report at its location; ``data["ticket"]`` is set to its number.

    Returns None when the report was added to the resident's open ticket of the same kind instead
    (the caller ends the conversation: the crew that has that ticket was told).
    """
    category = data["category"]
    severity = severity_of(data)
    earlier = await duplicates.open_ticket_of(ctx)
    if earlier is not None and duplicates.should_attach(earlier, category, severity):
        await duplicates.attach(ctx, earlier, category, columns(data["answers"])["details"])
        ctx.say("duplicates.attached", ticket=earlier.id)
        return None
    cols = columns(data["answers"])
    details = {**cols["details"], "_form": category, "_asked": _asked(data["answers"])}
    if cols["address"] is None and cols["latitude"] is not None and cols["longitude"] is not None:
        looked_up = address_of(ctx.settings, cols["latitude"], cols["longitude"])
        if looked_up:
            cols["address"], details["_geocoded"] = looked_up, True
    ticket_id, severity = await _create(ctx, category, severity, cols, details)
    data["ticket"] = ticket_id
    lead = await incidents.join_nearby(ctx, ticket_id, fire=bool(data.get("fire")))
    # durable, like every receipt: if the channel fails now, it arrives after a restart
    await dispatch.queue(
        ctx, _dispatched(ctx, ticket_id, lead), ticket_id=ticket_id, purpose="receipt", recipient_id=ctx.person.id
    )
    await _route(ctx, ticket_id, earlier, joined=lead is not None)
    logger.info("ticket %s committed at its location (%s) and dispatched", ticket_id, severity.value)
    return ticket_id


async def _route(ctx: Ctx, ticket_id: int, earlier: Ticket | None, *, joined: bool) -> None:
    """A new ticket's links and route: a report that joined an incident has the incident's card."""
    if earlier is not None:
        await duplicates.link_follows(ctx, ticket_id, earlier)
    if not joined:
        await duplicates.mark_probable_same(ctx, ticket_id)
        await route_new(ctx, ticket_id)


async def update(ctx: Ctx, data: dict[str, Any], changed: list[str], *, finished: bool = False) -> Ticket | None:
    """Put the answers on the ticket, re-triage it and edit the crew's cards; returns the fresh ticket."""
    tickets = TicketsRepo(ctx.tx)
    ticket = await tickets.get(int(data["ticket"]))
    if ticket is None:
        return None
    cols = columns(data["answers"])
    details = {**cols["details"]}
    for hidden in ("_dispatched_at", "_geocoded", "_incident"):
        if hidden in ticket.details:
            details[hidden] = ticket.details[hidden]
    if not finished:
        details["_form"], details["_asked"] = data["category"], _asked(data["answers"])
    address = cols["address"]
    if address is None and ticket.details.get("_geocoded"):
        address = ticket.address  # keep the looked-up address until one is typed
    elif address is not None:
        details.pop("_geocoded", None)
    latitude = cols["latitude"] if cols["latitude"] is not None else ticket.latitude
    longitude = cols["longitude"] if cols["longitude"] is not None else ticket.longitude
    new, site = await raise_at_site(
        ctx.tx,
        ctx.settings,
        category=data["category"],
        severity=severity_of(data),
        address=address,
        latitude=latitude,
        longitude=longitude,
        details=details,
    )
    if site is not None:
        details["_key_site"] = site
    old = ticket.severity
    lead_id = await incidents.lead_of(ctx, ticket.id)
    joined = lead_id != ticket.id  # the incident's card carries it
    raised = RANK[new.value] < RANK[old] and ticket.is_open
    lower = RANK[new.value] > RANK[old]
    if raised:
        details["_dispatched_at"] = to_db(ctx.now)
    reported = {
        "category": data["category"],
        "severity": new.value if raised else old,
        "address": address,
        "latitude": latitude,
        "longitude": longitude,
        "phone": cols["phone"] or ticket.phone,
        "details": details,
    }
    await tickets.update_report(ticket.id, **reported)
    await tickets.event(ticket.id, "updated", now=ctx.now, actor_id=ctx.person.id, fields=changed)
    if raised:
        await tickets.event(ticket.id, "severity_raised", now=ctx.now, actor_id=None, old=old, new=new.value)
        if not joined:
            await _raise(ctx, ticket.id, old)
    elif lower and ticket.is_open:
        await tickets.event(ticket.id, "severity_kept", now=ctx.now, actor_id=None, kept=old, suggested=new.value)
    if raised and not joined:  # re-dispatched: its status and clocks may have moved
        fresh = await tickets.get(ticket.id)
        assert fresh is not None
    else:  # the row as just written, without reading it back
        fresh = ticket.model_copy(update=reported)
    if site is not None and "_key_site" not in ticket.details:  # the place is known now: the desk at once
        await dispatch.tell_key_site(ctx, fresh, site)
    if joined:
        # its own card at once if it adds something a crew must act on
        await incidents.on_answer(ctx, fresh, lead_id, changed)
        return fresh
    suggested = new.value if lower else None
    if not await incidents.on_lead_answer(ctx, fresh, old=old, changed=changed):  # an incident's card: throttled
        await card_edits.edit_cards(ctx, fresh, old=old, suggested=suggested, changed=changed, answers=data["answers"])
    if "photos" in changed:
        await card_edits.send_photos(ctx, fresh)
    return fresh


async def _raise(ctx: Ctx, ticket_id: int, old: str) -> None:
    """Re-dispatch at the higher level: the clocks start again; a queued ticket goes to the crew on duty."""
    tickets, timers = TicketsRepo(ctx.tx), TimersRepo(ctx.tx)
    ticket = await tickets.get(ticket_id)
    assert ticket is not None
    await timers.cancel(ticket.id, escalation.RESOLVE)
    if ticket.status in ("queued", "followup") and routing(Severity(ticket.severity)) == "dispatched":
        await tickets.transition(
            ticket.id, from_statuses=(ticket.status,), to_status="dispatched", now=ctx.now, actor_id=None, raised=True
        )
        fresh = await tickets.get(ticket.id)
        assert fresh is not None
        await dispatch.dispatch_on_duty(ctx, fresh)
        await escalation.start_deadlines(ctx, fresh)
        return
    if ticket.status == "dispatched":
        await timers.cancel(ticket.id, escalation.ACK)
        await escalation.start_deadlines(ctx, ticket)  # a fresh chain at the new severity
        return
    due = ticket.created_at + timedelta(minutes=dispatch.resolve_target_min(ctx.settings, ticket.severity))
    await timers.add(escalation.RESOLVE, ticket.id, await timers.next_step(escalation.RESOLVE, ticket.id), due)
    if ticket.status in ("accepted", "en_route"):
        await timers.cancel(ticket.id, escalation.ARRIVE)
        arrive = ticket.created_at + timedelta(minutes=arrival_target_min(ctx.settings, ticket.severity))
        step = await timers.next_step(escalation.ARRIVE, ticket.id)
        await timers.add(escalation.ARRIVE, ticket.id, step, max(arrive, ctx.now))
    holder = await PeopleRepo(ctx.tx).get(ticket.assignee_id) if ticket.assignee_id else None
    if holder is not None:  # an edit makes no sound: the crew member on the way is told with a message
        text = t(Lang(holder.lang), "crew.severity_raised_alert", ticket=ticket.id, old=old, new=ticket.severity)
        await dispatch.queue(
            ctx,
            Text(chat=holder.external_id, text=text, priority=Priority.DISPATCH),
            ticket_id=ticket.id,
            purpose="raised",
            recipient_id=holder.id,
        )


async def thank(ctx: Ctx, ticket_id: int) -> None:
    """The end of an emergency's form, durable like the receipt (a restart does not lose it)."""
    text = ctx.t("intake.thanks_ticket", ticket=ticket_id)
    message = Text(chat=ctx.ev.chat, text=text, keyboard=menu_keyboard(ctx.lang), priority=Priority.DISPATCH)
    await dispatch.queue(ctx, message, ticket_id=ticket_id, purpose="thanks", recipient_id=ctx.person.id)


async def home_of(ctx: Ctx) -> dict[str, Any] | None:
    """The place of the resident's last report with a typed address, for the one-tap "I am at home"."""
    for ticket in await TicketsRepo(ctx.tx).of_resident(ctx.person.id, limit=5):
        if ticket.address and not ticket.details.get("_geocoded"):
            return {"address": ticket.address, "lat": ticket.latitude, "lon": ticket.longitude}
    return None


def _dispatched(ctx: Ctx, ticket_id: int, lead: int | None) -> Text:
    """The resident's word that a crew is being sent, or (``lead``) that their report joined an incident a crew
    is on its way to: told at dispatch priority, in turn with the crews' cards (in a district, hundreds)."""
    key = "incidents.joined" if lead else "intake.dispatched_now"
    priority = Priority.DISPATCH if lead else Priority.EMERGENCY
    return Text(chat=ctx.ev.chat, text=ctx.t(key, ticket=ticket_id), priority=priority)


async def located(ctx: Ctx, ticket_id: int) -> None:
    """A ticket the desk got without a location (``bot.intake.abandoned``) now has one: dispatch it."""
    tickets = TicketsRepo(ctx.tx)
    ticket = await tickets.get(ticket_id)
    if ticket is None or ticket.status != "followup" or not urgent(ticket.severity):
        return
    await tickets.transition(ticket.id, from_statuses=("followup",), to_status="dispatched", now=ctx.now, actor_id=None)
    lead = await incidents.join_nearby(ctx, ticket.id)  # late, but near an incident like any other report
    receipt = _dispatched(ctx, ticket.id, lead)
    await dispatch.queue(ctx, receipt, ticket_id=ticket.id, purpose="resident", recipient_id=ctx.person.id)
    if lead is None:
        fresh = await tickets.get(ticket.id)
        assert fresh is not None
        await dispatch.dispatch_on_duty(ctx, fresh)
        await escalation.start_deadlines(ctx, fresh)


async def after_answer(ctx: Ctx, data: dict[str, Any]) -> None:
    """Rules that act beyond the ticket: several flats without gas may be a network fault (the desk)."""
    if data["answers"].get("neighbours_out") != "yes" or data.get("network_told"):
        return
    ticket = await TicketsRepo(ctx.tx).get(int(data["ticket"]))
    if ticket is None:
        return
    data["network_told"] = True
    await TicketsRepo(ctx.tx).event(ticket.id, "network_fault_suspected", now=ctx.now, actor_id=None)
    await dispatch.tell_desk(ctx, ticket, "desk.network_fault")


async def submit(ctx: Ctx, data: dict[str, Any]) -> int:
    """Commit the ticket (and its dispatch) in this transaction; the reply carries its number.

    A report from a resident who has an open ticket of the same kind is added to that ticket instead
    (never more urgent ones); a report near an open P1 is marked as probably the same incident.
    Returns the ticket's number (the open ticket's when the report was added to it).
    """
    category = CATEGORIES[data["category"]]
    cols = columns(data["answers"])
    answers = cols["details"]
    severity = triage(category.id, data["answers"], fire=bool(data.get("fire")))
    earlier = await duplicates.open_ticket_of(ctx)
    if earlier is not None and duplicates.should_attach(earlier, category.id, severity):
        await duplicates.attach(ctx, earlier, category.id, answers)
        await finish(ctx)
        ctx.say("duplicates.attached", ticket=earlier.id, keyboard=menu_keyboard(ctx.lang))
        return earlier.id
    ticket_id, severity = await _create(ctx, category.id, severity, cols, answers)
    await finish(ctx)
    lead = await incidents.join_nearby(ctx, ticket_id, fire=bool(data.get("fire")))
    key = "incidents.joined" if lead else str(data.get("receipt") or f"intake.received_{severity.value.lower()}")
    # The resident's receipt is durable too: if the channel fails now, it arrives after a restart.
    receipt = Text(
        chat=ctx.ev.chat,
        text=ctx.t(key, ticket=ticket_id),
        keyboard=menu_keyboard(ctx.lang),
        priority=Priority.EMERGENCY if severity is Severity.P1 and not lead else Priority.DISPATCH,
    )
    await dispatch.queue(ctx, receipt, ticket_id=ticket_id, purpose="receipt", recipient_id=ctx.person.id)
    await _route(ctx, ticket_id, earlier, joined=lead is not None)
    await casework.on_new_ticket(ctx, ticket_id)
    await booking.on_new_ticket(ctx, ticket_id)
    await after_answer(ctx, {**data, "ticket": ticket_id})
    return ticket_id


async def finish(ctx: Ctx) -> None:
    """The report's conversation is over (its chase too)."""
    await ConversationsRepo(ctx.tx).clear(ctx.ev.channel, ctx.ev.user)
    await abandoned.cancel(ctx.tx, channel=ctx.ev.channel, user=ctx.ev.user)
