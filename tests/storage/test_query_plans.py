"""Every hot query uses an index: the SQL the repositories really run (captured with SQLite's trace
callback, parameters bound) is run through EXPLAIN QUERY PLAN on a small real database.

A plan may not SCAN a big table (one that grows with residents, tickets or messages), and must search
by an index or the primary key."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import FakeClock
from common.events import Priority, Text
from storage.bookings import BookingsRepo
from storage.cases import CasesRepo
from storage.conversations import Conversation, ConversationsRepo
from storage.db import Database
from storage.drills import DrillsRepo
from storage.feedback import FeedbackRepo
from storage.hazards import HazardsRepo
from storage.incidents import IncidentsRepo
from storage.links import LinksRepo
from storage.outbox import OutboxRepo
from storage.people import CrewsRepo, PeopleRepo
from storage.tickets import TicketsRepo
from storage.timers import TimersRepo
from tests.kit.settings import T0

BIG_TABLES = (
    *("people", "tickets", "ticket_events", "outbox", "conversations", "timers", "audit"),
    *("hazards", "cases", "bookings"),
)
# Hot queries for which some index would do but only one is selective: the index each must use.
SELECTIVE = {"abandoned timer cancel": "timers_pending_owner"}
INDEXED = ("USING INDEX", "USING COVERING INDEX", "USING INTEGER PRIMARY KEY", "USING PRIMARY KEY")

Query = Callable[[Database], Awaitable[object]]


@pytest.fixture(scope="module")
def seeded_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeded database, made once for the module: each test starts from a copy of it."""
    path = tmp_path_factory.mktemp("plans") / "plans.sqlite3"

    async def make() -> None:
        db = await Database.open(path)
        try:
            await _seed(db)
        finally:
            await db.close()

    asyncio.run(make())
    return path


@pytest.fixture
async def seeded(seeded_file: Path, tmp_path: Path) -> AsyncIterator[Database]:
    shutil.copyfile(seeded_file, tmp_path / "plans.sqlite3")
    db = await Database.open(tmp_path / "plans.sqlite3")
    yield db
    await db.close()


async def _seed(db: Database) -> None:
    now = FakeClock(T0).now()
    async with db._transaction() as tx:
        people, crews, tickets = PeopleRepo(tx), CrewsRepo(tx), TicketsRepo(tx)
        crew = await crews.upsert("A", None, group_channel="telegram")
        await people.set_staff(
            "telegram", "1001", name="Wang", role="lead", crew_id=crew, phone=None, lang="zh", now=now
        )
        for n in range(50):
            person = await people.ensure("telegram", str(5000 + n), name="R", lang="zh", now=now)
            ticket = await tickets.create(
                resident_id=person.id, channel="telegram", chat=str(5000 + n), lang="zh", category="leak",
                severity="P1", status="dispatched", address=None, latitude=None, longitude=None, phone=None,
                details={}, now=now + timedelta(minutes=n),
            )  # fmt: skip
            await OutboxRepo(tx).add(
                Text(chat=str(5000 + n), text="x", priority=Priority.DISPATCH), now=now, ticket_id=ticket,
                purpose="dispatch", recipient_id=person.id,
            )  # fmt: skip
            conv = Conversation(flow="intake", step="where", data={}, started_at=now, updated_at=now)
            await ConversationsRepo(tx).put("telegram", str(5000 + n), conv)


async def _in_tx(db: Database, run: Callable[[object], Awaitable[object]]) -> None:
    async with db._transaction() as tx:
        await run(tx)


NOW = T0 + timedelta(hours=1)
HOT: dict[str, Query] = {
    "outbox due": lambda db: _in_tx(
        db, lambda tx: OutboxRepo(tx).due(NOW, 200, exclude=[1, 2], per_chat=1, in_flight={"5001": 1, "5002": 0})
    ),  # type: ignore[arg-type]
    "outbox states": lambda db: _in_tx(db, lambda tx: OutboxRepo(tx).states([1, 2, 3])),  # type: ignore[arg-type]
    "outbox cards of ticket": lambda db: _in_tx(
        db, lambda tx: OutboxRepo(tx).cards_of_ticket(3, ("dispatch", "backup"))
    ),  # type: ignore[arg-type]
    "outbox rows for ticket": lambda db: _in_tx(db, lambda tx: OutboxRepo(tx).rows_for_ticket(3, "dispatch")),  # type: ignore[arg-type]
    "outbox mark sent": lambda db: _in_tx(db, lambda tx: OutboxRepo(tx).mark_sent(3, "77", NOW)),  # type: ignore[arg-type]
    "tickets open": lambda db: _in_tx(db, lambda tx: TicketsRepo(tx).open_tickets()),  # type: ignore[arg-type]
    "ticket get": lambda db: _in_tx(db, lambda tx: TicketsRepo(tx).get(7)),  # type: ignore[arg-type]
    "ticket events": lambda db: _in_tx(db, lambda tx: TicketsRepo(tx).events(7)),  # type: ignore[arg-type]
    "tickets of resident": lambda db: _in_tx(db, lambda tx: TicketsRepo(tx).of_resident(3)),  # type: ignore[arg-type]
    "ticket transition": lambda db: _in_tx(
        db,
        lambda tx: TicketsRepo(tx).transition(  # type: ignore[arg-type]
            7, from_statuses=("dispatched",), to_status="accepted", now=NOW, actor_id=1, stamp="accepted_at"
        ),
    ),
    "conversation get": lambda db: _in_tx(db, lambda tx: ConversationsRepo(tx).get("telegram", "5003")),  # type: ignore[arg-type]
    "conversation clear": lambda db: _in_tx(db, lambda tx: ConversationsRepo(tx).clear("telegram", "5003")),  # type: ignore[arg-type]
    "people find": lambda db: _in_tx(db, lambda tx: PeopleRepo(tx).find("telegram", "5003")),  # type: ignore[arg-type]
    "person get": lambda db: _in_tx(db, lambda tx: PeopleRepo(tx).get(3)),  # type: ignore[arg-type]
    "crew members": lambda db: _in_tx(db, lambda tx: PeopleRepo(tx).crew_members(1)),  # type: ignore[arg-type]
    "people with role": lambda db: _in_tx(db, lambda tx: PeopleRepo(tx).with_role("dispatcher", "supervisor")),  # type: ignore[arg-type]
    "crew by name": lambda db: _in_tx(db, lambda tx: CrewsRepo(tx).by_name("A")),  # type: ignore[arg-type]
    "abandoned timer cancel": lambda db: _in_tx(
        db,
        lambda tx: TimersRepo(tx).cancel_of_user("abandoned", channel="telegram", user="5003"),  # type: ignore[arg-type]
    ),
    "incident edit timer pending": lambda db: _in_tx(
        db,
        lambda tx: TimersRepo(tx).has_pending(7, "incident_edit"),  # type: ignore[arg-type]
    ),
    "abandoned timers due": lambda db: _in_tx(
        db,
        lambda tx: TimersRepo(tx).pending(due_before=NOW, kinds=("abandoned",)),  # type: ignore[arg-type]
    ),
    "open P1 near (duplicates box)": lambda db: _in_tx(
        db,
        lambda tx: TicketsRepo(tx).open_in_box(  # type: ignore[arg-type]
            since=T0, not_ticket=7, not_resident=3, latitude=(22.1, 22.2), longitude=(113.5, 113.6), limit=5
        ),
    ),
    "drill blockers (open real P1 of a crew)": lambda db: _in_tx(db, lambda tx: DrillsRepo(tx).real_p1_open(1)),  # type: ignore[arg-type]
    "drills offered to a crew": lambda db: _in_tx(db, lambda tx: DrillsRepo(tx).offered_to(1)),  # type: ignore[arg-type]
    "drills running": lambda db: _in_tx(db, lambda tx: DrillsRepo(tx).running()),  # type: ignore[arg-type]
    "drills of a month": lambda db: _in_tx(db, lambda tx: DrillsRepo(tx).between(T0, NOW)),  # type: ignore[arg-type]
    "incident size": lambda db: _in_tx(db, lambda tx: IncidentsRepo(tx).size(7)),  # type: ignore[arg-type]
    "incident lead of a report": lambda db: _in_tx(db, lambda tx: IncidentsRepo(tx).lead_of(7)),  # type: ignore[arg-type]
    "probable same links": lambda db: _in_tx(db, lambda tx: LinksRepo(tx).probable_same(7)),  # type: ignore[arg-type]
    "feedback state": lambda db: _in_tx(db, lambda tx: FeedbackRepo(tx).state(7)),  # type: ignore[arg-type]
    "feedback answer": lambda db: _in_tx(db, lambda tx: FeedbackRepo(tx).answer_fixed(7, True, NOW)),  # type: ignore[arg-type]
    # the deadline sweep (every minute) and the lists of hazards, cases and bookings
    "hazards to remind": lambda db: _in_tx(db, lambda tx: HazardsRepo(tx).to_remind(NOW)),  # type: ignore[arg-type]
    "hazards newly overdue": lambda db: _in_tx(db, lambda tx: HazardsRepo(tx).newly_overdue(NOW)),  # type: ignore[arg-type]
    "hazards overdue count": lambda db: _in_tx(db, lambda tx: HazardsRepo(tx).overdue_count(NOW)),  # type: ignore[arg-type]
    "hazards unfixed": lambda db: _in_tx(db, lambda tx: HazardsRepo(tx).unfixed()),  # type: ignore[arg-type]
    "cases missed": lambda db: _in_tx(db, lambda tx: CasesRepo(tx).missed(NOW)),  # type: ignore[arg-type]
    "bookings to remind": lambda db: _in_tx(db, lambda tx: BookingsRepo(tx).to_remind(NOW)),  # type: ignore[arg-type]
    "bookings taken": lambda db: _in_tx(db, lambda tx: BookingsRepo(tx).taken("", [NOW])),  # type: ignore[arg-type]
    "bookings of a day": lambda db: _in_tx(db, lambda tx: BookingsRepo(tx).between(T0, NOW)),  # type: ignore[arg-type]
    "booking of ticket": lambda db: _in_tx(db, lambda tx: BookingsRepo(tx).active_of_ticket(7)),  # type: ignore[arg-type]
}


async def _statements(db: Database, query: Query) -> list[str]:
    seen: list[str] = []

    def trace(sql: str) -> None:
        head = sql.lstrip().split(None, 1)[0].upper()
        if head in ("SELECT", "UPDATE", "DELETE"):
            seen.append(sql)

    await db.conn.set_trace_callback(trace)
    try:
        await query(db)
    finally:
        await db.conn.set_trace_callback(None)  # type: ignore[arg-type]  # None switches tracing off
    return seen


async def _plan(db: Database, sql: str) -> list[str]:
    rows = await db.fetchall("EXPLAIN QUERY PLAN " + sql)
    return [str(row[3]) for row in rows]


@pytest.mark.parametrize("name", sorted(HOT))
async def test_hot_query_uses_an_index(seeded: Database, name: str) -> None:
    statements = await _statements(seeded, HOT[name])
    assert statements, f"{name}: no statement captured"
    for sql in statements:
        plan = await _plan(seeded, sql)
        scans = [step for step in plan if any(step.startswith(f"SCAN {table}") for table in BIG_TABLES)]
        assert not scans, f"{name}: {sql}\n  scans a big table: {plan}"
        searches = [step for step in plan if step.startswith("SEARCH")]
        assert searches and all(any(how in step for how in INDEXED) for step in searches), f"{name}: {sql}\n  {plan}"
        if name in SELECTIVE:
            assert any(SELECTIVE[name] in step for step in searches), f"{name}: {sql}\n  {plan}"


async def test_outbox_poll_reads_in_priority_order(seeded: Database) -> None:
    """The outbox worker's poll walks the pending rows in (priority, id) order and stops at its batch: no sort
    of every pending row (in a surge, thousands of crew cards waiting for their chats) at each poll."""
    statements = await _statements(seeded, HOT["outbox due"])
    candidates = [sql for sql in statements if sql.lstrip().startswith("SELECT id, chat FROM outbox")]
    assert candidates
    for sql in candidates:
        plan = await _plan(seeded, sql)
        assert any("outbox_next" in step for step in plan), plan
        assert not any("TEMP B-TREE" in step for step in plan), plan
