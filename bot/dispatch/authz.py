"""Who may do what to a ticket: one place for the rules the crew's buttons and the desk check.

Every check is made on the server from the stored roles and the stored ticket, never from what a
button or a command claims; refusals are audited by the caller.
"""

from __future__ import annotations

import logging

from bot.routes import DESK_ROLES
from storage.people import CREW_ROLES, Person
from storage.tickets import Ticket

logger = logging.getLogger(__name__)

SUPERVISING = DESK_ROLES


def may_use_desk(person: Person) -> bool:
    """The dispatch board's sign-in (the desk's commands are gated by their routes: bot.routes)."""
    return person.role in SUPERVISING


def may_answer_offer(person: Person, offered_crews: set[int]) -> bool:
    """Accept or decline: a member of a crew the ticket was offered to (on duty or not: that is recorded).

    The desk does not accept tickets itself; it assigns them (/assign).
    """
    return person.role in CREW_ROLES and person.crew_id is not None and person.crew_id in offered_crews


def may_work(person: Person, ticket: Ticket) -> bool:
    """En route, on site, resolved, backup, hand over, message the resident: the assignee, the lead of
    the ticket's crew, or the desk acting on someone's behalf."""
    if person.role in SUPERVISING:
        return True
    if person.role not in CREW_ROLES or ticket.assignee_id is None:
        return False
    if person.id == ticket.assignee_id:
        return True
    return person.role == "lead" and person.crew_id is not None and person.crew_id == ticket.crew_id


def may_confirm_hazard(person: Person, inspection_roles: list[str]) -> bool:
    """Confirm (or refuse) a hazard's fix: a crew member, an inspector (the inspection roles) or an admin.
    The resident's own "done" only asks for this check."""
    return person.role in CREW_ROLES or person.role in inspection_roles or person.role == "admin"


def may_work_case(person: Person, roles: list[str]) -> bool:
    """Acknowledge a case and give its outcome: the roles configured for its queue, supervisors and admins."""
    return person.role in roles or person.role in ("supervisor", "admin")
