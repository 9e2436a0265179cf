"""A real P1 reaches a crew while a drill of theirs is still unaccepted: the drill is held back (its cards
withdrawn, back to ``waiting``, the desk told) and sent again when the real P1 has closed, so nobody has
to choose between a real card and a drill's (an unannounced one looks real until accepted). A drill
already accepted goes on: from then on its card says 演练, and the real card beside it does not."""

from __future__ import annotations

import logging

from bot.dispatch import offer as dispatch
from bot.dispatch.card_edits import withdraw_cards
from bot.dispatch.offer import Scope
from bot.drills.start import wait_again
from storage.drills import DrillsRepo
from storage.people import Crew
from storage.tickets import Ticket, TicketsRepo
from storage.timers import OffersRepo, TimersRepo

logger = logging.getLogger(__name__)


async def yield_to(scope: Scope, real: Ticket, crew: Crew) -> int:
    """``real`` (an open real P1) is offered to ``crew``: hold back the crew's unaccepted drills; returns
    how many were held."""
    if real.drill or real.severity != "P1" or not real.is_open:
        return 0
    held = 0
    repo = DrillsRepo(scope.tx)
    for drill in await repo.offered_to(crew.id):
        if not await repo.hold(drill.id):
            continue
        await TimersRepo(scope.tx).cancel(drill.id)
        await OffersRepo(scope.tx).clear(drill.id)
        await TicketsRepo(scope.tx).event(drill.id, "drill_held_back", now=scope.now, actor_id=None, behind=real.id)
        fresh = await TicketsRepo(scope.tx).get(drill.id)
        assert fresh is not None
        await withdraw_cards(scope, fresh, "drills.withdrawn")
        await wait_again(scope, drill.id)
        await dispatch.tell_desk(scope, fresh, "drills.held_back", card=False, crew=crew.name, real=real.id)
        logger.info("drill %s held back behind real P1 %s", drill.id, real.id)
        held += 1
    return held
