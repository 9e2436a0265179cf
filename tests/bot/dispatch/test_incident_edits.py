"""Incidents as a crew would want them in a district-wide leak: reports chain into one incident (within the
radius of any of its reports), its card is edited only for what is worth an edit (the count alone at 2, 5,
10, ...; a vulnerable person, a new address), after acceptance in the holder's chat only, and an accepted
incident escalates no further. Fake clock."""

from __future__ import annotations

from pathlib import Path

from bot.clock import FakeClock
from bot.dispatch.buttons import crew_button
from bot.i18n import t
from common.events import Edit, EventKind
from tests.bot.dispatch.test_incidents import LEAD, cards, in_incident, leak, resident
from tests.kit.crew import CREW_A, CREW_B, crew_settings, opened, service, ticket
from tests.kit.harness import Harness


async def edits_to(h: Harness, chat: str, lead: int) -> list[Edit]:
    rows = [r for r in await h.outbox("dispatch_edit") if r.chat == chat and r.ticket_id == lead]
    return [r.message for r in rows if isinstance(r.message, Edit)]


def counts_shown(edits: list[Edit], upto: int = 30) -> list[int]:
    """The number of reports each edit shows."""
    return [n for edit in edits for n in range(2, upto) if t("zh", "incidents.card_reports", count=n) in edit.text]


async def test_a_chain_of_neighbours_is_one_incident_and_a_report_beyond_every_one_gets_its_own_card(
    tmp_path: Path, clock: FakeClock
) -> None:
    settings = crew_settings(tmp_path)
    radius = settings.intake.duplicate_radius_m
    async with opened(settings, clock) as h:
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


async def test_the_count_alone_edits_the_card_at_2_5_and_10_reports(tmp_path: Path, clock: FakeClock) -> None:
    settings = crew_settings(tmp_path)
    async with opened(settings, clock) as h:
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
    tmp_path: Path, clock: FakeClock
) -> None:
    settings = crew_settings(tmp_path)
    interval = settings.dispatch.incident_edit_interval_s
    async with opened(settings, clock) as h:
        timers = service(h)
        lead = await leak(h, LEAD)
        await leak(h, resident(1), north_m=20)  # 2 reports: an edit
        assert len(await edits_to(h, CREW_A[0], lead)) == 1
        clock.advance(interval)
        await h.event(resident(1), EventKind.TEXT, text="Building 7")  # a new address: an edit
        edits = await edits_to(h, CREW_A[0], lead)
        assert len(edits) == 2 and "Building 7" in edits[-1].text
        for step in ("where:home", "strength:strong", "valve:closed", "unwell:no"):  # nothing a crew acts on
            clock.advance(interval)
            await h.press(resident(1), f"i:f:{step}")
            await timers.run_due()
        assert len(await edits_to(h, CREW_A[0], lead)) == 2
        await h.press(resident(1), "i:f:vulnerable:elderly")  # a vulnerable person: an edit
        edits = await edits_to(h, CREW_A[0], lead)
        assert len(edits) == 3 and t("zh", "incidents.card_worst", unwell=0, vulnerable=1) in edits[-1].text


async def test_after_acceptance_the_card_is_edited_in_the_holders_chat_only(tmp_path: Path, clock: FakeClock) -> None:
    settings = crew_settings(tmp_path)
    async with opened(settings, clock) as h:
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


async def test_an_accepted_incident_escalates_no_further(tmp_path: Path, clock: FakeClock) -> None:
    settings = crew_settings(tmp_path)
    async with opened(settings, clock) as h:
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
