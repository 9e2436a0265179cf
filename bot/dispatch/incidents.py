"""Incidents: when a main breaks, a district reports one leak; the crews get one card for it.

A new report within ``duplicate_radius_m`` and ``duplicate_window_min`` of an open P1/P2 of the same kind
*joins* its incident instead of producing a card of its own: the incident is named by its lead ticket (the
one whose card the crews have), and the lead's card carries the incident (``_incident`` in its details: how
many reports, the nearest addresses, the worst answers so far). The radius is measured from any report of
the incident, not only its first: a district's smell spreads, and a chain of neighbours' reports is one
event with one card (the desk splits a report out if it is not).

The card is edited in place when something worth an edit changed, at most once every
``[dispatch] incident_edit_interval_s`` (a timer row brings the next edit, so a restart loses none): the
first report's own answers, a newly vulnerable person, a new address among the nearest shown, a raised
severity (at once), a merge; the number of reports alone only when it reaches the next of 2, 5, 10, 20,
50, 100, ... (the rules of what is worth an edit: ``bot.dispatch.incident_worth``; the next edit carries the exact
count). Once a crew member has accepted it
the edits go to their chat only: the others' cards say who took it, and nothing after that is theirs to act on.

A report that adds something a crew must act on (someone unwell or injured, a fire, people inside a
burning building, a key site) never joins, and a joined report whose later answers add such a thing leaves its
incident and gets its own card at once. Each joined report stays a ticket of its own for its resident
(status, follow-up, rating): it moves with the lead (accepted, en route, on site, resolved) and its
resident is told each time. Joins, splits and merges are ticket events with who and when.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from bot.context import Ctx
from bot.dispatch import card_edits, duplicates, escalation, followup, hooks
from bot.dispatch.incident_worth import (
    MAX_ADDRESSES,
    REPORT_WORTH,
    count_worth,
    lead_worth,
    must_act,
    report_worth,
)
from bot.dispatch.offer import Scope, dispatch_on_duty, progress_buttons, queue, tell_resident, ticket_text
from bot.i18n import Lang, t
from bot.intake.area import distance_m
from common.events import Priority, Text
from storage.desk import WORKING, DeskRepo
from storage.incidents import IncidentsRepo
from storage.links import LinksRepo
from storage.outbox import OutboxRepo
from storage.people import PeopleRepo
from storage.tickets import Ticket, TicketsRepo
from storage.timers import OffersRepo, TimersRepo

logger = logging.getLogger(__name__)

URGENT = ("P1", "P2")
# what a joined report follows its lead into: the lead's new status -> the statuses a report moves from
_FOLLOWS = {
    "accepted": ("dispatched", *WORKING),  # after a hand-over or an /assign, the new holder takes them all
    "en_route": ("dispatched", "accepted"),
    "on_site": ("dispatched", "accepted", "en_route"),
    "resolved": ("dispatched", *WORKING),
}
_STAMPS = {"accepted": "accepted_at", "on_site": "arrived_at", "resolved": "resolved_at"}


async def join_nearby(ctx: Ctx, ticket_id: int, *, fire: bool = False) -> int | None:
    """Join the new ticket to the incident of the nearest open P1/P2 of its kind within the radius (of any
    of the incident's reports) when it adds nothing a crew must act on; returns the lead, or None."""
    tickets = TicketsRepo(ctx.tx)
    ticket = await tickets.get(ticket_id)
    if ticket is None or ticket.status != "dispatched" or ticket.drill or must_act(ticket, fire=fire):
        return None
    if ticket.latitude is None or ticket.longitude is None:
        return None
    repo, lead_ids, leads = IncidentsRepo(ctx.tx), list[int](), dict[int, Ticket]()
    for other_id, _ in await duplicates.nearby_open(ctx, ticket, severities=URGENT):
        if (lead_id := await repo.lead_of(other_id) or other_id) not in lead_ids:
            lead_ids.append(lead_id)  # the neighbours are mostly one incident's reports: its lead read once
    for lead_id in lead_ids:
        lead = await tickets.get(lead_id)
        if lead is not None and lead.is_open and lead.category == ticket.category:
            leads[lead.id] = lead
    if not leads:
        return None
    lead = await _bridge(ctx, list(leads.values()))
    metres = None  # from the lead (the card lists the nearest addresses by it), whichever report was near
    if lead.latitude is not None and lead.longitude is not None:
        metres = distance_m(lead.latitude, lead.longitude, ticket.latitude, ticket.longitude)
    await _join(ctx, ticket, lead, metres, actor_id=ctx.person.id)
    return lead.id


async def _bridge(ctx: Ctx, leads: list[Ticket]) -> Ticket:
    """The incident a report near several (nearest first) joins: one a crew member has taken, else the
    nearest. The report bridges them into one event: the others nobody has taken yet merge into it (their
    cards say so). One taken by someone else stays as it is (two people are on their way: the desk decides),
    and so does a card of its own for something a crew must act on, or one the desk split out."""
    taken = [lead for lead in leads if lead.status != "dispatched"]
    into = taken[0] if taken else leads[0]
    if len(leads) == 1 or not await _plain(ctx, into):
        return into
    for other in leads:
        if other.id != into.id and other.status == "dispatched" and await _plain(ctx, other):
            await merge(ctx, into, other, actor_id=None, bridged=True)
    return await TicketsRepo(ctx.tx).get(into.id) or into


async def _plain(scope: Scope, lead: Ticket) -> bool:
    """An incident of reports of a leak: not a card of its own for what a crew must act on, not split out."""
    if must_act(lead):
        return False
    events = await TicketsRepo(scope.tx).events(lead.id)
    return not any(event.kind == "incident_split" and "incident" in event.data for event in events)


async def _join(scope: Scope, ticket: Ticket, lead: Ticket, metres: float | None, *, actor_id: int | None) -> None:
    distance = round(metres, 1) if metres is not None else None
    await IncidentsRepo(scope.tx).join(ticket.id, lead.id, distance, scope.now)
    tickets = TicketsRepo(scope.tx)
    await tickets.event(
        ticket.id, "incident_joined", now=scope.now, actor_id=actor_id, incident=lead.id, metres=distance
    )
    await tickets.event(lead.id, "incident_report", now=scope.now, actor_id=actor_id, report=ticket.id)
    if lead.status in WORKING:  # a crew is on its way already: the report is theirs too
        await _follow(scope, lead, ticket, lead.status)
    await touch(scope, lead.id, worth=count_worth(lead, await IncidentsRepo(scope.tx).size(lead.id) + 1))
    logger.info("ticket %s joined incident %s", ticket.id, lead.id)


async def _follow(scope: Scope, lead: Ticket, report: Ticket, status: str) -> bool:
    """Move one joined report to the lead's ``status`` with its holder and crew; True if it moved."""
    if report.status == status and report.assignee_id == lead.assignee_id:
        return False
    tickets = TicketsRepo(scope.tx)
    moved = await tickets.transition(
        report.id,
        from_statuses=_FOLLOWS[status],
        to_status=status,
        now=scope.now,
        actor_id=lead.assignee_id,
        assignee_id=lead.assignee_id,
        stamp=_STAMPS.get(status),
        cause=lead.cause if status == "resolved" else None,
        incident=lead.id,
    )
    if moved and lead.crew_id is not None and report.crew_id != lead.crew_id:
        await tickets.set_crew(report.id, lead.crew_id)
    return moved


async def follow_lead(scope: Scope, lead: Ticket, resident_key: str, **values: object) -> int:
    """Every report of ``lead``'s incident moves with it to its status (accepted, en route, on site,
    resolved) and its resident is told with ``resident_key``; a resolved one is asked if it is fixed.
    Returns how many moved."""
    if lead.status not in _FOLLOWS:
        return 0
    tickets, moved = TicketsRepo(scope.tx), 0
    for report_id, _ in await IncidentsRepo(scope.tx).reports(lead.id):
        report = await tickets.get(report_id)
        if report is None or not await _follow(scope, lead, report, lead.status):
            continue
        fresh = await tickets.get(report_id)
        assert fresh is not None
        cause = {"cause": t(Lang(fresh.lang), f"crew.cause_{lead.cause}")} if lead.cause else {}
        await tell_resident(scope, fresh, resident_key, **{**values, **cause})
        if lead.status == "resolved" and isinstance(scope, Ctx):
            await followup.on_resolved(scope, fresh)
        moved += 1
    if moved:
        logger.info("incident %s: %d reports moved to %s with it", lead.id, moved, lead.status)
    return moved


async def touch(scope: Scope, lead_id: int, *, worth: bool = True) -> None:
    """Something of the incident changed: if it is ``worth`` an edit, edit its card now, or at most
    ``incident_edit_interval_s`` after the last edit (a timer row; the edit then carries everything that
    changed meanwhile). A change not worth one by itself waits for the next edit."""
    if not worth:
        return
    repo = IncidentsRepo(scope.tx)
    incident = await repo.get(lead_id)
    if incident is None:
        return
    interval = timedelta(seconds=scope.settings.dispatch.incident_edit_interval_s)
    if incident.card_edited_at is None or scope.now - incident.card_edited_at >= interval:
        await edit_card(scope, lead_id)
        return
    if not incident.card_stale:
        await repo.card_stale(lead_id)
    timers = TimersRepo(scope.tx)
    if not await timers.has_pending(lead_id, escalation.INCIDENT_EDIT):
        step = await timers.next_step(escalation.INCIDENT_EDIT, lead_id)
        await timers.add(escalation.INCIDENT_EDIT, lead_id, step, incident.card_edited_at + interval)


async def on_edit_timer(scope: Scope, lead: Ticket) -> None:
    """The incident card's throttled edit is due (``escalation`` runs it): edit it if anything changed since
    the last edit (an edit made since it was set pushes it on)."""
    incident = await IncidentsRepo(scope.tx).get(lead.id)
    if incident is not None and incident.card_stale:
        await touch(scope, lead.id)


async def summary(scope: Scope, lead: Ticket) -> dict[str, Any]:
    """What the incident card shows: reports, the nearest addresses, the worst answers so far."""
    tickets = [lead]
    for report_id, _ in await IncidentsRepo(scope.tx).reports(lead.id):
        if (report := await TicketsRepo(scope.tx).get(report_id)) is not None:
            tickets.append(report)
    addresses: list[str] = []
    for ticket in tickets[1:]:
        if ticket.address and ticket.address != lead.address and ticket.address not in addresses:
            addresses.append(ticket.address)
    return {
        "reports": len(tickets),
        "addresses": addresses[:MAX_ADDRESSES],
        "unwell": sum(ticket.details.get("unwell") == "yes" for ticket in tickets),
        "vulnerable": sum(ticket.details.get("vulnerable") not in (None, "none") for ticket in tickets),
    }


async def edit_card(scope: Scope, lead_id: int, *, old: str | None = None) -> int:
    """Put the incident's summary on the lead's card and edit it in every chat that holds it (``old``: the
    severity it was raised from, said first)."""
    tickets = TicketsRepo(scope.tx)
    lead = await tickets.get(lead_id)
    await IncidentsRepo(scope.tx).card_edited(lead_id, scope.now)
    await TimersRepo(scope.tx).cancel(lead_id, escalation.INCIDENT_EDIT)  # this edit carries what it waited for
    if lead is None or not lead.is_open:
        return 0
    await tickets.set_details(lead.id, {**lead.details, "_incident": await summary(scope, lead)})
    fresh = await tickets.get(lead.id)
    assert fresh is not None
    # at most one per interval: it goes with the dispatch cards, not behind a district's questions; once
    # accepted, to its holder only
    return await card_edits.edit_cards(
        scope, fresh, old=old or fresh.severity, suggested=None, changed=[], answers={}, urgent=True, holder_only=True
    )


async def on_answer(ctx: Ctx, ticket: Ticket, lead_id: int, changed: list[str]) -> None:
    """The resident of a report joined to ``lead_id``'s incident answered (``changed``: the answers given): it
    leaves its incident with its own card at once if the answer is something a crew must act on; otherwise the
    incident's card carries it (an edit if the answer is worth one: a vulnerable person, a new address among
    the nearest)."""
    if must_act(ticket):
        await split(ctx, ticket, actor_id=None, reason="must_act")
    elif any(name in changed for name in REPORT_WORTH):  # any other answer waits for the card's next edit
        lead = await TicketsRepo(ctx.tx).get(lead_id)
        if lead is not None:
            await touch(ctx, lead_id, worth=report_worth(lead, ticket, changed))


async def on_lead_answer(ctx: Ctx, lead: Ticket, *, old: str, changed: list[str]) -> bool:
    """The resident of an incident's lead answered (``changed``): its card is the incident's, edited at most
    every interval for an answer worth it (a raised severity at once). False: the ticket leads no incident."""
    if await IncidentsRepo(ctx.tx).get(lead.id) is None:
        return False
    if lead.severity != old:
        await edit_card(ctx, lead.id, old=old)
    else:
        await touch(ctx, lead.id, worth=lead_worth(lead, changed))
    return True


async def split(scope: Scope, ticket: Ticket, *, actor_id: int | None, reason: str) -> int | None:
    """Take a joined report out of its incident: it gets its own card (or, already taken with the incident,
    its own deadlines); returns the incident's lead, or None if it was not in one."""
    left = await IncidentsRepo(scope.tx).leave(ticket.id)
    if left is None:
        return None
    lead_id, metres = left
    tickets = TicketsRepo(scope.tx)
    await tickets.event(ticket.id, "incident_split", now=scope.now, actor_id=actor_id, incident=lead_id, reason=reason)
    await tickets.event(lead_id, "incident_split", now=scope.now, actor_id=actor_id, report=ticket.id, reason=reason)
    if reason == "must_act":  # still probably the same leak: its card says so, the report counts it once
        await LinksRepo(scope.tx).add(ticket.id, lead_id, "probable_same", metres, scope.now)
    if ticket.status == "dispatched":
        await dispatch_on_duty(scope, ticket)
    elif (holder := await PeopleRepo(scope.tx).get(ticket.assignee_id) if ticket.assignee_id else None) is not None:
        lang = Lang(holder.lang)  # taken with the incident: its holder gets its own card, with its buttons
        text = t(lang, "incidents.split_holder", ticket=ticket.id, incident=lead_id)
        card = Text(
            chat=holder.external_id,
            text=f"{text}\n\n{ticket_text(lang, ticket, scope.settings)}",
            buttons=progress_buttons(lang, ticket),
            priority=Priority.DISPATCH,
        )
        await queue(scope, card, ticket_id=ticket.id, purpose="dispatch", recipient_id=holder.id)
    await escalation.start_deadlines(scope, ticket)
    await touch(scope, lead_id, worth=reason == "desk")  # one report fewer: the next edit says so
    logger.info("ticket %s split out of incident %s (%s)", ticket.id, lead_id, reason)
    return lead_id


async def lead_of(scope: Scope, ticket_id: int) -> int:
    """The incident ``ticket_id`` belongs to (its own number when it is a lead or alone)."""
    return await IncidentsRepo(scope.tx).lead_of(ticket_id) or ticket_id


async def merge(scope: Scope, into: Ticket, other: Ticket, *, actor_id: int | None, bridged: bool = False) -> int:
    """``other``'s incident (it and its reports) joins ``into``'s: ``other``'s card is withdrawn (its cards
    say so), its escalation stops; returns how many reports joined. ``bridged``: by itself, a new report near
    both (``into``'s card is edited then only if the count is worth it)."""
    repo = IncidentsRepo(scope.tx)
    before = await repo.size(into.id) + 1
    moving = [report_id for report_id, _ in await repo.reports(other.id)]
    await repo.move(other.id, into.id)
    metres = None
    if None not in (into.latitude, into.longitude, other.latitude, other.longitude):
        metres = distance_m(into.latitude, into.longitude, other.latitude, other.longitude)  # type: ignore[arg-type]
    await repo.join(other.id, into.id, round(metres, 1) if metres is not None else None, scope.now)
    tickets = TicketsRepo(scope.tx)
    why = {"bridged": True} if bridged else {}
    await tickets.event(
        into.id, "incident_merged", now=scope.now, actor_id=actor_id, merged=other.id, reports=moving, **why
    )
    await tickets.event(other.id, "incident_merged", now=scope.now, actor_id=actor_id, into=into.id, **why)
    await TimersRepo(scope.tx).cancel(other.id, escalation.ACK, escalation.ARRIVE, escalation.INCIDENT_EDIT)
    await OffersRepo(scope.tx).clear(other.id)  # its Accept is refused from now on
    # its map pins and photos not sent yet are not sent at all; its cards are withdrawn, sent or not (one being
    # sent cannot be called back, and only its edit takes its Accept away)
    for purpose in ("dispatch_edit", "pin", "photo"):
        await OutboxRepo(scope.tx).drop_pending(other.id, purpose, reason="merged into another incident")
    await card_edits.withdraw_cards(scope, other, "incidents.card_merged", into=into.id)
    if into.status in WORKING:
        for ticket_id in (other.id, *moving):
            if (report := await tickets.get(ticket_id)) is not None:
                await _follow(scope, into, report, into.status)
    await touch(scope, into.id, worth=not bridged or count_worth(into, before + len(moving) + 1))
    logger.info("incident %s merged into %s (%d reports)", other.id, into.id, len(moving) + 1)
    return len(moving) + 1


async def close_reports(ctx: Ctx, lead: Ticket, *, reason: str) -> int:
    """The desk closed an incident's lead: its reports close with it (a resident whose report was not
    resolved yet is told); returns how many closed."""
    closed, tickets = 0, TicketsRepo(ctx.tx)
    for report_id, _ in await IncidentsRepo(ctx.tx).reports(lead.id):
        report = await tickets.get(report_id)
        if report is None or not await DeskRepo(ctx.tx).close(
            report_id, now=ctx.now, actor_id=ctx.person.id, reason=reason
        ):
            continue
        await TimersRepo(ctx.tx).cancel(report_id)
        if report.status != "resolved":
            await tell_resident(ctx, report, "resident.closed")
        closed += 1
    return closed


hooks.timers[escalation.INCIDENT_EDIT] = on_edit_timer
