"""The declared authorisation matrix: every role, and the roles each command and button admits
(tests/reliability/test_authz_matrix.py runs every cell; test_authz_routes.py holds the core's routes to it);
and the core's routes, enumerated at run time."""

from __future__ import annotations

import typing
from dataclasses import dataclass
from pathlib import Path

from bot.clock import FakeClock
from bot.config.settings import load_settings
from bot.core import Core
from bot.routes import Route, Routes
from tests.kit.people import CREW_A, CREW_B, DISPATCHER, RESIDENT
from tests.kit.settings import T0, settings_dict

ADMIN = "3001"
STRANGER = "9001"
OTHER_RESIDENT = "5002"
ROLES: dict[str, str] = {
    "stranger": STRANGER,
    "resident": RESIDENT,
    "other_crew": CREW_B[0],
    "crew": CREW_A[1],
    "dispatcher": DISPATCHER,
    "admin": ADMIN,
}
EVERYONE = frozenset(ROLES)
STAFF = frozenset({"other_crew", "crew", "dispatcher", "admin"})
DESK = frozenset({"dispatcher", "admin"})
WORKERS = frozenset({"crew", "dispatcher", "admin"})  # the assignee, or the desk on their behalf
# A hazard's fix is confirmed by any crew member or an inspector ([casework] inspection_roles: the dispatchers here)
CONFIRMERS = frozenset({"other_crew", "crew", "dispatcher", "admin"})


@dataclass(frozen=True)
class Rule:
    allowed: frozenset[str]
    args: str = ""  # for commands; "{ticket}" is the ticket of the cell
    state: str = "offered"  # offered: dispatched to crew A; working: accepted by the crew member
    moves: bool = True  # an allowed press adds a ticket event


# Commands. Resident commands are open to everyone (they act on the caller's own data only).
COMMAND_RULES: dict[str, Rule] = {
    "start": Rule(EVERYONE),
    "help": Rule(EVERYONE),
    "report": Rule(EVERYONE),
    "cancel": Rule(EVERYONE),
    "status": Rule(EVERYONE),
    "language": Rule(EVERYONE),
    "tips": Rule(EVERYONE),
    "district": Rule(EVERYONE),
    "duty": Rule(STAFF),
    "msg": Rule(WORKERS, args="{ticket} we are five minutes away", state="working"),
    "open": Rule(DESK),
    "ticket": Rule(DESK, args="{ticket}"),
    "assign": Rule(DESK, args="{ticket} A"),
    "note": Rule(DESK, args="{ticket} checked the riser"),
    "close": Rule(DESK, args="{ticket}"),
    "split": Rule(DESK, args="{ticket}"),
    "merge": Rule(DESK, args="{ticket} {ticket}"),
    "sla": Rule(DESK),
    "board": Rule(DESK),
    "hazards": Rule(DESK),
    "today": Rule(STAFF),
    "notice": Rule(DESK, args="Water main works on Zhongshan Road tonight"),
    "broadcasts": Rule(DESK),
    "broadcast": Rule(frozenset({"admin"}), args="Close the valve before you travel"),
    "revoke": Rule(frozenset({"admin"}), args=CREW_B[0]),  # supervisors too (no supervisor in this world)
    "drill": Rule(DESK, args="B leak-indoor"),
    "site": Rule(STAFF, args="Canteen"),
}

# Buttons whose data names no ticket act on the presser's own conversation or settings only.
SELF_SCOPED_PREFIXES = {"i:": "i:s:ok", "m:lang:": "m:lang:en", "q:": "q:0", "tips:": "tips:off", "d:": "d:m:no"}

# Buttons naming a ticket (or a broadcast), as data templates. ``t:`` is the crew's button; every action
# of its module's ACTIONS must appear here.
BUTTON_RULES: dict[str, Rule] = {
    "t:acc:{ticket}": Rule(frozenset({"crew"})),
    "t:dec:{ticket}": Rule(frozenset({"crew"}), moves=False),  # asks for the reason first
    "t:decr:{ticket}:busy": Rule(frozenset({"crew"})),
    "t:enr:{ticket}": Rule(WORKERS, state="working"),
    "t:site:{ticket}": Rule(WORKERS, state="working"),
    "t:res:{ticket}": Rule(WORKERS, state="working", moves=False),  # asks for the cause first
    "t:cause:{ticket}:repaired": Rule(WORKERS, state="working"),
    "t:bk:{ticket}": Rule(WORKERS, state="working"),
    "t:ho:{ticket}": Rule(WORKERS, state="working"),
    "t:skip:{ticket}": Rule(WORKERS, state="working", moves=False),
    "r:{ticket}": Rule(WORKERS | {"resident"}, state="working", moves=False),  # reply in the relay
    "f:y:{ticket}": Rule(frozenset({"resident"}), state="feedback"),  # "was it fixed?" - the reporter only
    "bc:no:{broadcast}": Rule(frozenset({"admin"}), state="broadcast", moves=False),
    # hazards: recorded by whoever may work the ticket; "done" by its resident; confirmed by a crew or inspector
    "hz:k:{ticket}": Rule(WORKERS, state="working", moves=False),
    "hz:p:{ticket}:rubber_hose_aged": Rule(WORKERS, state="working", moves=False),
    "hz:r:{ticket}:rubber_hose_aged:resident": Rule(WORKERS, state="working"),
    "hz:d:{hazard}": Rule(frozenset({"resident"}), state="hazard", moves=False),  # asks for the photo
    "hz:ok:{hazard}": Rule(CONFIRMERS, state="hazard"),
    # cases (complaints here: [casework] complaint_roles, supervisors and admins); the rating by the complainant
    "cs:a:{ticket}": Rule(DESK, state="case"),
    "cs:r:{ticket}:5": Rule(frozenset({"resident"}), state="case_closed"),
    # inspection bookings: moved or cancelled by the ticket's resident; marked done by the staff
    "bk:s:{ticket}:202703020900": Rule(frozenset({"resident"}), moves=False),  # no plan in this world: "gone"
    "bk:m:{booking}": Rule(frozenset({"resident"}), state="booking", moves=False),  # offers the times again
    "bk:x:{booking}": Rule(frozenset({"resident"}), state="booking"),
    "bk:ok:{booking}": Rule(STAFF, state="booking"),
}


def core_routes() -> Routes:
    """The routes of a core over the test configuration."""
    settings = load_settings(None, settings_dict(Path("unused.sqlite3")))
    return Core(settings, None, FakeClock(T0), on_outbox=lambda: None).routes  # type: ignore[arg-type]


def core_tables() -> tuple[dict[str, Route], dict[str, Route]]:
    """The core's commands and button prefixes, each with its route."""
    routes = core_routes()
    return routes.commands, routes.buttons


def prefix_of(key: str, buttons: dict[str, Route]) -> str | None:
    """The button prefix whose route a button's data reaches, if any."""
    return next((prefix for prefix in buttons if key.startswith(prefix)), None)


def crew_actions(buttons: dict[str, Route]) -> frozenset[str]:
    """The actions the crew button's payload can name (its ``action`` field's choices)."""
    codec = buttons["t:"].codec if "t:" in buttons else None
    if codec is None:
        return frozenset()
    return frozenset(typing.get_args(dict(codec.fields)["action"]))
