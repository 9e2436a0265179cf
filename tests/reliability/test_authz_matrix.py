"""The authorisation matrix: every command and button the core knows x every role, each cell run.

The declared rows (tests/kit/authz.py) cover every route the core has (test_authz_routes.py). Each cell runs on
a fresh database with a real report filed through the core. A cell "succeeds" when it is not refused (no audit
row) and, for ticket buttons, the ticket moved (a new ticket event); a refused cell must leave an audit row
naming the actor and move nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.clock import FakeClock
from bot.config.settings import load_settings
from common.events import Answer, EventKind, Outbound
from storage.db import Database
from storage.engines import open_database
from tests.kit.authz import (
    ADMIN,
    BUTTON_RULES,
    COMMAND_RULES,
    OTHER_RESIDENT,
    ROLES,
    SELF_SCOPED_PREFIXES,
    STRANGER,
    core_tables,
    crew_actions,
    prefix_of,
)
from tests.kit.forms import fill_leak_form, report_leak
from tests.kit.harness import Harness
from tests.kit.people import CREW_A, CREW_B, RESIDENT
from tests.kit.settings import T0, settings_dict


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
    commands, buttons = core_tables()
    actions = crew_actions(buttons)
    cells = [("command", name, role) for name in COMMAND_RULES if name in commands for role in ROLES]
    wired = [
        key
        for key in BUTTON_RULES
        if prefix_of(key, buttons) and (not key.startswith("t:") or key.split(":")[1] in actions)
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
    if "t:" not in core_tables()[1]:
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
        _, buttons = core_tables()
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
    _, buttons = core_tables()
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
