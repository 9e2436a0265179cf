"""Hazards rectified by a deadline: recorded by the crew at resolution, the resident's notice, the
reminder before the deadline, the resident's photo, the confirmation that closes it; overdue across a restart."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.casework.deadlines import DeadlineWatch
from bot.casework.kinds import RULES, kinds
from bot.cli.purge import purge
from bot.clock import FakeClock
from bot.config.settings import Settings
from bot.i18n import t
from bot.scheduler import Scheduler
from common.events import EventKind, Text
from storage.db import Database
from storage.engines import open_database
from tests.kit.crew import SUPERVISOR, crew_settings, opened
from tests.kit.harness import Harness, button_data, texts
from tests.kit.hazards import record_hazard, resolved_ticket
from tests.kit.people import CREW_A, CREW_B, DISPATCHER, RESIDENT

LEAD = CREW_A[0]


def _watch(settings: Settings, db: Database, clock: FakeClock) -> DeadlineWatch:
    return DeadlineWatch(settings, db, clock, Scheduler(), lambda: None)


def _said(replies: list, key: str, **values: object) -> bool:  # type: ignore[type-arg]
    """Some reply (text, edit or toast) says ``key``, in either language (staff default to Chinese)."""
    said = [getattr(r, "text", "") for r in replies]
    return any(t(lang, key, **values) in said for lang in ("zh", "en"))


async def _events(db: Database, ticket: int) -> list[str]:
    rows = await db.fetchall("SELECT kind FROM ticket_events WHERE ticket_id = ? AND kind LIKE 'hazard%'", (ticket,))
    return [str(row[0]) for row in rows]


async def test_hazard_life_record_notice_reminder_photo_confirmed(
    tmp_path: Path, clock: FakeClock, migrated: Path
) -> None:
    settings = crew_settings(tmp_path)
    async with opened(settings, clock, migrated) as h:
        db = h.db
        watch = _watch(settings, db, clock)
        ticket = await resolved_ticket(h)
        hazard = await record_hazard(h, ticket, "rubber_hose_aged")
        notice = [r.message for r in await h.outbox("hazard_notice")]
        assert len(notice) == 1 and notice[0].chat == RESIDENT
        assert isinstance(notice[0], Text) and f"hz:d:{hazard}" in [b.data for row in notice[0].buttons for b in row]
        assert kinds()["rubber_hose_aged"].todo("en") in notice[0].text
        due = await db.scalar("SELECT due_at_utc FROM hazards WHERE id = ?", (hazard,))
        assert due == (clock.now() + RULES["7d"]).isoformat(timespec="microseconds")
        again = await h.press(LEAD, f"hz:r:{ticket}:rubber_hose_aged:resident")  # a double press
        assert _said(again, "hazard.already_recorded")

        clock.advance(timedelta(days=5))
        assert await watch.run_due() == 0, "no reminder yet"
        clock.advance(timedelta(days=1, seconds=1))  # a day before the deadline
        assert await watch.run_due() == 1
        assert await watch.run_due() == 0, "the reminder goes once"
        reminder = [r.message for r in await h.outbox("hazard_reminder")]
        assert [m.chat for m in reminder] == [RESIDENT]

        nosy = await h.press(CREW_B[0], f"hz:d:{hazard}")  # only the ticket's resident reports it done
        assert _said(nosy, "start.stale_button")
        await h.press(RESIDENT, f"hz:d:{hazard}")
        thanks = await h.event(RESIDENT, EventKind.PHOTO, photo="fixed-hose-photo")
        assert t("en", "hazard.photo_received", ticket=ticket) in texts(thanks)
        assert await db.scalar("SELECT status FROM hazards WHERE id = ?", (hazard,)) == "reported"
        checks = await h.outbox("hazard_check")
        asked = {r.chat for r in checks if isinstance(r.message, Text)}
        assert {LEAD, DISPATCHER, SUPERVISOR} <= asked, "the recorder and the inspectors are asked to confirm"
        assert any(getattr(r.message, "photo", None) == "fixed-hose-photo" for r in checks)

        self_confirm = await h.press(RESIDENT, f"hz:ok:{hazard}")  # the resident cannot close it
        assert _said(self_confirm, "start.stale_button")
        assert await db.scalar("SELECT status FROM hazards WHERE id = ?", (hazard,)) == "reported"
        await h.press(LEAD, f"hz:ok:{hazard}")
        assert await db.scalar("SELECT status FROM hazards WHERE id = ?", (hazard,)) == "fixed"
        assert [r.chat for r in await h.outbox("hazard_confirmed")] == [RESIDENT]

        clock.advance(timedelta(days=2))
        assert await watch.run_due() == 0, "a confirmed fix is never overdue"
        assert await _events(db, ticket) == [
            "hazard_recorded",
            "hazard_reminded",
            "hazard_reported_fixed",
            "hazard_fixed",
        ]


async def test_not_fixed_keeps_it_open(tmp_path: Path, clock: FakeClock, migrated: Path) -> None:
    settings = crew_settings(tmp_path)
    async with opened(settings, clock, migrated) as h:
        db = h.db
        ticket = await resolved_ticket(h)
        hazard = await record_hazard(h, ticket, "hose_through_wall")
        await h.press(RESIDENT, f"hz:d:{hazard}")
        await h.text(RESIDENT, "moved the cooker")
        await h.press(DISPATCHER, f"hz:no:{hazard}")
        assert await db.scalar("SELECT status FROM hazards WHERE id = ?", (hazard,)) == "open"
        told = [r.message for r in await h.outbox("hazard_not_fixed")]
        assert len(told) == 1 and f"hz:d:{hazard}" in button_data([told[0]])


async def test_overdue_across_a_restart_reaches_the_desk_list(tmp_path: Path, clock: FakeClock, migrated: Path) -> None:
    settings = crew_settings(tmp_path)
    async with opened(settings, clock, migrated) as h:
        db = h.db
        ticket = await resolved_ticket(h)
        hazard = await record_hazard(h, ticket, "direct_vent_heater", "resident")  # immediate: a day
    clock.advance(timedelta(days=2))  # the bot was down past the deadline
    db = await open_database(settings.storage)
    try:
        watch = _watch(settings, db, clock)
        await watch.start()  # start-up acts on what fell due while it was down
        await watch.stop()
        h = Harness(settings, db, clock)
        assert await _events(db, ticket) == ["hazard_recorded", "hazard_overdue"], "no reminder after the deadline"
        desk = [r for r in await h.outbox("desk") if "H" in getattr(r.message, "text", "")]
        assert {r.chat for r in desk} >= {DISPATCHER}
        assert await _watch(settings, db, clock).run_due() == 0, "told once"
        listed = await h.text(DISPATCHER, "/hazards")
        assert any("🔴" in text and f"#{ticket}" in text for text in texts(listed))
        assert f"hz:ok:{hazard}" in button_data(listed)
        opened_list = await h.text(DISPATCHER, "/open")
        assert t("en", "hazard.open_overdue", count=1) in "\n".join(texts(opened_list)), "the desk's list says so too"
        refused = await h.text(RESIDENT, "/hazards")
        assert t("en", "desk.refused") in texts(refused)
    finally:
        await db.close()


async def test_another_crew_cannot_record_a_hazard_on_a_ticket(
    tmp_path: Path, clock: FakeClock, migrated: Path
) -> None:
    settings = crew_settings(tmp_path)
    async with opened(settings, clock, migrated) as h:
        db = h.db
        ticket = await resolved_ticket(h)
        await h.press(CREW_B[0], f"hz:r:{ticket}:rubber_hose_aged:resident")
        assert await db.scalar("SELECT COUNT(*) FROM hazards") == 0
        assert await db.scalar("SELECT COUNT(*) FROM audit WHERE actor = ?", (CREW_B[0],)) == 1
        forged = await h.press(LEAD, f"hz:r:{ticket}:no_such_kind:resident")
        assert _said(forged, "start.stale_button")


def test_every_hazard_kind_has_both_languages_a_rule_and_a_source() -> None:
    for kind in kinds().values():
        assert kind.name("zh") and kind.name("en") and kind.todo("zh") and kind.todo("en")
        assert kind.rule in RULES and kind.source and kind.reviewed
    assert {"rubber_hose_aged", "direct_vent_heater", "occupation_over_pipe", "illegal_connection"} <= set(kinds())


async def test_the_purge_takes_the_residents_photo_and_keeps_the_figures(
    tmp_path: Path, clock: FakeClock, migrated: Path
) -> None:
    settings = crew_settings(tmp_path)
    async with opened(settings, clock, migrated) as h:
        ticket = await resolved_ticket(h)
        hazard = await record_hazard(h, ticket, "rubber_hose_aged")
        await h.press(RESIDENT, f"hz:d:{hazard}")
        await h.event(RESIDENT, EventKind.PHOTO, photo="photo-of-my-kitchen")
        await h.press(LEAD, f"hz:ok:{hazard}")
        clock.advance(timedelta(days=40))
        result = await purge(h.db, older_than_days=30, now=clock.now(), pause_s=0)
        assert result.tickets == 1
        row = await h.db.fetchone("SELECT photo, kind, status, fixed_at FROM hazards WHERE id = ?", (hazard,))
        assert row is not None and row[0] is None and row[1] == "rubber_hose_aged" and row[2] == "fixed" and row[3]


async def test_the_reminder_falls_due_while_the_bot_is_down(tmp_path: Path, clock: FakeClock, migrated: Path) -> None:
    settings = crew_settings(tmp_path)
    async with opened(settings, clock, migrated) as h:
        ticket = await resolved_ticket(h)
        await record_hazard(h, ticket, "restaurant_no_alarm", "business")  # 30 days
    clock.advance(timedelta(days=29, seconds=1))
    db = await open_database(settings.storage)
    try:
        watch = _watch(settings, db, clock)
        await watch.start()
        await watch.stop()
        reminders = await Harness(settings, db, clock).outbox("hazard_reminder")
        assert [r.chat for r in reminders] == [RESIDENT]
        assert t("en", "hazard.party_business") in reminders[0].message.text  # type: ignore[union-attr]
        assert await _events(db, ticket) == ["hazard_recorded", "hazard_reminded"]
    finally:
        await db.close()
