"""The dispatcher's desk, the relay between staff and resident, SLA figures."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.config.settings import Settings
from bot.dispatch import relay
from bot.dispatch.offer import JobScope
from storage.db import Database
from storage.people import PeopleRepo
from storage.tickets import TicketsRepo
from tests.kit import crew
from tests.kit.crew import crew_settings, harness, kinds, new_ticket, service, texts_to, ticket
from tests.kit.harness import button_data, texts
from tests.kit.people import CREW_A, DISPATCHER, RESIDENT
from tests.kit.settings import settings_dict


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return crew_settings(tmp_path)


def test_the_crew_settings_are_those_validated_for_the_call(tmp_path: Path) -> None:
    """``crew_settings`` copies settings validated once (tests/kit/crew.py): the same as validating them for this
    call, each call's its own to change."""
    copied = crew_settings(tmp_path)
    fresh = crew.validate_crew_settings(settings_dict(tmp_path / "hotline.sqlite3"), {})
    assert copied.model_dump(exclude={"storage"}) == fresh.model_dump(exclude={"storage"})
    assert copied.storage.path == fresh.storage.path == tmp_path / "hotline.sqlite3"
    assert (copied.storage.url is None) == (fresh.storage.url is None)  # on PostgreSQL each has a database
    copied.crews[0].members.clear()
    assert crew_settings(tmp_path).crews[0].members == fresh.crews[0].members


async def test_open_lists_by_severity_then_age_with_clocks(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await harness(settings, db, clock)
    p3 = await new_ticket(h, severity="P3", address="a")
    clock.advance(60)
    p1 = await new_ticket(h, address="b")
    clock.advance(180)
    await service(h).run_due()
    [listing] = texts(await h.text(DISPATCHER, "/open"))
    lines = listing.splitlines()
    assert lines[0] == "Open tickets (2), most urgent first:"
    assert lines[1].startswith(f"#{p1} P1") and "3 min" in lines[1] and "⚠️ accept" in lines[1]
    assert lines[2].startswith(f"#{p3} P3") and "4 min" in lines[2]


async def test_ticket_shows_the_timeline_and_sla(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await harness(settings, db, clock)
    ticket_id = await new_ticket(h)
    clock.advance(90)
    await h.press(CREW_A[0], f"t:acc:{ticket_id}")
    await h.text(DISPATCHER, f"/note {ticket_id} resident called again, smell stronger")
    [text] = texts(await h.text(DISPATCHER, f"/ticket #{ticket_id}"))
    assert "Accepted: 2 (target 2)" in text
    assert "created" in text and "accepted Wang Qiang" in text and "note Desk text=resident called again" in text
    assert "+86" not in text.split("Timeline:")[1], "no phone number in the timeline"


async def test_assign_close_and_usage(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await harness(settings, db, clock)
    ticket_id = await new_ticket(h, severity="P3")
    assert texts(await h.text(DISPATCHER, "/assign")) == ["Usage: /assign N CREW"]
    assert "There is no crew Z" in texts(await h.text(DISPATCHER, f"/assign {ticket_id} Z"))[0]
    assert texts(await h.text(DISPATCHER, "/ticket 77")) == ["There is no ticket #77."]
    await h.text(DISPATCHER, f"/assign {ticket_id} b")
    tk = await ticket(db, ticket_id)
    assert tk.status == "dispatched"
    assert {r.chat for r in await h.outbox("dispatch")} == {"1003", "1004"}
    await h.text(DISPATCHER, f"/close {ticket_id} fixed by phone advice")
    assert (await ticket(db, ticket_id)).status == "closed"
    assert "not be changed" in texts(await h.text(DISPATCHER, f"/close {ticket_id} again"))[0]
    assert (await kinds(db, ticket_id))[-1] == "closed"


async def test_relay_round_trip_without_accounts(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await harness(settings, db, clock)
    ticket_id = await new_ticket(h)
    await h.press(CREW_A[1], f"t:acc:{ticket_id}")
    await h.text(CREW_A[1], f"/msg {ticket_id} Is the gate code still 1234?")
    [to_resident] = [r.message for r in await h.outbox("relay") if r.chat == RESIDENT]
    assert "Is the gate code still 1234?" in to_resident.text  # type: ignore[union-attr]
    assert CREW_A[1] not in to_resident.text and "Li Ming" not in to_resident.text  # type: ignore[union-attr]
    assert button_data([to_resident]) == [f"r:{ticket_id}"]
    await h.press(RESIDENT, f"r:{ticket_id}")
    await h.text(RESIDENT, "Yes, and we are outside")
    back = await texts_to(h, CREW_A[1], "relay")
    assert len(back) == 1 and "Yes, and we are outside" in back[0] and RESIDENT not in back[0]
    await h.press(CREW_A[1], f"r:{ticket_id}")
    await h.text(CREW_A[1], "Two minutes")
    assert sum("Two minutes" in x for x in await texts_to(h, RESIDENT, "relay")) == 1
    assert (await kinds(db, ticket_id)).count("relay_out") == 2
    assert (await kinds(db, ticket_id)).count("relay_in") == 1


async def test_send_to_resident_for_other_features(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await harness(settings, db, clock)
    ticket_id = await new_ticket(h, severity="P4")
    async with db._transaction() as tx:
        desk = await PeopleRepo(tx).find("telegram", DISPATCHER)
        tk = await TicketsRepo(tx).get(ticket_id)
        assert desk is not None and tk is not None
        await relay.send_to_resident(JobScope(tx, settings, clock.now()), tk, desk, "Meters are read every 2 months.")
    assert any("Meters are read" in x for x in await texts_to(h, RESIDENT, "relay"))


async def test_sla_figures_per_crew(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await harness(settings, db, clock)
    ticket_id = await new_ticket(h)
    clock.advance(60)
    await h.press(CREW_A[0], f"t:acc:{ticket_id}")
    clock.advance(40 * 60)
    await h.press(CREW_A[0], f"t:site:{ticket_id}")
    await h.press(CREW_A[0], f"t:cause:{ticket_id}:repaired")
    [text] = texts(await h.text(DISPATCHER, "/sla"))
    assert "Crew A: 1 tickets · accept 1 · arrive 41 · resolve 41 · breaches 1" in text
    [one] = texts(await h.text(DISPATCHER, f"/sla {ticket_id}"))
    assert "On site: 41 (target 30) ⚠️" in one
