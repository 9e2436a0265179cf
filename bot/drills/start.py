"""Starting a drill: a drill ticket for one crew, sent at once or held while a real P1 of the crew is open.

A drill ticket is an ordinary ticket with ``drill = 1``: the crew's card, Accept / Decline, En route,
On site, Resolved and the escalation chain are the real ones (``bot.dispatch``, ``bot.escalation``).
Its "resident" is a placeholder account on the ``drill`` channel (no chat, no tips): nothing is sent
to it (``dispatch.tell_resident`` and the follow-up skip drills). Who started it, the scenario and
whether it was announced are in ``details["_drill"]``.

A drill is never sent while a real P1 of its crew is open: it waits (status ``waiting``) and a
``drill_wait`` timer row looks again every ``[drills] wait_recheck_s``; when the P1 has closed it is
sent, its clocks starting then, and the desk is told.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bot.dispatch import escalation
from bot.dispatch import offer as dispatch
from bot.dispatch.offer import Scope
from bot.drills.scenarios import Scenario
from bot.i18n import t
from storage.drills import WAITING, DrillsRepo
from storage.people import Crew, CrewsRepo, PeopleRepo, Person
from storage.tickets import Ticket, TicketsRepo
from storage.timers import TimersRepo

logger = logging.getLogger(__name__)

WAIT = escalation.DRILL_WAIT  # the timer kind of a drill waiting behind a real P1
CHANNEL = "drill"  # the placeholder resident's channel: nothing is ever sent on it


@dataclass(frozen=True)
class Started:
    ticket_id: int
    waiting_for: tuple[int, ...]  # the real P1s it waits behind (empty: sent now)


def drill_info(ticket: Ticket) -> dict[str, Any]:
    info = ticket.details.get("_drill")
    return info if isinstance(info, dict) else {}


def _default_address(scope: Scope) -> str:
    """An unannounced drill's card must not give it away, its default site included."""
    key = "drills.default_address" if scope.settings.drills.announced else "drills.default_address_unannounced"
    return t("zh", key)


async def _placeholder(scope: Scope) -> Person:
    people = PeopleRepo(scope.tx)
    person = await people.ensure(CHANNEL, "drill", name=t("zh", "drills.mark"), lang="zh", now=scope.now)
    if person.tips:
        await people.set_tips(person.id, False)
    return person


async def start_drill(
    scope: Scope,
    *,
    crew: Crew,
    scenario: Scenario,
    by: Person | None,
    address: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
) -> Started:
    """Create the drill ticket of ``scenario`` for ``crew``; send it now unless a real P1 of the crew is open."""
    blocking = tuple(await DrillsRepo(scope.tx).real_p1_open(crew.id))
    resident = await _placeholder(scope)
    details: dict[str, Any] = {
        **scenario.answers,
        "_drill": {
            "scenario": scenario.id,
            "crew": crew.name,
            "by": by.id if by is not None else None,
            "announced": scope.settings.drills.announced,
        },
    }
    tickets = TicketsRepo(scope.tx)
    ticket_id = await tickets.create(
        resident_id=resident.id,
        channel=CHANNEL,  # the crews' cards go out on each crew's own channel
        chat="",
        lang="zh",
        category=scenario.category,
        severity=scenario.severity.value,
        status=WAITING if blocking else "dispatched",
        address=address or scope.settings.drills.address or _default_address(scope),
        latitude=latitude,
        longitude=longitude,
        phone=None,
        details=details,
        now=scope.now,
        drill=True,
    )
    await tickets.set_crew(ticket_id, crew.id)
    await tickets.event(
        ticket_id,
        "drill_started",
        now=scope.now,
        actor_id=by.id if by is not None else None,
        scenario=scenario.id,
        crew=crew.name,
        announced=scope.settings.drills.announced,
    )
    if blocking:
        await tickets.event(ticket_id, "drill_waiting", now=scope.now, actor_id=None, behind=list(blocking))
        await wait_again(scope, ticket_id)
        logger.info("drill %s waits behind %d real P1 ticket(s) of its crew", ticket_id, len(blocking))
    else:
        ticket = await tickets.get(ticket_id)
        assert ticket is not None
        await _send(scope, ticket, crew)
    return Started(ticket_id=ticket_id, waiting_for=blocking)


async def wait_again(scope: Scope, ticket_id: int) -> None:
    timers = TimersRepo(scope.tx)
    due = scope.now + timedelta(seconds=scope.settings.drills.wait_recheck_s)
    await timers.add(WAIT, ticket_id, await timers.next_step(WAIT, ticket_id), due)


async def _send(scope: Scope, ticket: Ticket, crew: Crew) -> None:
    """Offer the drill to its crew exactly as a real dispatch, and start its clocks and chain."""
    sent = await dispatch.offer(scope, ticket, crew)
    await TicketsRepo(scope.tx).event(ticket.id, "dispatched", now=scope.now, actor_id=None, recipients=sent)
    await escalation.start_deadlines(scope, ticket)
    logger.info("drill %s sent to crew %s (%d chats)", ticket.id, crew.name, sent)


async def on_wait_timer(scope: Scope, ticket: Ticket) -> None:
    """A waiting drill's timer: send it if its crew has no real P1 open any more, else look again later."""
    if not ticket.drill or ticket.status != WAITING or ticket.crew_id is None:
        return
    crew = await CrewsRepo(scope.tx).get(ticket.crew_id)
    if crew is None:
        return
    if await DrillsRepo(scope.tx).real_p1_open(crew.id):
        await wait_again(scope, ticket.id)
        return
    if not await DrillsRepo(scope.tx).send_now(ticket.id, scope.now):
        return
    fresh = await TicketsRepo(scope.tx).get(ticket.id)
    assert fresh is not None
    await TicketsRepo(scope.tx).event(ticket.id, "drill_released", now=scope.now, actor_id=None)
    await _send(scope, fresh, crew)
    await dispatch.tell_desk(scope, fresh, "drills.released", card=False, crew=crew.name)
