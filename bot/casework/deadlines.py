"""The deadlines of hazards and cases, swept from their rows (timers are rows: nothing lives only in memory).

At start-up and every ``every_s`` after, ``run_due`` acts on what fell due: a hazard's reminder to the
resident (a day before its deadline), a hazard that passed its deadline unfixed (an ``hazard_overdue``
event and the desk told; ``/hazards`` lists it first), a case that missed its one-working-day
deadline (``bot.casework.cases.escalate_missed``), and an inspection visit's day-before reminder
(``bot.casework.booking.reminders_due``). Each row is marked with a compare-and-set in the same
transaction as its message, so a sweep repeated after a crash, or run twice, never sends twice.
"""

from __future__ import annotations

import logging

from bot.casework import booking
from bot.casework import cases as casework
from bot.casework import kinds as hazard_kinds
from bot.casework.hazards import tell_resident
from bot.clock import Clock
from bot.config.settings import Settings
from bot.dispatch.offer import JobScope, staff_with_role, tell_staff
from bot.scheduler import SweepWatch
from storage.db import Database
from storage.hazards import HazardsRepo
from storage.sync import SyncConnection
from storage.tickets import TicketsRepo

logger = logging.getLogger(__name__)


async def hazards_due(scope: JobScope) -> int:
    repo, tickets = HazardsRepo(scope.tx), TicketsRepo(scope.tx)
    acted = 0
    for hazard in await repo.to_remind(scope.now):
        ticket = await tickets.get(hazard.ticket_id)
        if ticket is None or not await repo.mark_reminded(hazard.id, scope.now):
            continue
        await tickets.event(ticket.id, "hazard_reminded", now=scope.now, actor_id=None, hazard=hazard.id)
        await tell_resident(scope, ticket, hazard, "hazard.reminder", "hazard_reminder")
        acted += 1
    for hazard in await repo.newly_overdue(scope.now):
        ticket = await tickets.get(hazard.ticket_id)
        if ticket is None or not await repo.mark_overdue(hazard.id, scope.now):
            continue
        await tickets.event(ticket.id, "hazard_overdue", now=scope.now, actor_id=None, hazard=hazard.id)
        kind = hazard_kinds.kinds()[hazard.kind]
        for person in await staff_with_role(scope, "dispatcher", "supervisor"):
            await tell_staff(scope, [person], ticket, "hazard.overdue_desk", kind=kind.name(person.lang), id=hazard.id)
        logger.warning("hazard %s of ticket %s is past its deadline unfixed", hazard.id, ticket.id)
        acted += 1
    return acted


class DeadlineWatch(SweepWatch):
    """The background part: one sweep job on the scheduler over the hazard and case rows."""

    JOB_ID = "deadline-sweep"
    EVERY_S = 60.0
    settings: Settings
    db: Database
    clock: Clock

    async def run_due(self) -> int:
        """Act on everything due now; returns how many rows acted."""
        now = self.clock.now()

        async def due(tx: SyncConnection) -> int:
            scope = JobScope(tx=tx, settings=self.settings, now=now)
            return await hazards_due(scope) + await casework.escalate_missed(scope) + await booking.reminders_due(scope)

        acted = await self.db.run(due)
        if acted:
            self.wake()
        return acted
