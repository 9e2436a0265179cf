"""Escalation chains driven by a fake clock: steps in order, a restart continues at the right step."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.config.settings import Settings
from bot.dispatch.escalation import EscalationService
from bot.i18n import t
from bot.scheduler import Scheduler
from common.errors import HotlineError
from storage.db import Database
from storage.engines import open_database
from tests.kit.crew import (
    CREW_B2,
    GROUP_A,
    SUPERVISOR,
    crew_settings,
    harness,
    kinds,
    new_ticket,
    service,
    texts_to,
    ticket,
)
from tests.kit.harness import Harness
from tests.kit.people import CREW_A, CREW_B, DISPATCHER, RESIDENT

STILL = t("en", "resident.still_dispatching", ticket=1, hotline="96777")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return crew_settings(tmp_path)


async def escalations(db: Database, ticket_id: int) -> list[int]:
    rows = await db.fetchall(
        "SELECT json_extract(data, '$.level') FROM ticket_events"
        " WHERE ticket_id = ? AND kind = 'escalated' ORDER BY id",
        (ticket_id,),
    )
    return [int(r[0]) for r in rows]


async def test_full_p1_chain_no_accept_to_supervisor_and_resident(
    settings: Settings, db: Database, clock: FakeClock
) -> None:
    h = await harness(settings, db, clock)
    esc = service(h)
    ticket_id = await new_ticket(h)
    assert sorted(r.chat for r in await h.outbox("dispatch")) == sorted([*CREW_A, GROUP_A])
    clock.advance(119)
    assert await esc.run_due() == 0, "nothing before the ack timeout"
    clock.advance(1)
    assert await esc.run_due() == 1
    # step 1: the backup crew (B, next in the rota) gets the card; the duty dispatcher is alerted
    assert {r.chat for r in await h.outbox("dispatch")} >= {CREW_B[0], CREW_B2}
    desk = await texts_to(h, DISPATCHER, "desk")
    assert len(desk) == 1 and "not accepted after 2 min (escalation 1/5)" in desk[0]
    assert await texts_to(h, RESIDENT, "resident") == [STILL]
    assert await texts_to(h, SUPERVISOR, "desk") == []
    # step 2 and its 3 repeats: the supervisor and the crew group
    for level in range(1, 5):
        clock.advance(119)
        assert await esc.run_due() == 0
        clock.advance(1)
        assert await esc.run_due() == 1, f"level {level}"
        paged = [x for x in await texts_to(h, SUPERVISOR, "desk") if "is not accepted after" in x]
        assert len(paged) == level
    group_cards = [r for r in await h.outbox("dispatch") if r.chat == GROUP_A]
    assert len(group_cards) == 1 + 4, "first dispatch and one re-page per supervisor step"
    assert await escalations(db, ticket_id) == [0, 1, 2, 3, 4]
    exhausted = await texts_to(h, DISPATCHER, "desk")
    assert "escalation chain is exhausted" in exhausted[-1]
    clock.advance(4 * 3600)
    await esc.run_due()
    assert await escalations(db, ticket_id) == [0, 1, 2, 3, 4], "the chain ends"
    assert await texts_to(h, RESIDENT, "resident") == [STILL], "the resident is told once"
    assert (await kinds(db, ticket_id)).count("sla_breach") == 2, "accept late, and resolve late after 4 h"


async def test_accept_stops_the_chain(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await harness(settings, db, clock)
    esc = service(h)
    ticket_id = await new_ticket(h)
    clock.advance(120)
    await esc.run_due()
    await h.press(CREW_B[0], f"t:acc:{ticket_id}")  # the backup crew takes it, off duty: allowed, recorded
    clock.advance(600)
    await esc.run_due()
    assert await escalations(db, ticket_id) == [0]
    tk = await ticket(db, ticket_id)
    assert tk.status == "accepted" and tk.crew_id is not None
    data = await db.scalar("SELECT data FROM ticket_events WHERE ticket_id = ? AND kind = 'accepted'", (ticket_id,))
    assert json.loads(data)["on_duty"] is False


async def test_restart_mid_chain_continues_at_the_right_step(
    settings: Settings, db: Database, clock: FakeClock
) -> None:
    h = await harness(settings, db, clock)
    ticket_id = await new_ticket(h)
    esc = service(h)
    for _ in range(2):
        clock.advance(120)
        assert await esc.run_due() == 1
    await db.close()
    # a new process: new Database, new core, new scheduler and service over the same file
    db2 = await open_database(settings.storage)
    try:
        h2 = await Harness(settings, db2, clock).setup()
        scheduler = Scheduler()
        await scheduler.start()
        esc2 = EscalationServiceFor(h2, scheduler)
        assert await esc2.rebuild() == 2, "the next escalation step and the resolve deadline become jobs"
        assert sorted(scheduler.pending()) == sorted(
            f"timer:{r[0]}" for r in await db2.fetchall("SELECT id FROM timers WHERE status = 'pending'")
        )
        assert await esc2.run_due() == 0, "nothing is due yet: no step is repeated"
        clock.advance(120)
        assert await esc2.run_due() == 1
        assert await escalations(db2, ticket_id) == [0, 1, 2], "step 3 follows step 2, none skipped"
        assert len([x for x in await texts_to(h2, SUPERVISOR, "desk") if "is not accepted after" in x]) == 2
        await scheduler.stop()
    finally:
        await db2.close()


def EscalationServiceFor(h: Harness, scheduler: Scheduler) -> EscalationService:  # noqa: N802 - a constructor
    return EscalationService(h.settings, h.db, h.clock, scheduler, lambda: None)


async def test_crash_inside_a_step_leaves_it_pending_and_it_runs_once(
    settings: Settings, db: Database, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = await harness(settings, db, clock)
    ticket_id = await new_ticket(h)
    esc = service(h)
    clock.advance(120)

    async def crash(*args: object, **kwargs: object) -> None:
        raise HotlineError("power cut in the middle of the step")

    monkeypatch.setattr("bot.dispatch.escalation.tell_resident", crash)
    with pytest.raises(HotlineError):
        await esc.run_due()
    assert await escalations(db, ticket_id) == []
    assert await texts_to(h, DISPATCHER, "desk") == [], "the half-done step left nothing behind"
    monkeypatch.undo()
    assert await esc.run_due() == 1
    assert await escalations(db, ticket_id) == [0]
    assert len(await texts_to(h, DISPATCHER, "desk")) == 1


async def test_a_doubled_job_acts_once(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await harness(settings, db, clock)
    ticket_id = await new_ticket(h)
    esc = service(h)
    clock.advance(120)
    timer_id = int(await db.scalar("SELECT id FROM timers WHERE kind = 'ack' AND status = 'pending'"))
    results = await asyncio.gather(esc.fire(timer_id), esc.fire(timer_id), esc.fire(timer_id))
    assert sorted(results) == [False, False, True]
    assert await escalations(db, ticket_id) == [0]


async def test_arrival_reminder_to_crew_and_desk(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await harness(settings, db, clock)
    esc = service(h)
    late = await new_ticket(h)
    on_time = await new_ticket(h, address="Building 9")
    await h.press(CREW_A[1], f"t:acc:{late}")
    await h.press(CREW_A[0], f"t:acc:{on_time}")
    clock.advance(20 * 60)
    await h.press(CREW_A[0], f"t:site:{on_time}")
    clock.advance(10 * 60 - 1)
    await esc.run_due()
    assert await texts_to(h, CREW_A[1], "desk") == []
    clock.advance(1)
    await esc.run_due()
    reminder = await texts_to(h, CREW_A[1], "desk")
    assert reminder == [t("zh", "escalation.arrival_reminder", ticket=late)]
    assert any("is not on site by the arrival target" in x for x in await texts_to(h, DISPATCHER, "desk"))
    assert "sla_breach" in await kinds(db, late)
    assert "sla_breach" not in await kinds(db, on_time)
    assert await texts_to(h, CREW_A[0], "desk") == []


async def test_p3_has_no_chain_but_a_resolve_deadline(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await harness(settings, db, clock)
    ticket_id = await new_ticket(h, severity="P3")
    rows = await db.fetchall("SELECT kind FROM timers WHERE ticket_id = ?", (ticket_id,))
    assert [r[0] for r in rows] == ["resolve"]
    assert any("New ticket" in x for x in await texts_to(h, DISPATCHER, "desk"))


async def test_when_everyone_offered_declines_the_next_step_comes_at_once(
    settings: Settings, db: Database, clock: FakeClock
) -> None:
    h = await harness(settings, db, clock)
    esc = service(h)
    ticket_id = await new_ticket(h)
    clock.advance(10)
    await h.press(CREW_A[0], f"t:decr:{ticket_id}:busy")
    assert await esc.run_due() == 0, "one of two members declining changes nothing"
    await h.press(CREW_A[1], f"t:decr:{ticket_id}:far")
    assert await esc.run_due() == 1, "both declined: escalation 1 now, not at the 2-minute deadline"
    assert await escalations(db, ticket_id) == [0]
    assert "all_declined" in await kinds(db, ticket_id)
    assert {r.chat for r in await h.outbox("dispatch")} >= {CREW_B[0], CREW_B2}, "the backup crew has it"
    clock.advance(119)
    assert await esc.run_due() == 0, "the chain goes on from there at its own pace"
    clock.advance(1)
    assert await esc.run_due() == 1
    assert await escalations(db, ticket_id) == [0, 1]
