"""The crash suites' checks over a run (tests/reliability/test_crash.py, test_failover.py): one ticket per
resident, every card delivered, every escalation step once, nothing pending; the database a SQLite file or a
PostgreSQL URL."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.cli.demo import LEAD, MEMBER
from sandbox import Sandbox
from tests.kit.botproc import cards, query
from tests.kit.chat import Outcome, receipts

ACK_TIMEOUT_S = 10
IN_FLIGHT_PER_KILL = 4  # rows the lane may have handed to Telegram but not yet marked sent


@dataclass
class CrashFigures:
    residents: int
    kills: int
    tickets: int
    escalations: int
    duplicate_cards: int
    duplicate_receipts: int
    lost_updates_retried: int


def escalations_on_time(db: Path | str) -> bool:
    """Every P1 escalated at least once (nobody accepts here), every ticket has its acknowledgement timer,
    and no escalation timer is overdue by more than a few sweeps (the chain goes on after each restart)."""
    p1 = query(db, "SELECT id FROM tickets WHERE severity = 'P1'")
    escalated = {r[0] for r in query(db, "SELECT DISTINCT ticket_id FROM ticket_events WHERE kind = 'escalated'")}
    with_ack = {r[0] for r in query(db, "SELECT DISTINCT ticket_id FROM timers WHERE kind = 'ack'")}
    tickets = {r[0] for r in query(db, "SELECT id FROM tickets WHERE status = 'dispatched'")}
    overdue = [
        r
        for r in query(db, "SELECT id, due_at_utc FROM timers WHERE status = 'pending' AND kind IN ('ack', 'arrive')")
        if datetime.fromisoformat(str(r[1])) < datetime.now(UTC) - timedelta(seconds=5)
    ]
    return all(r[0] in escalated for r in p1) and tickets <= with_ack and not overdue


def check_crash_outcome(
    sb: Sandbox, db: Path | str, users: list[int], outcomes: list[Outcome], kills: int
) -> CrashFigures:
    seen = {user: receipts(sb, user) for user in users}
    rows = query(db, "SELECT id, chat, status, severity FROM tickets ORDER BY id")
    by_chat = Counter(str(r[1]) for r in rows)
    assert all(count == 1 for count in by_chat.values()), f"duplicate tickets: {by_chat}"
    for user, numbers in seen.items():
        assert len(set(numbers)) == 1, f"resident {user} saw receipts for {numbers}"
        owner = query(db, "SELECT chat FROM tickets WHERE id = ?", (numbers[0],))
        assert owner == [(str(user),)], f"receipt #{numbers[0]} of {user} names someone else's ticket: {owner}"
    assert len(rows) == len(users)
    # every form was answered to the end, and every answer is on its ticket
    assert query(db, "SELECT COUNT(*) FROM tickets WHERE details LIKE '%\"_form\"%'")[0][0] == 0
    assert query(db, "SELECT COUNT(*) FROM tickets WHERE details NOT LIKE '%\"since\"%'")[0][0] == 0
    duplicate_cards = 0
    for member in (LEAD, MEMBER):
        got = cards(sb, member)
        for ticket_id, *_ in rows:
            assert got[int(str(ticket_id))] >= 1, f"ticket {ticket_id} never reached {member}"
        for ticket_id, count in got.items():
            # cards the bot meant to send (the dispatch, and re-pages by the escalation chain) vs. arrived
            sent = query(
                db,
                "SELECT COUNT(*) FROM outbox WHERE chat = ? AND ticket_id = ? AND status = 'sent'"
                " AND purpose = 'dispatch' AND payload LIKE ?",
                (str(member), ticket_id, f'%"data":"t:acc:{ticket_id}"%'),
            )[0][0]
            assert int(str(sent)) >= 1
            duplicate_cards += max(0, count - int(str(sent)))
    dispatched = query(db, "SELECT ticket_id, COUNT(*) FROM ticket_events WHERE kind = 'dispatched' GROUP BY ticket_id")
    assert len(dispatched) == len(rows) and all(int(str(n)) == 1 for _, n in dispatched), dispatched
    levels = Counter(
        (int(str(ticket)), json.loads(str(data)).get("level"))
        for ticket, data in query(db, "SELECT ticket_id, data FROM ticket_events WHERE kind = 'escalated'")
    )
    assert all(count == 1 for count in levels.values()), f"an escalation step ran twice: {levels}"
    assert query(db, "SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'failed')")[0][0] == 0
    if isinstance(db, Path):
        assert query(db, "PRAGMA integrity_check") == [("ok",)]
    duplicate_receipts = sum(len(numbers) - 1 for numbers in seen.values())
    window = kills * IN_FLIGHT_PER_KILL
    assert duplicate_cards + duplicate_receipts <= window, (duplicate_cards, duplicate_receipts, window)
    return CrashFigures(
        residents=len(users),
        kills=kills,
        tickets=len(rows),
        escalations=sum(levels.values()),
        duplicate_cards=duplicate_cards,
        duplicate_receipts=duplicate_receipts,
        lost_updates_retried=sum(o.retries for o in outcomes),
    )
