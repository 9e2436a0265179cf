"""The authorisation matrix: every command and button the core knows x every role.

The core's routes (``Core(...).routes``: commands and button prefixes, and the actions of the ``t:`` crew
button's payload) are enumerated at run time and each must have a row in the declared tables below: a new
command or button without a declared permission fails ``test_every_command_and_button_is_declared``, so
nobody can add an unprotected staff action; ``test_route_permissions_agree_with_the_matrix`` holds each
route's declared permission (bot.routes, checked in one place) to its row. Each cell runs on a fresh
database with a real report filed through the core. A cell "succeeds" when it is not refused (no audit
row) and, for ticket buttons, the ticket moved (a new ticket event); a refused cell must leave an audit
row naming the actor and move nothing.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.clock import FakeClock
from bot.config.settings import load_settings
from bot.core import Core
from bot.routes import PERMISSIONS, Route, Routes
from common.events import Answer, EventKind, Outbound
from storage.db import Database
from storage.engines import open_database
from tests.kit.forms import fill_leak_form, report_leak
from tests.kit.harness import Harness
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


def _routes() -> Routes:
    settings = load_settings(None, settings_dict(Path("unused.sqlite3")))
    return Core(settings, None, FakeClock(T0), on_outbox=lambda: None).routes  # type: ignore[arg-type]


def _core_tables() -> tuple[dict[str, Route], dict[str, Route]]:
    routes = _routes()
    return routes.commands, routes.buttons


def _prefix_of(key: str, buttons: dict[str, Route]) -> str | None:
    return next((prefix for prefix in buttons if key.startswith(prefix)), None)


def _crew_actions(buttons: dict[str, Route]) -> frozenset[str]:
    """The actions the crew button's payload can name (its ``action`` field's choices)."""
    codec = buttons["t:"].codec if "t:" in buttons else None
    if codec is None:
        return frozenset()
    return frozenset(typing.get_args(dict(codec.fields)["action"]))


def test_every_command_and_button_is_declared() -> None:
    commands, buttons = _core_tables()
    undeclared = sorted(set(commands) - set(COMMAND_RULES))
    assert not undeclared, f"commands without a declared permission row: {undeclared}"
    undeclared_buttons = sorted(
        prefix
        for prefix in buttons
        if prefix not in SELF_SCOPED_PREFIXES and not any(key.startswith(prefix) for key in BUTTON_RULES)
    )
    assert not undeclared_buttons, f"button prefixes without a declared permission row: {undeclared_buttons}"
    declared_actions = {key.split(":")[1] for key in BUTTON_RULES if key.startswith("t:")}
    missing = sorted(_crew_actions(buttons) - declared_actions)
    assert not missing, f"crew button actions without a declared permission row: {missing}"


# The stored role of each matrix role; and the commands whose row is narrower than their route's permission
# because the handler also checks the data (/msg: only whoever may work that ticket).
STORED_ROLE = {"stranger": "resident", "resident": "resident", "other_crew": "crew", "crew": "crew"}
DATA_SCOPED_COMMANDS = {"msg"}


def _admitted(route: Route) -> frozenset[str]:
    permission = PERMISSIONS[route.permission]
    return frozenset(
        role for role in ROLES if permission.roles is None or STORED_ROLE.get(role, role) in permission.roles
    )


def test_route_permissions_agree_with_the_matrix() -> None:
    """A command's route admits exactly its row's roles (a button's: at least them; its handler checks the
    ticket); so the one check in the dispatcher carries the matrix, not a copy in each handler."""
    commands, buttons = _core_tables()
    wrong = [
        f"/{name}: route admits {sorted(_admitted(route))}, row allows {sorted(COMMAND_RULES[name].allowed)}"
        for name, route in commands.items()
        if name in COMMAND_RULES
        and not (
            COMMAND_RULES[name].allowed <= _admitted(route)
            if name in DATA_SCOPED_COMMANDS
            else COMMAND_RULES[name].allowed == _admitted(route)
        )
    ]
    for key, rule in BUTTON_RULES.items():
        route = next((r for prefix, r in buttons.items() if key.startswith(prefix)), None)
        if route is not None and not rule.allowed <= _admitted(route):
            wrong.append(f"{key}: route admits {sorted(_admitted(route))}, row allows {sorted(rule.allowed)}")
    assert not wrong, "\n".join(wrong)


class StaffChannel(Harness):
    """The harness with every person but the residents on ``channel`` (their configuration says so)."""

    channel = "telegram"

    async def press(self, user: str, data: str, message_id: str = "1", **kw: Any) -> list[Outbound]:
        return await super().press(user, data, message_id, **{"channel": _channel_of(user, self.channel), **kw})

    async def text(self, user: str, text: str, **kw: Any) -> list[Outbound]:
        return await super().text(user, text, **{"channel": _channel_of(user, self.channel), **kw})


def _channel_of(user: str, staff_channel: str) -> str:
    return "telegram" if user in (RESIDENT, OTHER_RESIDENT) else staff_channel


class World:
    """A fresh database: crews A (on duty) and B, a dispatcher, an admin, and one leak report; the staff (and
    the stranger) on ``channel``: Telegram, or WeCom (their userids in the configuration)."""

    def __init__(self, h: Harness, ticket: int, broadcast: int = 0, hazard: int = 0, booking: int = 0) -> None:
        self.h, self.ticket, self.broadcast, self.hazard, self.booking = h, ticket, broadcast, hazard, booking

    @classmethod
    async def make(cls, tmp: Path, state: str, channel: str = "telegram") -> tuple[World, Database]:
        data = settings_dict(tmp / "authz.sqlite3")
        data["staff"] = [*data["staff"], {"user_id": ADMIN, "name": "Admin", "role": "admin"}]
        if channel == "wecom":
            data["wecom"] = {"corp_id": "wwauthz"}
            for member in [*data["staff"], *(m for crew in data["crews"] for m in crew["members"])]:
                member["channel"] = "wecom"
        settings = load_settings(None, data)
        db = await open_database(settings.storage)
        harness = StaffChannel(settings, db, FakeClock(T0))
        harness.channel = channel
        try:
            return await cls._setup(harness, state), db
        except BaseException:
            await db.close()
            raise

    @classmethod
    async def _setup(cls, h: Harness, state: str) -> World:
        await h.setup()
        db = h.db
        ticket = await report_leak(h)
        if state in ("working", "feedback", "hazard"):
            await h.press(ROLES["crew"], f"t:acc:{ticket}")
            assert await db.scalar("SELECT assignee_id FROM tickets WHERE id = ?", (ticket,)) is not None
        if state == "feedback":
            await h.press(ROLES["crew"], f"t:cause:{ticket}:repaired")
            assert await db.scalar("SELECT status FROM tickets WHERE id = ?", (ticket,)) == "resolved"
            async with db._transaction() as tx:
                await tx.execute(
                    "INSERT INTO feedback (ticket_id, asked_at) VALUES (?, '2027-03-01T03:00:00+00:00')"
                    " ON CONFLICT (ticket_id) DO NOTHING",
                    (ticket,),
                )
        hazard = 0
        if state == "hazard":
            await h.press(ROLES["crew"], f"hz:r:{ticket}:rubber_hose_aged:resident")
            hazard = int(await db.scalar("SELECT MAX(id) FROM hazards"))
        if state in ("case", "case_closed"):
            async with db._transaction() as tx:
                await tx.execute(
                    "INSERT INTO cases (ticket_id, kind, opened_at, due_at_utc, outcome) VALUES"
                    " (?, 'complaint', '2027-03-01T02:00:00+00:00', '2027-03-02T09:30:00+00:00', ?)",
                    (ticket, "resolved" if state == "case_closed" else None),
                )
        booking = 0
        if state == "booking":
            async with db._transaction() as tx:
                cur = await tx.execute(
                    "INSERT INTO bookings (ticket_id, resident_id, district, slot_at_utc, booked_at, remind_at_utc)"
                    " SELECT ?, resident_id, '', '2027-03-02T01:00:00+00:00', '2027-03-01T02:00:00+00:00',"
                    " '2027-03-01T10:00:00+00:00' FROM tickets WHERE id = ? RETURNING id",
                    (ticket, ticket),
                )
                booking = int((await cur.fetchone())[0])
        broadcast = 0
        if state == "broadcast":
            await h.text(ADMIN, "/broadcast Close the valve before you travel")
            broadcast = int(await db.scalar("SELECT MAX(id) FROM broadcasts"))
        return cls(h, ticket, broadcast, hazard, booking)

    async def counts(self) -> tuple[int, int]:
        audit = await self.h.db.scalar("SELECT COUNT(*) FROM audit")
        events = await self.h.db.scalar("SELECT COUNT(*) FROM ticket_events WHERE ticket_id = ?", (self.ticket,))
        return int(audit), int(events)

    async def refusal_names(self, user: str) -> bool:
        row = await self.h.db.fetchone("SELECT actor FROM audit ORDER BY id DESC LIMIT 1")
        return row is not None and row[0] == user


def _cells() -> list[tuple[str, str, str]]:
    """Every declared row the core knows now x every role."""
    commands, buttons = _core_tables()
    actions = _crew_actions(buttons)
    cells = [("command", name, role) for name in COMMAND_RULES if name in commands for role in ROLES]
    wired = [
        key
        for key in BUTTON_RULES
        if _prefix_of(key, buttons) and (not key.startswith("t:") or key.split(":")[1] in actions)
    ]
    cells += [("button", key, role) for key in wired for role in ROLES]
    return cells


async def _run_cell(tmp: Path, kind: str, name: str, role: str, channel: str = "telegram") -> str | None:
    """None when the cell behaves as declared, else what went wrong."""
    rule = COMMAND_RULES[name] if kind == "command" else BUTTON_RULES[name]
    world, db = await World.make(tmp, rule.state, channel)
    try:
        user = ROLES[role]
        before = await world.counts()
        if kind == "command":
            args = rule.args.format(ticket=world.ticket)
            replies = await world.h.text(user, f"/{name} {args}".strip())
        else:
            replies = await world.h.press(
                user,
                name.format(ticket=world.ticket, broadcast=world.broadcast, hazard=world.hazard, booking=world.booking),
            )
        audit, events = await world.counts()
        refused, moved = audit > before[0], events > before[1]
        allowed = role in rule.allowed
        if allowed and refused:
            return "refused but should be allowed"
        if allowed and kind == "button" and rule.moves and not moved:
            return "allowed but the ticket did not move"
        if not allowed and not refused:
            return "allowed but should be refused (or the refusal was not audited)"
        if not allowed and moved:
            return "refused, yet the ticket moved"
        if not allowed and not await world.refusal_names(user):
            return "the audit row does not name the actor"
        if not replies and kind == "command":
            return "no answer at all"
        return None
    finally:
        await db.close()


@pytest.mark.parametrize("channel", ["telegram", "wecom"])
async def test_matrix(tmp_path: Path, channel: str) -> None:
    failures = []
    cells = _cells()
    for index, (kind, name, role) in enumerate(cells):
        problem = await _run_cell(tmp_path / str(index), kind, name, role, channel)
        if problem:
            failures.append(f"{kind} {name!r} x {role}: {problem}")
    assert not failures, f"{len(failures)} of {len(cells)} cells wrong:\n" + "\n".join(failures)


FORGED = [
    "t:site:999999",  # no such ticket
    "t:acc:{ticket}:extra",
    "t:site:abc",
    "t:cause:{ticket}:<b>x</b>",
    "t:decr:{ticket}:nonsense",
    "t:zzz:{ticket}",
    "t:",
    "t:site:{ticket}:1:2:3",
    "t:site:" + "9" * 40,
    "t:site:-1",
    "t:site:{ticket}\x00",
]


@pytest.mark.parametrize("data", FORGED)
async def test_forged_crew_callbacks_are_refused_and_audited(tmp_path: Path, data: str) -> None:
    if "t:" not in _core_tables()[1]:
        pytest.skip("the crew buttons are not wired into the core")
    world, db = await World.make(tmp_path, "working")
    try:
        before = await world.counts()
        status = await db.scalar("SELECT status FROM tickets WHERE id = ?", (world.ticket,))
        replies = await world.h.press(ROLES["crew"], data.format(ticket=world.ticket))
        audit, events = await world.counts()
        assert audit == before[0] + 1 and events == before[1]
        assert await db.scalar("SELECT status FROM tickets WHERE id = ?", (world.ticket,)) == status
        assert any(isinstance(r, Answer) for r in replies)
    finally:
        await db.close()


async def test_no_callback_acts_on_someone_elses_ticket(tmp_path: Path) -> None:
    """Crew member 1002 holds ticket X; the crew lead 1001 holds Y. Buttons crafted for the other's
    ticket (or by another crew, or by another resident for feedback) are refused server-side."""
    world, db = await World.make(tmp_path, "working")
    h, mine = world.h, world.ticket
    try:
        await h.text(OTHER_RESIDENT, "I smell gas in my kitchen")  # another street: a ticket of its own
        await h.event(OTHER_RESIDENT, EventKind.LOCATION, latitude=31.2504, longitude=121.4737)
        await fill_leak_form(h, OTHER_RESIDENT, start_at="address")
        theirs = int(await db.scalar("SELECT MAX(id) FROM tickets"))
        assert theirs != mine
        await h.press(CREW_A[0], f"t:acc:{theirs}")
        assert await db.scalar("SELECT status FROM tickets WHERE id = ?", (theirs,)) == "accepted"
        crafted: list[tuple[str, str]] = [
            (CREW_A[1], f"t:site:{theirs}"),
            (CREW_A[1], f"t:cause:{theirs}:repaired"),
            (CREW_A[1], f"t:ho:{theirs}"),
            (CREW_B[0], f"t:site:{mine}"),
            (CREW_B[0], f"t:acc:{theirs}"),
            (RESIDENT, f"t:site:{mine}"),
            (RESIDENT, f"f:y:{theirs}"),
            (OTHER_RESIDENT, f"f:r:{mine}:5"),
            (STRANGER, f"t:enr:{mine}"),
        ]
        _, buttons = _core_tables()
        for user, data in crafted:
            if data[:2] not in buttons:
                continue
            status = {t: await db.scalar("SELECT status FROM tickets WHERE id = ?", (t,)) for t in (mine, theirs)}
            audit = int(await db.scalar("SELECT COUNT(*) FROM audit"))
            replies: list[Outbound] = await h.press(user, data)
            assert int(await db.scalar("SELECT COUNT(*) FROM audit")) == audit + 1, (user, data, replies)
            assert await world.refusal_names(user)
            for t, was in status.items():
                assert await db.scalar("SELECT status FROM tickets WHERE id = ?", (t,)) == was, (user, data)
    finally:
        await db.close()


@pytest.mark.parametrize("prefix", sorted(SELF_SCOPED_PREFIXES))
async def test_self_scoped_buttons_never_touch_another_person(tmp_path: Path, prefix: str) -> None:
    """Buttons without a ticket act on the presser's own conversation/settings: a stranger pressing
    them changes nothing of the resident's (their report, their language)."""
    _, buttons = _core_tables()
    if prefix not in buttons:
        pytest.skip(f"{prefix} not in the core")
    world, db = await World.make(tmp_path, "offered")
    try:
        snapshot = "SELECT lang, phone, role FROM people WHERE external_id = ?"
        before = tuple(await db.fetchone(snapshot, (RESIDENT,)) or ())
        tickets = await db.scalar("SELECT COUNT(*) FROM tickets")
        await world.h.press(STRANGER, SELF_SCOPED_PREFIXES[prefix])
        assert tuple(await db.fetchone(snapshot, (RESIDENT,)) or ()) == before
        assert await db.scalar("SELECT COUNT(*) FROM tickets") == tickets
    finally:
        await db.close()


def matrix_size() -> int:
    """Cells in the matrix (reported in the README)."""
    return len(_cells())
