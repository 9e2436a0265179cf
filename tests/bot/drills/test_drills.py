"""Drills through the core: the crew's real flow marked 演练/DRILL, nothing to a resident, a drill report
at the end, escalation, waiting behind a real P1, unannounced cards, and no drill in the real figures."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli.text import Say
from bot.clock import FakeClock
from bot.config.settings import Settings
from bot.dispatch.escalation import EscalationService
from bot.drills.cli import DrillInputError, start_command
from bot.i18n import Lang, t
from bot.scheduler import Scheduler
from storage.db import Database
from storage.engines import open_database
from storage.ops_figures import read_figures
from storage.people import PeopleRepo
from storage.report_rows import report_rows
from storage.tickets import TicketsRepo
from tests.kit import template
from tests.kit.crew import GROUP_A, crew_settings, harness, kinds, new_ticket, service, texts_to, ticket
from tests.kit.harness import Harness, texts
from tests.kit.people import CREW_A, DISPATCHER, RESIDENT

MARK_EN = t("en", "drills.mark")
CARD_MARK_ZH = t("zh", "drills.card_mark")
LEAD, MEMBER = CREW_A


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return crew_settings(tmp_path)


async def drill_id(h: Harness) -> int:
    return int(await h.db.scalar("SELECT MAX(id) FROM tickets WHERE drill = 1"))


async def nothing_to_residents(h: Harness) -> None:
    """No outbox row of any kind to a resident's chat, the drill's placeholder included."""
    staff = {LEAD, MEMBER, GROUP_A, DISPATCHER, "3001", "4001", "1003", "1004"}
    stray = [r for r in await h.outbox() if r.chat not in staff]
    assert stray == [], [(r.purpose, r.chat) for r in stray]


async def test_drill_flows_like_a_real_ticket_and_ends_with_a_report(
    settings: Settings, db: Database, clock: FakeClock
) -> None:
    h = await harness(settings, db, clock)
    replies = await h.text(DISPATCHER, "/drill A leak-indoor")
    number = await drill_id(h)
    assert texts(replies) == [t("en", "drills.started", ticket=number, crew="A", scenario="leak-indoor")]
    cards = await h.outbox("dispatch")
    assert sorted(r.chat for r in cards) == sorted([*CREW_A, GROUP_A]), "the crew's real card, to the crew only"
    for row in cards:
        assert row.message.text.startswith(CARD_MARK_ZH), "marked on the card"  # type: ignore[union-attr]
        assert any(b.data == f"t:acc:{number}" for line in row.message.buttons for b in line)  # type: ignore[union-attr]
    drill = await ticket(db, number)
    assert drill.drill and drill.severity == "P1" and drill.status == "dispatched"
    clock.advance(75)
    accepted = await h.press(LEAD, f"t:acc:{number}")
    assert any(CARD_MARK_ZH in x for x in texts(accepted) + [getattr(r, "text", "") for r in accepted])
    clock.advance(60)
    await h.press(LEAD, f"t:enr:{number}")
    clock.advance(60 * 12)
    await h.press(LEAD, f"t:site:{number}")
    clock.advance(60 * 5)
    await h.press(LEAD, f"t:res:{number}")
    await h.press(LEAD, f"t:cause:{number}:no_leak")
    assert (await ticket(db, number)).status == "resolved"
    assert await kinds(db, number) == [
        "created", "drill_started", "dispatched", "accepted", "en_route", "on_site", "resolved", "drill_report",
    ]  # fmt: skip
    reports = await texts_to(h, DISPATCHER, "drill_report")
    assert len(reports) == 1
    report = reports[0]
    assert report.startswith(MARK_EN)
    assert "Accepted after 1:15 (target 2:00) ✅ in time" in report
    assert "On site after 14:15 (target 30:00) ✅ in time" in report
    assert "Took part: Wang Qiang" in report and "No escalation was needed" in report
    assert await h.outbox("followup") == [], "no 'was it fixed?' for a drill"
    await nothing_to_residents(h)


async def test_drill_escalates_like_a_real_one_and_the_report_says_so(
    settings: Settings, db: Database, clock: FakeClock
) -> None:
    h = await harness(settings, db, clock)
    await h.text(DISPATCHER, "/drill A co")
    number = await drill_id(h)
    esc = service(h)
    clock.advance(120)
    assert await esc.run_due() == 1
    desk = await texts_to(h, DISPATCHER, "desk")
    assert desk and all(x.startswith(MARK_EN) for x in desk), "the desk's escalation says DRILL"
    assert "1003" in {r.chat for r in await h.outbox("dispatch")}, "the backup crew got the card too"
    clock.advance(30)
    await h.press(LEAD, f"t:acc:{number}")
    await h.press(LEAD, f"t:site:{number}")
    await h.press(LEAD, f"t:cause:{number}:repaired")
    report = (await texts_to(h, DISPATCHER, "drill_report"))[0]
    assert "Accepted after 2:30 (target 2:00) ⚠️ late" in report
    assert "Escalated 1 time(s) (steps 1)" in report
    await nothing_to_residents(h)


async def test_a_drill_waits_behind_a_real_p1_and_starts_when_it_closes(
    settings: Settings, db: Database, clock: FakeClock
) -> None:
    h = await harness(settings, db, clock)
    real = await new_ticket(h, severity="P1")
    before = len(await h.outbox("dispatch"))
    replies = await h.text(DISPATCHER, "/drill A fire")
    number = await drill_id(h)
    assert texts(replies) == [t("en", "drills.waiting", ticket=number, crew="A", behind=f"#{real}")]
    assert (await ticket(db, number)).status == "waiting"
    assert len(await h.outbox("dispatch")) == before, "nothing sent while the real P1 is open"
    esc = service(h)
    clock.advance(settings.drills.wait_recheck_s)
    await esc.run_due()
    assert (await ticket(db, number)).status == "waiting", "still open: it waits on"
    await h.press(LEAD, f"t:acc:{real}")
    await h.press(LEAD, f"t:cause:{real}:repaired")
    clock.advance(settings.drills.wait_recheck_s)
    await esc.run_due()
    sent = await ticket(db, number)
    assert sent.status == "dispatched" and sent.created_at == clock.now(), "its clocks start when it is sent"
    assert [r for r in await h.outbox("dispatch") if r.ticket_id == number], "now the crew has it"
    released = [x for x in await texts_to(h, DISPATCHER, "desk") if f"#{number}" in x]
    assert released == [MARK_EN + " " + t("en", "drills.released", ticket=number, crew="A")]
    assert "drill_waiting" in await kinds(db, number) and "drill_released" in await kinds(db, number)


async def test_an_unannounced_drill_card_shows_drill_only_once_accepted(
    tmp_path: Path, clock: FakeClock, migrated: Path
) -> None:
    settings = crew_settings(tmp_path, drills={"announced": False})
    db = await template.fresh(migrated, settings.storage)
    try:
        h = await harness(settings, db, clock)
        await h.text(DISPATCHER, "/drill A excavation")
        number = await drill_id(h)
        cards = await h.outbox("dispatch")
        assert cards and not any("演练" in r.message.text or "DRILL" in r.message.text for r in cards)  # type: ignore[union-attr]
        shown = texts(await h.text(DISPATCHER, f"/ticket {number}"))[0]
        assert shown.startswith(MARK_EN), "the desk always knows it is a drill"
        accepted = await h.press(LEAD, f"t:acc:{number}")
        own = [getattr(r, "text", "") for r in accepted]
        assert any(x.startswith(CARD_MARK_ZH) for x in own), "the accepted card says DRILL"
        others = [r for r in await h.outbox("dispatch_edit") if r.ticket_id == number]
        assert others and all(r.message.text.startswith(CARD_MARK_ZH) for r in others)  # type: ignore[union-attr]
    finally:
        await db.close()


async def test_drills_are_not_in_the_real_figures(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await harness(settings, db, clock)
    real = await new_ticket(h, severity="P2")
    await h.text(DISPATCHER, "/drill A leak-indoor")
    number = await drill_id(h)
    clock.advance(30)
    for ticket_id in (real, number):
        await h.press(LEAD, f"t:acc:{ticket_id}")
        await h.press(LEAD, f"t:site:{ticket_id}")
    sla = texts(await h.text(DISPATCHER, "/sla"))[0]
    assert "A: 1 tickets" in sla or "A: 1 ticket" in sla, sla
    listing = texts(await h.text(DISPATCHER, "/open"))[0]
    assert f"#{real}" in listing and f"#{number}" not in listing
    figures = await read_figures(db)
    assert sum(figures.tickets.values()) == 1 and len(figures.dispatch_to_accept_s) == 1
    rows = await report_rows(db, datetime(2027, 3, 1, tzinfo=UTC), datetime(2027, 4, 1, tzinfo=UTC))
    assert [t.id for t in rows.tickets if t.drill] == [number]  # the monthly report lists it apart
    assert [t.id for t in rows.tickets if not t.drill] == [real]


async def test_no_message_to_a_drills_resident_and_drill_lists_the_running(
    settings: Settings, db: Database, clock: FakeClock
) -> None:
    h = await harness(settings, db, clock)
    await h.text(DISPATCHER, "/drill A leak-indoor")
    number = await drill_id(h)
    await h.press(LEAD, f"t:acc:{number}")
    assert texts(await h.text(LEAD, f"/msg {number} we are close")) == [t("zh", "drills.no_resident", ticket=number)]
    overview = texts(await h.text(DISPATCHER, "/drill"))[0]
    assert "leak-indoor" in overview and f"Drill #{number} leak-indoor, crew A" in overview
    assert texts(await h.text(DISPATCHER, "/drill Z leak-indoor")) == [
        t("en", "drills.unknown", crew="Z", scenario="leak-indoor")
    ]
    closed = await h.text(DISPATCHER, f"/close {number} exercise over")
    assert texts(closed)
    report = (await texts_to(h, DISPATCHER, "drill_report"))[0]
    assert t("en", "drills.report_closed") in report
    assert texts(await h.text(RESIDENT, "/drill A co")) == [t("en", "desk.refused")]
    await nothing_to_residents(h)


async def test_the_command_line_starts_a_drill_the_running_bot_sends(
    settings: Settings, db: Database, clock: FakeClock
) -> None:
    h = await harness(settings, db, clock)
    args = argparse.Namespace(crew="A", scenario="co", address="Training ground", lat=None, lon=None)
    out = await start_command(settings, args, clock.now(), Say(Lang.EN))
    assert out == "drill #1 (co, P1) sent to crew A"
    drill = await ticket(db, 1)
    assert drill.drill and drill.address == "Training ground" and drill.details["_drill"]["by"] is None
    assert sorted(r.chat for r in await h.outbox("dispatch")) == sorted([*CREW_A, GROUP_A])
    await h.press(LEAD, "t:acc:1")
    await h.press(LEAD, "t:cause:1:repaired")
    assert len(await texts_to(h, DISPATCHER, "drill_report")) == 1, "started from the command line: the desk"
    with pytest.raises(DrillInputError, match="no scenario"):
        await start_command(
            settings,
            argparse.Namespace(crew="A", scenario="flood", address="", lat=None, lon=None),
            clock.now(),
            Say(Lang.EN),
        )
    with pytest.raises(DrillInputError, match="no crew"):
        await start_command(
            settings,
            argparse.Namespace(crew="Q", scenario="co", address="", lat=None, lon=None),
            clock.now(),
            Say(Lang.EN),
        )


async def test_a_crew_offered_a_real_p1_as_backup_gets_no_drill_either(
    settings: Settings, db: Database, clock: FakeClock
) -> None:
    h = await harness(settings, db, clock)
    real = await new_ticket(h, severity="P1")
    assert texts(await h.text(DISPATCHER, "/drill B co")) == [
        t("en", "drills.started", ticket=real + 1, crew="B", scenario="co")
    ], "crew B has nothing real yet"
    clock.advance(120)
    await service(h).run_due()  # nobody accepts: the backup crew B is offered the real P1 too
    assert (await ticket(db, real + 1)).status == "waiting", "B's unaccepted drill held back behind it"
    replies = await h.text(DISPATCHER, "/drill B fire")
    assert texts(replies) == [t("en", "drills.waiting", ticket=real + 2, crew="B", behind=f"#{real}")]


async def test_a_drill_escalates_to_no_backup_crew_busy_with_a_real_p1(
    settings: Settings, db: Database, clock: FakeClock
) -> None:
    h = await harness(settings, db, clock)
    await h.text(DISPATCHER, "/drill A co")
    number = await drill_id(h)
    async with db._transaction() as tx:  # crew B (the drill's backup) is working a real P1
        resident = await PeopleRepo(tx).ensure("telegram", RESIDENT, name="Zhang Wei", lang="en", now=clock.now())
        real = await TicketsRepo(tx).create(
            resident_id=resident.id, channel="telegram", chat=RESIDENT, lang="en", category="leak", severity="P1",
            status="accepted", address="Building 3", latitude=None, longitude=None, phone=None, details={},
            now=clock.now(),
        )  # fmt: skip
        await tx.execute("UPDATE tickets SET crew_id = (SELECT id FROM crews WHERE name = 'B') WHERE id = ?", (real,))
    clock.advance(120)
    await service(h).run_due()
    drill_cards = {r.chat for r in await h.outbox("dispatch") if r.ticket_id == number}
    assert "1003" not in drill_cards and "1004" not in drill_cards, "crew B has a real P1: no drill card"
    assert "escalated" in await kinds(db, number), "the rest of the chain still acts"


async def test_a_real_p1_holds_back_an_unaccepted_drill_of_the_crew(
    tmp_path: Path, clock: FakeClock, migrated: Path
) -> None:
    settings = crew_settings(tmp_path, drills={"announced": False})
    db = await template.fresh(migrated, settings.storage)
    try:
        h = await harness(settings, db, clock)
        await h.text(DISPATCHER, "/drill A leak-indoor")
        number = await drill_id(h)
        clock.advance(30)
        real = await new_ticket(h, severity="P1")
        assert (await ticket(db, number)).status == "waiting", "the real P1 first"
        withdrawn = [r for r in await h.outbox("dispatch_edit") if r.ticket_id == number]
        assert len(withdrawn) == 3 and all(t("zh", "drills.withdrawn") in r.message.text for r in withdrawn)  # type: ignore[union-attr]
        assert "演练" not in withdrawn[0].message.text, "an unannounced drill stays unannounced"  # type: ignore[union-attr]
        desk = [x for x in await texts_to(h, DISPATCHER, "desk") if "held back" in x]
        assert desk == [MARK_EN + " " + t("en", "drills.held_back", ticket=number, crew="A", real=real)]
        refused = await h.press(LEAD, f"t:acc:{number}")
        assert (await ticket(db, number)).status == "waiting", "its old card's Accept no longer works"
        assert refused
        esc = service(h)
        clock.advance(120)
        await esc.run_due()
        assert "escalated" not in await kinds(db, number), "no escalation of a drill held back"
        await h.press(LEAD, f"t:acc:{real}")
        await h.press(LEAD, f"t:cause:{real}:repaired")
        clock.advance(settings.drills.wait_recheck_s)
        await esc.run_due()
        assert (await ticket(db, number)).status == "dispatched", "sent again after the real P1"
    finally:
        await db.close()


async def test_a_waiting_drill_survives_a_restart_and_is_sent_after_the_p1(
    settings: Settings, clock: FakeClock, migrated: Path
) -> None:
    db = await template.fresh(migrated, settings.storage)
    h = await harness(settings, db, clock)
    real = await new_ticket(h, severity="P1")
    await h.text(DISPATCHER, "/drill A co")
    number = await drill_id(h)
    await h.press(LEAD, f"t:acc:{real}")
    await h.press(LEAD, f"t:cause:{real}:repaired")
    await db.close()
    # a new process over the same file: its wait timer is a row, so a job again
    db2 = await open_database(settings.storage)
    try:
        h2 = await Harness(settings, db2, clock).setup()
        scheduler = Scheduler()
        esc = EscalationService(settings, db2, clock, scheduler, lambda: None)
        await esc.rebuild()
        waits = await db2.fetchall("SELECT id FROM timers WHERE kind = 'drill_wait' AND status = 'pending'")
        assert len(waits) == 1 and f"timer:{waits[0][0]}" in scheduler.pending()
        clock.advance(settings.drills.wait_recheck_s)
        await esc.run_due()
        assert (await ticket(db2, number)).status == "dispatched"
        assert [r for r in await h2.outbox("dispatch") if r.ticket_id == number]
    finally:
        await db2.close()
