"""Duplicates are never merged silently: the same resident's second report is added to their open
ticket; a report near an open P1 is its own ticket, marked as probably the same incident."""

from __future__ import annotations

from bot.clock import FakeClock
from bot.config.settings import Settings
from bot.i18n import t
from common.events import EventKind
from storage.db import Database
from tests.kit.crew import new_ticket
from tests.kit.forms import fill_leak_form, report
from tests.kit.harness import Harness, texts
from tests.kit.people import CREW_A, RESIDENT

NEIGHBOUR = "5002"


async def _leak(h: Harness, user: str, lat: float = 31.2304, lon: float = 121.4737) -> None:
    await h.text(user, "I smell gas")
    await h.event(user, EventKind.LOCATION, latitude=lat, longitude=lon)
    await fill_leak_form(h, user, start_at="address")


async def test_second_report_of_the_same_resident_is_added(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await Harness(settings, db, clock).setup()
    await _leak(h, RESIDENT)
    clock.advance(120)
    await h.text(RESIDENT, "I smell gas again, stronger")
    replies = await h.event(RESIDENT, EventKind.LOCATION, latitude=31.2304, longitude=121.4737)
    assert t("en", "duplicates.attached", ticket=1, hotline="96777") in texts(replies)
    assert await db.scalar("SELECT COUNT(*) FROM tickets") == 1
    assert await db.scalar("SELECT COUNT(*) FROM ticket_events WHERE ticket_id = 1 AND kind = 'attached'") == 1
    told = {row.chat for row in await h.outbox("attached")}
    assert set(CREW_A) <= told, "the crew that has the ticket is told"
    assert await db.scalar("SELECT COUNT(*) FROM conversations") == 0


async def test_a_more_urgent_report_is_not_buried_in_an_open_service_ticket(
    settings: Settings, db: Database, clock: FakeClock
) -> None:
    h = await Harness(settings, db, clock).setup()
    await report(h, RESIDENT, "meter")
    await _leak(h, RESIDENT)
    assert await db.scalar("SELECT COUNT(*) FROM tickets") == 2
    assert await db.scalar("SELECT severity FROM tickets WHERE id = 2") == "P1"
    assert await db.scalar("SELECT related_id FROM ticket_links WHERE ticket_id = 2 AND kind = 'follows'") == 1


async def test_report_near_an_open_p1_joins_its_incident(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await Harness(settings, db, clock).setup()
    await _leak(h, RESIDENT)
    clock.advance(300)
    await _leak(h, NEIGHBOUR, 31.2305, 121.4738)  # about 15 m away, 5 minutes later
    assert await db.scalar("SELECT COUNT(*) FROM tickets") == 2, "each report is a ticket of its own"
    rows = await db.fetchall("SELECT ticket_id, lead_ticket_id, distance_m FROM incident_reports")
    assert [(r[0], r[1]) for r in rows] == [(2, 1)]
    assert 5 < rows[0][2] < 30
    assert [row for row in await h.outbox("dispatch") if row.ticket_id == 2] == [], "the incident's card carries it"
    assert await h.outbox("probable_same") == [], "no message per pair of reports"


async def test_a_report_near_an_open_p1_that_does_not_join_is_marked_probably_the_same(
    settings: Settings, db: Database, clock: FakeClock
) -> None:
    h = await Harness(settings, db, clock).setup()
    await new_ticket(h, user=RESIDENT)
    clock.advance(300)
    await new_ticket(h, user=NEIGHBOUR, where=(31.2305, 121.4738), mark_duplicates=True)
    rows = await db.fetchall("SELECT ticket_id, related_id, kind, distance_m FROM ticket_links")
    assert [(r[0], r[1], r[2]) for r in rows] == [(2, 1, "probable_same")]
    assert 5 < rows[0][3] < 30
    cards = [row for row in await h.outbox("dispatch") if row.ticket_id == 2]
    assert {row.chat for row in cards} >= set(CREW_A)
    assert all("#1" in row.message.text.split("\n")[-1] for row in cards)  # type: ignore[union-attr]


async def test_far_or_late_reports_are_not_marked(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await Harness(settings, db, clock).setup()
    await _leak(h, RESIDENT)
    await _leak(h, NEIGHBOUR, 31.2404, 121.4737)  # about 1.1 km away
    clock.advance(settings.intake.duplicate_window_min * 60 + 60)
    await _leak(h, "5003")  # the same spot, but after the window
    assert await db.scalar("SELECT COUNT(*) FROM ticket_links WHERE kind = 'probable_same'") == 0


async def test_a_report_in_a_crowded_district_is_linked_to_the_nearest_within_the_radius(
    settings: Settings, db: Database, clock: FakeClock
) -> None:
    h = await Harness(settings, db, clock).setup()
    lat, lon, metre = 31.2304, 121.4737, 1 / 111_320
    await new_ticket(h, user="5100", where=(lat + 140 * metre, lon + 140 * metre * 1.17))  # the box's corner, ~198 m
    for n, north_m in enumerate((120, 100, 80, 60, 40, 20)):  # reported farthest first
        await new_ticket(h, user=str(5101 + n), where=(lat + north_m * metre, lon))
    await new_ticket(h, user=RESIDENT, where=(lat, lon), mark_duplicates=True)
    rows = await db.fetchall("SELECT related_id, distance_m FROM ticket_links WHERE ticket_id = 8 ORDER BY distance_m")
    assert [row[0] for row in rows] == [7, 6, 5, 4, 3], "the five nearest, nearest first"
    assert [round(row[1]) for row in rows] == [20, 40, 60, 80, 100]
