"""The authorisation matrix: every crew and dispatcher action x every role; exactly the allowed cells succeed,
every refusal is audited and changes nothing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.config.settings import Settings
from common.events import Answer, Edit, Outbound
from storage.conversations import ConversationsRepo
from storage.db import Database
from tests.kit.crew import ROLES, audits, crew_settings, harness, kinds, new_ticket, ticket
from tests.kit.harness import Harness, texts
from tests.kit.people import CREW_A

DESK = {"dispatcher", "supervisor", "admin"}
OFFERED = {"crew", "lead"}
WORKERS = {"crew", "lead"} | DESK  # the assignee (crew), the lead of its crew, the desk
ASSIGNEE = CREW_A[1]  # the "crew" role is the assignee of worked tickets

Check = Callable[[Harness, int, str, list[Outbound]], Awaitable[bool]]


async def status_is(h: Harness, ticket_id: int, status: str) -> bool:
    return (await ticket(h.db, ticket_id)).status == status


async def has_event(h: Harness, ticket_id: int, kind: str) -> bool:
    return kind in await kinds(h.db, ticket_id)


def edit_with(prefix: str) -> Check:
    async def check(h: Harness, ticket_id: int, user: str, replies: list[Outbound]) -> bool:
        return any(
            isinstance(r, Edit) and any(b.data.startswith(prefix) for row in r.buttons for b in row) for r in replies
        )

    return check


def state(status: str) -> Check:
    async def check(h: Harness, ticket_id: int, user: str, replies: list[Outbound]) -> bool:
        return await status_is(h, ticket_id, status)

    return check


def event(kind: str) -> Check:
    async def check(h: Harness, ticket_id: int, user: str, replies: list[Outbound]) -> bool:
        return await has_event(h, ticket_id, kind)

    return check


def says(fragment: str) -> Check:
    async def check(h: Harness, ticket_id: int, user: str, replies: list[Outbound]) -> bool:
        return any(fragment in x for x in texts(replies)) or any(
            isinstance(r, Answer) and fragment in r.text for r in replies
        )

    return check


async def in_relay(h: Harness, ticket_id: int, user: str, replies: list[Outbound]) -> bool:
    async with h.db.lock:
        conv = await ConversationsRepo(h.db.conn).get("telegram", user)
    return conv is not None and conv.flow == "relay"


@dataclass(frozen=True)
class Action:
    name: str
    worked: bool  # the ticket is accepted by ASSIGNEE first
    allowed: set[str]
    check: Check
    button: str = ""
    command: str = ""


ACTIONS = [
    Action("t:acc", False, OFFERED, state("accepted"), button="t:acc:{n}"),
    Action("t:dec", False, OFFERED, edit_with("t:decr:"), button="t:dec:{n}"),
    Action("t:decr", False, OFFERED, event("declined"), button="t:decr:{n}:busy"),
    Action("t:enr", True, WORKERS, state("en_route"), button="t:enr:{n}"),
    Action("t:site", True, WORKERS, state("on_site"), button="t:site:{n}"),
    Action("t:res", True, WORKERS, edit_with("t:cause:"), button="t:res:{n}"),
    Action("t:cause", True, WORKERS, state("resolved"), button="t:cause:{n}:no_leak"),
    Action("t:bk", True, WORKERS, event("backup_requested"), button="t:bk:{n}"),
    Action("t:ho", True, WORKERS, event("handed_over"), button="t:ho:{n}"),
    Action("t:skip", True, WORKERS, says("No notes"), button="t:skip:{n}"),
    Action("r:reply", True, WORKERS | {"resident"}, in_relay, button="r:{n}"),
    Action("/open", False, DESK, says("Open tickets"), command="/open"),
    Action("/ticket", False, DESK, says("Timeline"), command="/ticket {n}"),
    Action("/assign", False, DESK, event("reassigned"), command="/assign {n} B"),
    Action("/note", False, DESK, event("note"), command="/note {n} gas company called back"),
    Action("/close", False, DESK, state("closed"), command="/close {n} duplicate"),
    Action("/sla", False, DESK, says("SLA"), command="/sla"),
    Action("/msg", True, WORKERS, event("relay_out"), command="/msg {n} We are two minutes away"),
]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return crew_settings(tmp_path)


async def test_authorisation_matrix(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await harness(settings, db, clock)
    for user in ROLES.values():
        await h.text(user, "/help")
    async with db._transaction() as tx:  # everyone speaks English here, so the checks can read the replies
        await tx.execute("UPDATE people SET lang = 'en'")
    wrong: list[str] = []
    allowed_cells = 0
    for action in ACTIONS:
        for role, user in ROLES.items():
            clock.advance(61)  # keeps everyone under the flood limit (and crew A on duty)
            ticket_id = await new_ticket(h, address=f"{action.name} {role}")
            if action.worked:
                await h.press(ASSIGNEE, f"t:acc:{ticket_id}")
            before_audit = await audits(db)
            before_events = await kinds(db, ticket_id)
            if action.button:
                replies = await h.press(user, action.button.format(n=ticket_id))
            else:
                replies = await h.text(user, action.command.format(n=ticket_id))
            refused = await audits(db) == before_audit + 1
            allowed = role in action.allowed
            allowed_cells += allowed
            if allowed and (refused or not await action.check(h, ticket_id, user, replies)):
                wrong.append(f"{action.name} x {role}: should succeed {texts(replies)}")
            if not allowed:
                unchanged = await kinds(db, ticket_id) == before_events
                if not refused or not unchanged or await action.check(h, ticket_id, user, replies):
                    wrong.append(f"{action.name} x {role}: should be refused, audited, without effect")
    cells = len(ACTIONS) * len(ROLES)
    print(
        f"\nauthorisation matrix: {len(ACTIONS)} actions x {len(ROLES)} roles = {cells} cells, {allowed_cells} allowed"
    )
    assert not wrong, "\n".join(wrong)
    assert await audits(db) == cells - allowed_cells
