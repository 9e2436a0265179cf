"""Escalation chains and deadlines. Timers are rows (``timers``); jobs only wake them up.

Per severity (``[escalation.P1]`` ...): a dispatched ticket nobody accepts within the chain's ack timeout
goes through the chain's steps (backup crew and duty dispatcher, then supervisor and the crew groups,
the last step repeating ``repeats`` times); the resident is told "still dispatching, also call the
hotline". Accepted but not on site by the arrival target: the assignee and the desk are reminded. Not
resolved by the resolve target: a breach for the desk.

A timer acts in one transaction that re-reads its row (must be pending and due) and the ticket, does
the step (outbox rows, ticket events), marks the row done and adds the next step's row. After a crash
either all of that happened or none of it, so a restart continues at the right step: none is repeated,
none skipped. The service rebuilds one scheduler job per pending row at start-up and picks up rows
added since every ``sweep_s``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.config.settings import Settings
from bot.dispatch import hooks, sla
from bot.dispatch.offer import (
    JobScope,
    Scope,
    ack_timeout_s,
    arrival_target_min,
    dispatch_on_duty,
    offer,
    offer_buttons,
    queue,
    resolve_target_min,
    staff_with_role,
    tell_desk,
    tell_resident,
    tell_staff,
    ticket_text,
)
from bot.i18n import Lang
from bot.rota.duty import crews_on_duty
from bot.scheduler import Scheduler
from common.events import Priority, Text
from storage.db import Database
from storage.drills import DrillsRepo
from storage.people import Crew, CrewsRepo, PeopleRepo
from storage.sync import SyncConnection
from storage.tickets import Ticket, TicketsRepo
from storage.timers import OffersRepo, Timer, TimersRepo

logger = logging.getLogger(__name__)

ACK, ARRIVE, RESOLVE = "ack", "arrive", "resolve"
DRILL_WAIT = "drill_wait"  # a drill waiting behind a real P1 (bot.drills.start)
INCIDENT_EDIT = "incident_edit"  # an incident card's throttled edit (bot.dispatch.incidents)
KINDS = (ACK, ARRIVE, RESOLVE, DRILL_WAIT, INCIDENT_EDIT)
REOFFERED = ("dispatched", "handed_over", "reassigned", "reopened")  # ticket events that start a fresh offer


def _step_after_s(settings: Settings, severity: str, level: int) -> int:
    steps = settings.escalation.chain(severity).steps
    return steps[min(level, len(steps) - 1)].after_s or ack_timeout_s(settings, severity)


def chain_length(settings: Settings, severity: str) -> int:
    chain = settings.escalation.chain(severity)
    if not chain.steps:
        return 0
    repeats = chain.repeats if chain.repeats is not None else settings.dispatch.escalation_repeats
    return len(chain.steps) + repeats


def arrival_due(settings: Settings, ticket: Ticket) -> datetime:
    return ticket.created_at + timedelta(minutes=arrival_target_min(settings, ticket.severity))


async def start_deadlines(scope: Scope, ticket: Ticket) -> None:
    """At a new ticket: its resolve deadline, and for a dispatched one the first escalation step."""
    due = ticket.created_at + timedelta(minutes=resolve_target_min(scope.settings, ticket.severity))
    await TimersRepo(scope.tx).add(RESOLVE, ticket.id, 0, due)
    if ticket.status == "dispatched":
        await start_chain(scope, ticket)


async def start_chain(scope: Scope, ticket: Ticket) -> None:
    """The first step of the ticket's chain (a re-dispatched ticket gets a fresh chain; step numbers go on)."""
    if not chain_length(scope.settings, ticket.severity):
        return
    timers = TimersRepo(scope.tx)
    step = await timers.next_step(ACK, ticket.id)
    due = scope.now + timedelta(seconds=ack_timeout_s(scope.settings, ticket.severity))
    await timers.add(ACK, ticket.id, step, due, level=0)


async def on_accepted(scope: Scope, ticket: Ticket) -> None:
    timers = TimersRepo(scope.tx)
    await timers.cancel(ticket.id, ACK)
    if ticket.severity in ("P1", "P2"):
        step = await timers.next_step(ARRIVE, ticket.id)
        await timers.add(ARRIVE, ticket.id, step, max(arrival_due(scope.settings, ticket), scope.now))


async def on_progress(scope: Scope, ticket: Ticket) -> None:
    if ticket.status == "on_site":
        await TimersRepo(scope.tx).cancel(ticket.id, ARRIVE)
    elif ticket.status in ("resolved", "closed"):
        await TimersRepo(scope.tx).cancel(ticket.id)


async def on_declined(scope: Scope, ticket: Ticket) -> bool:
    """When everyone the ticket was offered to has said they cannot take it, the next escalation step
    comes due now instead of at the deadline. True if it was brought forward."""
    offered: set[int] = set()
    people = PeopleRepo(scope.tx)
    for crew_id in await OffersRepo(scope.tx).crews(ticket.id):
        offered |= {member.id for member in await people.crew_members(crew_id)}
    declined: set[int] = set()
    for event in await TicketsRepo(scope.tx).events(ticket.id):
        if event.kind in REOFFERED:
            declined.clear()  # a fresh offer: earlier refusals were about the earlier offer
        elif event.kind == "declined" and event.actor_id is not None:
            declined.add(event.actor_id)
    if not offered or not offered <= declined:
        return False
    timers = TimersRepo(scope.tx)
    waiting = [timer for timer in await timers.of_ticket(ticket.id) if timer.kind == ACK and timer.status == "pending"]
    if not waiting or min(timer.due_at_utc for timer in waiting) <= scope.now:
        return False
    level = min(waiting, key=lambda timer: timer.due_at_utc).data.get("level", 0)
    await timers.cancel(ticket.id, ACK)
    await timers.add(ACK, ticket.id, await timers.next_step(ACK, ticket.id), scope.now, level=level)
    await TicketsRepo(scope.tx).event(ticket.id, "all_declined", now=scope.now, actor_id=None, level=level)
    return True


async def redispatch(scope: Scope, ticket: Ticket) -> None:
    """After a hand-over or an /assign: offer the ticket afresh to its crew (or the crews on duty)."""
    await TimersRepo(scope.tx).cancel(ticket.id, ACK, ARRIVE)
    await OffersRepo(scope.tx).clear(ticket.id)
    crew = await CrewsRepo(scope.tx).get(ticket.crew_id) if ticket.crew_id is not None else None
    if crew is None:
        await dispatch_on_duty(scope, ticket)
    else:
        sent = await offer(scope, ticket, crew)
        await TicketsRepo(scope.tx).event(ticket.id, "dispatched", now=scope.now, actor_id=None, recipients=sent)
    await start_chain(scope, ticket)


async def backup_crew(scope: Scope, ticket: Ticket) -> Crew | None:
    """The configured backup crew of the severity, else the crew after the one on duty in the rota; for a
    drill, none that has a real P1 open (a drill never reaches a crew busy with one)."""
    crew = await _backup_crew(scope, ticket)
    if crew is not None and ticket.drill and await DrillsRepo(scope.tx).real_p1_open(crew.id):
        return None
    return crew


async def _backup_crew(scope: Scope, ticket: Ticket) -> Crew | None:
    crews = CrewsRepo(scope.tx)
    configured = scope.settings.escalation.chain(ticket.severity).backup_crew
    if configured is not None:
        return await crews.by_name(configured)
    order = list(scope.settings.rota.crews) or [crew.name for crew in scope.settings.crews]
    on_duty = await crews_on_duty(scope.tx, scope.settings, scope.now)
    start = order.index(on_duty[0]) + 1 if on_duty and on_duty[0] in order else 0
    for name in order[start:] + order[:start]:
        crew = await crews.by_name(name)
        if crew is not None and crew.id != ticket.crew_id and name not in on_duty:
            return crew
    return None


async def _repage(scope: Scope, ticket: Ticket, *, group: bool) -> list[str]:
    """The card again, with Accept, to the crews it was offered to: their groups (else members)."""
    paged = []
    people = PeopleRepo(scope.tx)
    for crew_id in sorted(await OffersRepo(scope.tx).crews(ticket.id)):
        crew = await CrewsRepo(scope.tx).get(crew_id)
        if crew is None:
            continue
        chats: list[tuple[str, int | None, Lang]] = []
        if group and crew.group_chat:
            chats.append((crew.group_chat, None, Lang.ZH))
        else:
            chats.extend((m.external_id, m.id, Lang(m.lang)) for m in await people.crew_members(crew.id))
        for chat, recipient, lang in chats:
            card = Text(
                chat=chat,
                text=ticket_text(lang, ticket, scope.settings),
                buttons=offer_buttons(lang, ticket.id),
                priority=Priority.DISPATCH,
            )
            await queue(
                scope, card, ticket_id=ticket.id, purpose="dispatch", recipient_id=recipient, channel=crew.group_channel
            )
        paged.append(crew.name)
    return paged


async def _escalate(scope: Scope, timer: Timer, ticket: Ticket) -> None:
    if ticket.status != "dispatched":
        return
    settings, level = scope.settings, int(timer.data.get("level", 0))
    steps = settings.escalation.chain(ticket.severity).steps
    total = chain_length(settings, ticket.severity)
    if not steps:
        return
    step = steps[min(level, len(steps) - 1)]
    minutes = max(1, int((scope.now - ticket.created_at).total_seconds() // 60))
    values = {"minutes": minutes, "step": level + 1, "total": total}
    notified: list[str] = []
    for target in step.notify:
        if target == "backup":
            crew = await backup_crew(scope, ticket)
            if crew is not None and crew.id not in await OffersRepo(scope.tx).crews(ticket.id):
                await offer(scope, ticket, crew)
                notified.append(f"backup:{crew.name}")
        elif target in ("group", "crew"):
            notified.extend(f"{target}:{name}" for name in await _repage(scope, ticket, group=target == "group"))
        else:
            people = await staff_with_role(scope, target)
            if not people and target == "supervisor":
                people = await staff_with_role(scope, "admin") or await staff_with_role(scope, "dispatcher")
            await tell_staff(scope, people, ticket, "escalation.not_accepted", card=True, **values)
            notified.append(f"{target}:{len(people)}")
    if step.tell_resident and level < len(steps):
        await tell_resident(scope, ticket, "resident.still_dispatching")
        notified.append("resident")
    await TicketsRepo(scope.tx).event(
        ticket.id, "escalated", now=scope.now, actor_id=None, level=level, notified=notified
    )
    if level == 0:
        await sla.flag_breach(scope, ticket, "accept", notify="dispatcher" not in step.notify)
    timers = TimersRepo(scope.tx)
    if level + 1 < total:
        due = scope.now + timedelta(seconds=_step_after_s(settings, ticket.severity, level + 1))
        await timers.add(ACK, ticket.id, await timers.next_step(ACK, ticket.id), due, level=level + 1)
    else:
        await TicketsRepo(scope.tx).event(ticket.id, "escalation_exhausted", now=scope.now, actor_id=None)
        await tell_desk(scope, ticket, "escalation.exhausted", card=False, **values)


async def _remind_arrival(scope: Scope, ticket: Ticket) -> None:
    if ticket.status not in ("accepted", "en_route"):
        return
    assignee = await PeopleRepo(scope.tx).get(ticket.assignee_id) if ticket.assignee_id else None
    if assignee is not None:
        await tell_staff(scope, [assignee], ticket, "escalation.arrival_reminder", card=False)
    await sla.flag_breach(scope, ticket, "arrive", name=assignee.name if assignee else "?")


async def _check_resolved(scope: Scope, ticket: Ticket) -> None:
    if ticket.is_open:
        await sla.flag_breach(scope, ticket, "resolve")


async def act(scope: Scope, timer: Timer) -> None:
    """Do what a due, just-taken timer asks, if its ticket still needs it."""
    if timer.ticket_id is None:
        return
    ticket = await TicketsRepo(scope.tx).get(timer.ticket_id)
    if ticket is None:
        return
    if timer.kind == ACK:
        await _escalate(scope, timer, ticket)
    elif timer.kind == ARRIVE:
        await _remind_arrival(scope, ticket)
    elif timer.kind == RESOLVE:
        await _check_resolved(scope, ticket)
    elif (joined := hooks.timers.get(timer.kind)) is not None:  # e.g. a drill waiting behind a real P1
        await joined(scope, ticket)


class EscalationService:
    """Rebuilds a job per pending timer row at start-up; each job re-checks its row before acting."""

    def __init__(
        self, settings: Settings, db: Database, clock: Clock, scheduler: Scheduler, wake: Callable[[], None]
    ) -> None:
        self._settings, self._db, self._clock, self._scheduler, self._wake = settings, db, clock, scheduler, wake
        self._scheduled: set[int] = set()

    async def start(self) -> None:
        await self.rebuild()
        self._scheduler.every("escalation:sweep", self._settings.escalation.sweep_s, self._sweep)

    async def stop(self) -> None:
        self._scheduler.cancel("escalation:sweep")
        for timer_id in self._scheduled:
            self._scheduler.cancel(f"timer:{timer_id}")
        self._scheduled.clear()

    async def rebuild(self) -> int:
        """A job for every pending timer row that has none yet; returns how many were added."""
        pending = await self._db.read(lambda conn: TimersRepo(conn).pending(kinds=KINDS))
        added = 0
        for timer in pending:
            if timer.id not in self._scheduled:
                self._scheduled.add(timer.id)
                self._scheduler.at(f"timer:{timer.id}", timer.due_at_utc, self._fire_job, timer.id)
                added += 1
        self._scheduled &= {timer.id for timer in pending}
        return added

    async def _sweep(self) -> None:
        await self.rebuild()

    async def _fire_job(self, timer_id: int) -> None:
        await self.fire(timer_id)

    async def fire(self, timer_id: int) -> bool:
        """Act on one timer if it is still pending and due; True if this call acted."""
        now = self._clock.now()

        async def take(tx: SyncConnection) -> tuple[str, Timer | None, JobScope | None]:
            timers = TimersRepo(tx)
            timer = await timers.get(timer_id)
            if timer is None or timer.status != "pending" or timer.due_at_utc > now:
                return "not_due", None, None
            if not await timers.take(timer.id):
                return "taken", None, None
            scope = JobScope(tx=tx, settings=self._settings, now=now)
            await act(scope, timer)
            return "done", timer, scope

        outcome, timer, scope = await self._db.run(take)
        if outcome == "not_due":
            self._scheduled.discard(timer_id)  # not due (clock moved back?): the next sweep schedules it again
        if timer is None or scope is None:
            return False
        self._scheduled.discard(timer_id)
        if scope.outbox_rows:
            self._wake()
        logger.info("timer %s (%s, ticket %s, step %s) done", timer.id, timer.kind, timer.ticket_id, timer.step)
        return True

    async def run_due(self) -> int:
        """Act on every timer due now, in due order (the sweep's and the tests' entry)."""
        now = self._clock.now()
        due = await self._db.read(lambda conn: TimersRepo(conn).pending(due_before=now, kinds=KINDS))
        acted = 0
        for timer in due:
            acted += await self.fire(timer.id)
        return acted
