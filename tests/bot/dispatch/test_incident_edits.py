"""Incidents as a crew would want them in a district-wide leak: reports chain into one incident (within the
radius of any of its reports; a report near two incidents nobody has taken merges them; one located late
joins too), its card is edited only for what is worth an edit (the count alone at 2, 5, 10, ...; a
vulnerable person, a new address; the first report's where, whom and how), after acceptance in the holder's
chat only, and an accepted incident escalates no further. Fake clock."""

from __future__ import annotations

from pathlib import Path

from bot.clock import FakeClock
from bot.dispatch.buttons import crew_button
from bot.dispatch.escalation import EscalationService
from bot.i18n import t
from bot.intake.abandoned import AbandonedWatch
from bot.scheduler import Scheduler
from common.events import Edit, EventKind, Text
from tests.kit.crew import CREW_A, CREW_B, crew_settings, opened, service, ticket
from tests.kit.harness import Harness
from tests.kit.incidents import LAT, LEAD, LON, METRE, cards, delivered, in_incident, leak, resident


async def edits_to(h: Harness, chat: str, lead: int) -> list[Edit]:
    rows = [r for r in await h.outbox("dispatch_edit") if r.chat == chat and r.ticket_id == lead]
    return [r.message for r in rows if isinstance(r.message, Edit)]


async def tap_through(
    h: Harness, timers: EscalationService, clock: FakeClock, user: str, steps: tuple[str, ...], interval: float
) -> None:
    """``user`` answers the form's taps ``steps``, one per edit interval, the timers run after each."""
    for step in steps:
        clock.advance(interval)
        await h.press(user, f"i:f:{step}")
        await timers.run_due()


def counts_shown(edits: list[Edit], upto: int = 30) -> list[int]:
    """The number of reports each edit shows."""
    return [n for edit in edits for n in range(2, upto) if t("zh", "incidents.card_reports", count=n) in edit.text]


async def test_a_chain_of_neighbours_is_one_incident_and_a_report_beyond_every_one_gets_its_own_card(
    tmp_path: Path, clock: FakeClock, migrated: Path
) -> None:
    settings = crew_settings(tmp_path)
    radius = settings.intake.duplicate_radius_m
    async with opened(settings, clock, migrated) as h:
        lead = await leak(h, LEAD)
        far = await leak(h, resident(1), north_m=-(radius + 50))  # beyond the radius of every report
        assert set(CREW_A) <= set(await cards(h, far)) and await in_incident(h.db, lead) == 0
        near = await leak(h, resident(2), north_m=radius - 10)
        # beyond the lead's radius but 20 m from a report of its incident: the smell spreads, one incident
        chained = await leak(h, resident(3), north_m=radius + 10)
        assert await in_incident(h.db, lead) == 2 and await cards(h, chained) == []
        joined = await h.db.fetchall(
            "SELECT ticket_id, distance_m FROM incident_reports WHERE lead_ticket_id = ?", (lead,)
        )
        assert dict((row[0], round(row[1])) for row in joined) == {near: radius - 10, chained: radius + 10}, (
            "the distance kept is from the lead: the card's nearest addresses are the lead's"
        )
        beyond = await leak(h, resident(4), north_m=2 * radius + 30)  # beyond every report of the incident
        assert set(CREW_A) <= set(await cards(h, beyond)) and await in_incident(h.db, lead) == 2


async def test_the_count_alone_edits_the_card_at_2_5_and_10_reports(
    tmp_path: Path, clock: FakeClock, migrated: Path
) -> None:
    settings = crew_settings(tmp_path)
    async with opened(settings, clock, migrated) as h:
        timers = service(h)
        lead = await leak(h, LEAD)
        for n in range(1, 12):  # one report per interval: the throttle holds nothing back
            clock.advance(settings.dispatch.incident_edit_interval_s)
            await timers.run_due()
            await leak(h, resident(n), north_m=5 * n)
        clock.advance(settings.dispatch.incident_edit_interval_s)
        await timers.run_due()
        assert await in_incident(h.db, lead) == 11
        assert counts_shown(await edits_to(h, CREW_A[0], lead)) == [2, 5, 10]


async def test_a_vulnerable_person_or_a_new_address_is_worth_an_edit_other_answers_are_not(
    tmp_path: Path, clock: FakeClock, migrated: Path
) -> None:
    settings = crew_settings(tmp_path)
    interval = settings.dispatch.incident_edit_interval_s
    async with opened(settings, clock, migrated) as h:
        timers = service(h)
        lead = await leak(h, LEAD)
        await leak(h, resident(1), north_m=20)  # 2 reports: an edit
        assert len(await edits_to(h, CREW_A[0], lead)) == 1
        clock.advance(interval)
        await h.event(resident(1), EventKind.TEXT, text="Building 7")  # a new address: an edit
        edits = await edits_to(h, CREW_A[0], lead)
        assert len(edits) == 2 and "Building 7" in edits[-1].text
        steps = ("where:home", "strength:strong", "valve:closed", "unwell:no")  # nothing a crew acts on
        await tap_through(h, timers, clock, resident(1), steps, interval)
        assert len(await edits_to(h, CREW_A[0], lead)) == 2
        await h.press(resident(1), "i:f:vulnerable:elderly")  # a vulnerable person: an edit
        edits = await edits_to(h, CREW_A[0], lead)
        assert len(edits) == 3 and t("zh", "incidents.card_worst", unwell=0, vulnerable=1) in edits[-1].text


async def test_after_acceptance_the_card_is_edited_in_the_holders_chat_only(
    tmp_path: Path, clock: FakeClock, migrated: Path
) -> None:
    settings = crew_settings(tmp_path)
    async with opened(settings, clock, migrated) as h:
        timers = service(h)
        lead = await leak(h, LEAD)
        await leak(h, resident(1), north_m=10)  # 2 reports: both members' cards are edited
        assert len(await edits_to(h, CREW_A[1], lead)) == 1
        await h.press(CREW_A[0], crew_button("acc", lead))
        taken = await edits_to(h, CREW_A[1], lead)
        assert len(taken) == 2 and t("zh", "crew.taken_by", name="Wang Qiang") in taken[-1].text
        for n in range(2, 5):  # 5 reports: worth an edit, for the holder
            await leak(h, resident(n), north_m=10 * n)
        clock.advance(settings.dispatch.incident_edit_interval_s)
        await timers.run_due()
        assert counts_shown(await edits_to(h, CREW_A[0], lead))[-1] == 5
        assert await edits_to(h, CREW_A[1], lead) == taken, "the other member's card only says who took it"
        rows = [r for r in await h.outbox("dispatch_edit") if r.chat == CREW_A[1]]
        assert "dropped" not in {r.status for r in rows}, "the holder's edit does not supersede the others' news"


async def test_an_accepted_incident_escalates_no_further(tmp_path: Path, clock: FakeClock, migrated: Path) -> None:
    settings = crew_settings(tmp_path)
    async with opened(settings, clock, migrated) as h:
        timers = service(h)
        lead = await leak(h, LEAD)
        reports = [await leak(h, resident(n), north_m=10 * n) for n in range(1, 4)]
        clock.advance(30)
        await h.press(CREW_A[0], crew_button("acc", lead))
        for _ in range(6):  # well past every step of the chain
            clock.advance(settings.dispatch.ack_timeout_s)
            await timers.run_due()
        for number in (lead, *reports):
            assert (await ticket(h.db, number)).status == "accepted"
        escalated = await h.db.scalar("SELECT COUNT(*) FROM ticket_events WHERE kind = 'escalated'")
        assert escalated == 0
        assert not [r for r in await h.outbox() if r.chat in CREW_B], "no backup crew paged"
        late = await leak(h, resident(9), north_m=45)  # joins the accepted incident: nothing to escalate
        assert (await ticket(h.db, late)).status == "accepted"
        assert await h.db.scalar("SELECT COUNT(*) FROM timers WHERE kind = 'ack' AND status = 'pending'") == 0


async def test_the_first_reports_answers_edit_the_card_for_where_whom_and_how_not_for_one_kitchen(
    tmp_path: Path, clock: FakeClock, migrated: Path
) -> None:
    settings = crew_settings(tmp_path)
    interval = settings.dispatch.incident_edit_interval_s
    async with opened(settings, clock, migrated) as h:
        timers = service(h)
        lead = await leak(h, LEAD)
        await leak(h, resident(1), north_m=20)  # an incident of 2: its card is edited once
        clock.advance(interval)
        await h.event(LEAD, EventKind.TEXT, text="Building 1, Flat 501")  # where to go: worth an edit
        assert len(await edits_to(h, CREW_A[0], lead)) == 2
        steps = ("where:home", "strength:strong", "valve:closed", "unwell:no", "vulnerable:none", "since:now")
        await tap_through(h, timers, clock, LEAD, steps, interval)
        assert len(await edits_to(h, CREW_A[0], lead)) == 2, "how one kitchen smells: carried by the next edit"
        clock.advance(interval)
        await h.event(LEAD, EventKind.CONTACT, phone="+8613812345678")  # whom to call: worth an edit
        edits = await edits_to(h, CREW_A[0], lead)
        assert len(edits) == 3 and "138" in edits[-1].text
        assert t("zh", "form.valve.label") in edits[-1].text, "the edit carries what waited"


async def test_a_report_near_two_incidents_merges_them_into_one(
    tmp_path: Path, clock: FakeClock, migrated: Path
) -> None:
    settings = crew_settings(tmp_path)
    radius = settings.intake.duplicate_radius_m
    async with opened(settings, clock, migrated) as h:
        first = await leak(h, LEAD)
        second = await leak(h, resident(1), north_m=radius + 100)  # beyond the first: a card of its own
        assert set(CREW_A) <= set(await cards(h, second))
        await delivered(h, second)
        bridge = await leak(h, resident(2), north_m=(radius + 100) / 2)  # within the radius of both
        assert await cards(h, bridge) == []
        joined = await h.db.fetchall("SELECT ticket_id FROM incident_reports WHERE lead_ticket_id = ?", (first,))
        assert sorted(row[0] for row in joined) == [second, bridge], "the nearest (first) incident has them all"
        merged = await h.db.fetchall(
            "SELECT ticket_id, actor_id, data FROM ticket_events WHERE kind = 'incident_merged' ORDER BY ticket_id"
        )
        assert [(row[0], row[1]) for row in merged] == [(first, None), (second, None)], "by the bot, audited"
        assert all('"bridged": true' in row[2] for row in merged)
        withdrawn = [r.message for r in await h.outbox("dispatch_edit") if r.ticket_id == second]
        note = t("zh", "incidents.card_merged", ticket=second, into=first)
        assert withdrawn and all(isinstance(m, Edit) and note in m.text and not m.buttons for m in withdrawn)


async def test_a_merged_incidents_pin_not_sent_yet_is_not_sent_its_card_is_withdrawn(
    tmp_path: Path, clock: FakeClock, migrated: Path
) -> None:
    settings = crew_settings(tmp_path)
    radius = settings.intake.duplicate_radius_m
    async with opened(settings, clock, migrated) as h:
        first = await leak(h, LEAD)
        second = await leak(h, resident(1), north_m=radius + 100)  # its card and pin still wait in the outbox
        await leak(h, resident(2), north_m=(radius + 100) / 2)  # bridges them into the first
        pins = [r for r in await h.outbox("pin") if r.ticket_id == second]
        assert pins and {r.status for r in pins} == {"dropped"}
        withdrawn = [r for r in await h.outbox("dispatch_edit") if r.ticket_id == second]
        assert {r.chat for r in withdrawn} >= set(CREW_A), "a card perhaps on its way: its Accept is taken away"
        assert await in_incident(h.db, first) == 2


async def test_an_incident_taken_by_someone_else_is_not_merged_by_a_bridging_report(
    tmp_path: Path, clock: FakeClock, migrated: Path
) -> None:
    settings = crew_settings(tmp_path)
    radius = settings.intake.duplicate_radius_m
    async with opened(settings, clock, migrated) as h:
        first = await leak(h, LEAD)
        second = await leak(h, resident(1), north_m=radius + 100)
        third = await leak(h, resident(2), north_m=-(radius + 100))
        await h.press(CREW_A[0], crew_button("acc", second))
        await h.press(CREW_A[1], crew_button("acc", third))
        await leak(h, resident(3), north_m=(radius + 100) / 2)  # near the first and the second (taken)
        assert await h.db.scalar("SELECT lead_ticket_id FROM incident_reports WHERE ticket_id = ?", (first,)) == second
        bridge = await leak(
            h, resident(4), north_m=-(radius + 100) / 2
        )  # near the first's (now second's) and the third
        assert (await ticket(h.db, bridge)).assignee_id is not None
        assert await h.db.scalar("SELECT COUNT(*) FROM incident_reports WHERE ticket_id = ?", (third,)) == 0, (
            "two people are on their way: the desk decides"
        )


async def test_a_report_located_after_it_went_to_the_desk_joins_the_incident_nearby(
    tmp_path: Path, clock: FakeClock, migrated: Path
) -> None:
    settings = crew_settings(tmp_path)
    async with opened(settings, clock, migrated) as h:
        watch = AbandonedWatch(settings, h.db, clock, Scheduler(), lambda: None)
        lead = await leak(h, LEAD)
        late = resident(1)
        await h.text(late, "I smell gas")  # the location question waits behind a district's safety cards
        clock.advance(settings.intake.no_location_desk_s)
        await watch.run_due()
        await watch.run_due()
        number = await h.db.scalar("SELECT id FROM tickets WHERE chat = ?", (late,))
        assert (await ticket(h.db, number)).status == "followup"
        await h.event(late, EventKind.LOCATION, latitude=LAT + 30 * METRE, longitude=LON)
        assert await cards(h, number) == [] and await in_incident(h.db, lead) == 1
        told = [r.message for r in await h.outbox("resident") if r.ticket_id == number]
        assert isinstance(told[-1], Text) and told[-1].text == t(
            "en", "incidents.joined", ticket=number, hotline=settings.utility.hotline
        )
