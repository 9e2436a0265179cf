"""The drill report: how long the crew took to accept and to arrive against the targets, who took part,
what escalated. Worked out from the ticket and its events (``summarise``, pure) and sent to whoever
started the drill (the desk when it came from the command line) when the drill is resolved or closed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from bot.config.settings import Settings
from bot.dispatch import offer as dispatch
from bot.dispatch import sla
from bot.dispatch.offer import Scope
from bot.drills.scenarios import scenarios
from bot.drills.start import drill_info
from bot.i18n import Lang, t
from common.events import Priority, Text
from storage.people import PeopleRepo, Person
from storage.tickets import Ticket, TicketEvent, TicketsRepo

logger = logging.getLogger(__name__)

ACTED = frozenset({"accepted", "en_route", "on_site", "resolved", "declined", "backup_requested", "handed_over"})


@dataclass
class DrillSummary:
    ticket_id: int
    scenario: str
    crew: str
    severity: str
    accept: timedelta | None
    accept_target: timedelta
    arrive: timedelta | None
    arrive_target: timedelta
    resolve: timedelta | None
    participants: list[int] = field(default_factory=list)  # people who pressed a button, in order
    escalations: list[int] = field(default_factory=list)  # the escalation levels reached (0 = the first step)
    declined: int = 0
    ended: str = ""  # resolved, closed, or "" while it runs

    @property
    def accepted_in_time(self) -> bool:
        return self.accept is not None and self.accept <= self.accept_target

    @property
    def arrived_in_time(self) -> bool:
        return self.arrive is not None and self.arrive <= self.arrive_target


def summarise(ticket: Ticket, events: list[TicketEvent], settings: Settings) -> DrillSummary:
    """What the drill showed; its clocks run from when it was sent (``created_at``)."""
    limits = sla.targets(settings, ticket.severity)
    took = sla.figures(ticket)
    info = drill_info(ticket)
    people: list[int] = []
    for event in events:
        if event.kind in ACTED and event.actor_id is not None and event.actor_id not in people:
            people.append(event.actor_id)
    return DrillSummary(
        ticket_id=ticket.id,
        scenario=str(info.get("scenario", "?")),
        crew=str(info.get("crew", "?")),
        severity=ticket.severity,
        accept=took["accept"],
        accept_target=limits["accept"],
        arrive=took["arrive"],
        arrive_target=limits["arrive"],
        resolve=took["resolve"],
        participants=people,
        escalations=[int(e.data.get("level", 0)) for e in events if e.kind == "escalated"],
        declined=sum(e.kind == "declined" for e in events),
        ended=ticket.status if ticket.status in ("resolved", "closed") else "",
    )


def clock_text(delta: timedelta | None) -> str:
    """``m:ss`` (``-`` when it did not happen)."""
    if delta is None:
        return "-"
    seconds = max(0, int(delta.total_seconds()))
    return f"{seconds // 60}:{seconds % 60:02d}"


def _measure(lang: Lang, key: str, took: timedelta | None, target: timedelta) -> str:
    flag = (
        t(lang, "drills.not_done") if took is None else t(lang, "drills.in_time" if took <= target else "drills.late")
    )
    return t(lang, key, took=clock_text(took), target=clock_text(target), flag=flag)


def report_text(lang: Lang, summary: DrillSummary, names: dict[int, str]) -> str:
    scenario = scenarios().get(summary.scenario)
    lines = [
        t(
            lang,
            "drills.report_title",
            ticket=summary.ticket_id,
            scenario=scenario.describe(lang.value) if scenario else summary.scenario,
            crew=summary.crew,
            severity=summary.severity,
        ),
        _measure(lang, "drills.report_accept", summary.accept, summary.accept_target),
        _measure(lang, "drills.report_arrive", summary.arrive, summary.arrive_target),
        t(lang, "drills.report_resolve", took=clock_text(summary.resolve)),
        t(lang, "drills.report_people", names=", ".join(names.get(p, "?") for p in summary.participants) or "-"),
        t(lang, "drills.report_declined", count=summary.declined),
    ]
    if summary.escalations:
        steps = ", ".join(str(level + 1) for level in summary.escalations)
        lines.append(t(lang, "drills.report_escalations", count=len(summary.escalations), steps=steps))
    else:
        lines.append(t(lang, "drills.report_no_escalation"))
    if summary.ended == "closed":
        lines.append(t(lang, "drills.report_closed"))
    return "\n".join(lines)


async def send_report(scope: Scope, ticket: Ticket) -> None:
    """The drill has ended (resolved or closed): its report to whoever started it, else to the desk."""
    if not ticket.drill:
        return
    tickets, people = TicketsRepo(scope.tx), PeopleRepo(scope.tx)
    summary = summarise(ticket, await tickets.events(ticket.id), scope.settings)
    names: dict[int, str] = {}
    for person_id in summary.participants:
        person = await people.get(person_id)
        names[person_id] = person.name if person else "?"
    by = drill_info(ticket).get("by")
    starter = await people.get(int(by)) if isinstance(by, int) else None
    readers: list[Person] = (
        [starter]
        if starter is not None and starter.is_staff
        else await dispatch.staff_with_role(scope, "dispatcher", "supervisor")
    )
    for reader in readers:
        lang = Lang(reader.lang)
        text = t(lang, "drills.mark") + " " + report_text(lang, summary, names)
        message = Text(chat=reader.external_id, text=text, priority=Priority.DISPATCH)
        await dispatch.queue(scope, message, ticket_id=ticket.id, purpose="drill_report", recipient_id=reader.id)
    await tickets.event(ticket.id, "drill_report", now=scope.now, actor_id=None, readers=len(readers))
    logger.info("drill %s ended (%s): report to %d reader(s)", ticket.id, ticket.status, len(readers))
