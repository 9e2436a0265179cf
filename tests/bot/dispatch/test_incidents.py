"""Incidents: a district reporting one leak gives the crews one card (edited at most every
``incident_edit_interval_s``), every report on it and every resident told; what a crew must act on still
gets its own card at once; split and merge by the desk; the incident moves its reports with it. Fake clock."""

from __future__ import annotations

from pathlib import Path

from bot.board.views import Filters, board
from bot.clock import FakeClock
from bot.config.settings import Settings
from bot.dispatch.buttons import crew_button
from bot.i18n import Lang, t
from common.events import Edit, EventKind, Priority, Text
from storage.db import Database
from storage.report_rows import report_rows
from tests.kit.crew import CREW_A, DISPATCHER, crew_settings, harness, kinds, opened, service, ticket
from tests.kit.incidents import LEAD, cards, delivered, in_incident, leak, resident


async def test_fifty_reports_in_a_minute_give_one_card_edited_at_most_every_interval(
    tmp_path: Path, clock: FakeClock, migrated: Path
) -> None:
    settings = crew_settings(tmp_path)
    async with opened(settings, clock, migrated) as h:
        timers = service(h)
        lead = await leak(h, LEAD)
        for n in range(1, 50):  # 49 neighbours within 100 m, one every 1.2 s
            clock.advance(1.2)
            await leak(h, resident(n), north_m=(n % 10) * 10)
            if n in (10, 11):  # the first resident answers too: their card is the incident's, throttled alike
                await h.event(LEAD, EventKind.TEXT, text="Building 1") if n == 10 else await h.press(
                    LEAD, "i:f:where:home"
                )
            await timers.run_due()
        clock.advance(settings.dispatch.incident_edit_interval_s)
        await timers.run_due()
        dispatched = {r.ticket_id for r in await h.outbox("dispatch")}
        assert dispatched == {lead}, "one card for the incident"
        assert await in_incident(h.db, lead) == 49, "every report is on the incident"
        edits = [r for r in await h.outbox("dispatch_edit") if r.chat == CREW_A[0]]
        stamps = [r.created_at for r in edits]
        gaps = [(b - a).total_seconds() for a, b in zip(stamps, stamps[1:], strict=False)]
        assert edits and all(gap >= settings.dispatch.incident_edit_interval_s for gap in gaps), gaps
        assert len(edits) <= 60 // settings.dispatch.incident_edit_interval_s + 2
        assert {r.priority for r in edits} == {Priority.DISPATCH}, "not held behind a district's questions"
        last = edits[-1].message
        assert isinstance(last, Edit) and t("zh", "incidents.card_reports", count=50) in last.text
        receipts = [r for r in await h.outbox("receipt") if r.ticket_id != lead]
        joined = t("en", "incidents.joined", ticket=receipts[0].ticket_id, hotline=settings.utility.hotline)
        assert len(receipts) == 49 and isinstance(receipts[0].message, Text) and receipts[0].message.text == joined
        # in turn with the crews' cards, not ahead of them (hundreds in a district); the first report's at once
        assert {r.priority for r in receipts} == {Priority.DISPATCH}
        assert [r.priority for r in await h.outbox("receipt") if r.ticket_id == lead] == [Priority.EMERGENCY]
        assert await h.db.scalar("SELECT COUNT(*) FROM timers WHERE kind = 'ack' AND ticket_id != ?", (lead,)) == 0


async def test_a_report_with_someone_unwell_gets_its_own_card_at_once(
    tmp_path: Path, clock: FakeClock, migrated: Path
) -> None:
    async with opened(crew_settings(tmp_path), clock, migrated) as h:
        lead = await leak(h, LEAD)
        second = await leak(h, resident(1), north_m=20, unwell="yes")
        assert set(CREW_A) <= set(await cards(h, second)), "someone unwell: its own card"
        assert await in_incident(h.db, lead) == 0
        assert "incident_split" in await kinds(h.db, second)
        assert (await ticket(h.db, second)).severity == "P1"
        links = await h.db.fetchall("SELECT related_id FROM ticket_links WHERE ticket_id = ?", (second,))
        assert [row[0] for row in links] == [lead], "its card says it is probably the same leak"
        third = await leak(h, resident(2), north_m=30, unwell="no")  # nearest open P1: the second, 10 m away
        assert await cards(h, third) == [] and await in_incident(h.db, second) == 1


async def test_a_report_beyond_the_radius_gets_its_own_card(tmp_path: Path, clock: FakeClock, migrated: Path) -> None:
    settings = crew_settings(tmp_path)
    async with opened(settings, clock, migrated) as h:
        lead = await leak(h, LEAD)
        far = await leak(h, resident(1), north_m=-(settings.intake.duplicate_radius_m + 50))
        assert set(CREW_A) <= set(await cards(h, far))
        assert await in_incident(h.db, lead) == 0


async def test_join_split_and_merge_are_in_the_audit_trail(tmp_path: Path, clock: FakeClock, migrated: Path) -> None:
    settings = crew_settings(tmp_path)
    async with opened(settings, clock, migrated) as h:
        lead = await leak(h, LEAD)
        member = await leak(h, resident(1), north_m=20)
        assert "incident_joined" in await kinds(h.db, member) and "incident_report" in await kinds(h.db, lead)
        status = [r.text for r in await h.text(resident(1), "/status") if isinstance(r, Text)]
        assert t("en", "status.ev_incident_joined") in status[0], "the resident's own ticket says so"
        desk_id = await h.db.scalar("SELECT id FROM people WHERE external_id = ?", (DISPATCHER,))
        await h.text(DISPATCHER, f"/split {member}")
        assert await in_incident(h.db, lead) == 0 and set(CREW_A) <= set(await cards(h, member))
        split = await h.db.fetchall(
            "SELECT ticket_id, actor_id FROM ticket_events WHERE kind = 'incident_split' ORDER BY ticket_id"
        )
        assert [(row[0], row[1]) for row in split] == [(lead, desk_id), (member, desk_id)]
        await delivered(h, member)
        await h.text(DISPATCHER, f"/merge {lead} {member}")
        assert await in_incident(h.db, lead) == 1
        merged = await h.db.fetchall("SELECT ticket_id, actor_id FROM ticket_events WHERE kind = 'incident_merged'")
        assert sorted((row[0], row[1]) for row in merged) == [(lead, desk_id), (member, desk_id)]
        withdrawn = [r.message for r in await h.outbox("dispatch_edit") if r.ticket_id == member]
        note = t("zh", "incidents.card_merged", ticket=member, into=lead)
        assert withdrawn and all(isinstance(m, Edit) and note in m.text and not m.buttons for m in withdrawn)
        await h.press(CREW_A[0], crew_button("acc", member))
        assert (await ticket(h.db, member)).status == "dispatched", "a merged card cannot be accepted on its own"
        replies = await h.text(DISPATCHER, f"/split {lead}")
        assert t("en", "incidents.not_joined", ticket=lead) in [r.text for r in replies if isinstance(r, Text)]


async def test_accepting_the_incident_assigns_every_report_and_resolving_it_closes_all(
    tmp_path: Path, clock: FakeClock, migrated: Path
) -> None:
    settings = crew_settings(tmp_path)
    async with opened(settings, clock, migrated) as h:
        lead = await leak(h, LEAD)
        members = [await leak(h, resident(n), north_m=10 * n) for n in range(1, 4)]
        await h.press(CREW_A[0], crew_button("acc", lead))
        holder = await h.db.scalar("SELECT id FROM people WHERE external_id = ?", (CREW_A[0],))
        for member in members:
            got = await ticket(h.db, member)
            assert (got.status, got.assignee_id, got.crew_id) == (
                "accepted",
                holder,
                (await ticket(h.db, lead)).crew_id,
            )
        told = {r.ticket_id for r in await h.outbox("resident") if r.ticket_id in members}
        assert told == set(members), "every resident is told a crew accepted"
        late = await leak(h, resident(9), north_m=50)  # joins after the acceptance: taken at once
        assert (await ticket(h.db, late)).assignee_id == holder
        await h.press(CREW_A[0], crew_button("ho", lead))  # handed over: the next to accept takes them all
        await h.press(CREW_A[1], crew_button("acc", lead))
        holder = await h.db.scalar("SELECT id FROM people WHERE external_id = ?", (CREW_A[1],))
        assert {(await ticket(h.db, n)).assignee_id for n in [lead, *members, late]} == {holder}
        await h.press(CREW_A[0], crew_button("acc", lead))  # too late: taken
        await h.press(CREW_A[1], crew_button("enr", lead))
        assert {(await ticket(h.db, n)).status for n in [lead, *members, late]} == {"en_route"}
        await h.press(CREW_A[1], crew_button("res", lead))
        await h.press(CREW_A[1], crew_button("cause", lead, "repaired"))
        for member in [*members, late]:
            got = await ticket(h.db, member)
            assert (got.status, got.cause) == ("resolved", "repaired")
        asked = {r.ticket_id for r in await h.outbox("followup")}
        assert asked >= {lead, *members, late}, "every resident is asked if it is fixed (then a rating)"


async def test_a_restart_in_the_middle_loses_no_edit(tmp_path: Path, clock: FakeClock, migrated: Path) -> None:
    settings = crew_settings(tmp_path)
    async with opened(settings, clock, migrated) as h:
        lead = await leak(h, LEAD)
        await leak(h, resident(1), north_m=10)  # the first join edits the card at once
        clock.advance(2)
        for n in range(2, 5):  # 5 reports within the interval: worth an edit, a timer row brings it
            await leak(h, resident(n), north_m=10 * n)
    async with opened(settings, clock, migrated) as h:  # a new process on the same database
        timers = service(h)
        await timers.rebuild()
        clock.advance(settings.dispatch.incident_edit_interval_s)
        assert await timers.run_due() == 1
        last = [r.message for r in await h.outbox("dispatch_edit") if r.chat == CREW_A[0]][-1]
        assert isinstance(last, Edit) and t("zh", "incidents.card_reports", count=5) in last.text
        assert await in_incident(h.db, lead) == 4


async def test_the_monthly_report_counts_an_incident_once(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await harness(settings, db, clock)
    lead = await leak(h, LEAD)
    for n in range(1, 4):
        await leak(h, resident(n), north_m=10 * n)
    start = clock.now().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    rows = await report_rows(db, start, clock.now().replace(year=clock.now().year + 1))
    assert set(rows.duplicates.values()) == {lead} and len(rows.duplicates) == 3


async def test_the_board_lists_an_incident_once_with_its_reports(
    settings: Settings, db: Database, clock: FakeClock
) -> None:
    h = await harness(settings, db, clock)
    lead = await leak(h, LEAD)
    for n in range(1, 4):
        await leak(h, resident(n), north_m=10 * n)
    shown = await db.read(lambda conn: board(conn, settings, clock.now(), Filters.parse({}, settings), Lang.EN))
    assert [(row.id, row.reports) for row in shown.rows] == [(lead, 4)]
    assert [row.id for row in shown.queue] == [lead] and shown.today.total == 1


async def test_open_lists_an_incident_once_with_its_reports(tmp_path: Path, clock: FakeClock, migrated: Path) -> None:
    async with opened(crew_settings(tmp_path), clock, migrated) as h:
        lead = await leak(h, LEAD)
        for n in range(1, 4):
            await leak(h, resident(n), north_m=10 * n)
        listing = [r.text for r in await h.text(DISPATCHER, "/open") if isinstance(r, Text)][0]
        assert t("en", "desk.open_title", count=1) in listing
        assert f"#{lead} " in listing and t("en", "board.incident_reports", count=4) in listing


async def test_closing_the_incident_closes_its_reports(tmp_path: Path, clock: FakeClock, migrated: Path) -> None:
    async with opened(crew_settings(tmp_path), clock, migrated) as h:
        lead = await leak(h, LEAD)
        members = [await leak(h, resident(n), north_m=10 * n) for n in range(1, 3)]
        await h.text(DISPATCHER, f"/close {lead} one leak, the main valve is shut")
        assert [(await ticket(h.db, n)).status for n in (lead, *members)] == ["closed"] * 3
        told = {r.ticket_id for r in await h.outbox("resident")}
        assert told >= set(members), "every resident is told"
        assert await h.db.scalar("SELECT COUNT(*) FROM timers WHERE status = 'pending'") == 0


async def test_a_report_split_after_the_incident_was_taken_stays_with_its_holder(
    tmp_path: Path, clock: FakeClock, migrated: Path
) -> None:
    async with opened(crew_settings(tmp_path), clock, migrated) as h:
        lead = await leak(h, LEAD)
        member = await leak(h, resident(1), north_m=20)
        await h.press(CREW_A[0], crew_button("acc", lead))
        await h.text(DISPATCHER, f"/split {member}")
        got = await ticket(h.db, member)
        holder = await h.db.scalar("SELECT id FROM people WHERE external_id = ?", (CREW_A[0],))
        assert (got.status, got.assignee_id) == ("accepted", holder)
        own = [r.message for r in await h.outbox("dispatch") if r.ticket_id == member]
        assert [m.chat for m in own] == [CREW_A[0]], "its holder gets its own card, nobody else"
        assert isinstance(own[0], Text) and crew_button("enr", member) in [
            b.data for row in own[0].buttons for b in row
        ]
        await h.press(CREW_A[0], crew_button("enr", member))
        assert (await ticket(h.db, member)).status == "en_route"
