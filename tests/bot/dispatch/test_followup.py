"""After resolution: fixed? (No reopens the ticket and tells the crew), a 1-5 rating, an optional comment."""

from __future__ import annotations

from bot.clock import FakeClock
from bot.config.settings import Settings
from bot.i18n import t
from storage.db import Database
from tests.kit.forms import report_leak
from tests.kit.harness import Harness, button_data, texts
from tests.kit.people import CREW_A, RESIDENT

LEAD = CREW_A[0]


async def _resolve(h: Harness, ticket_id: int) -> None:
    await h.press(LEAD, f"t:acc:{ticket_id}")
    await h.press(LEAD, f"t:site:{ticket_id}")
    await h.press(LEAD, f"t:res:{ticket_id}")
    await h.press(LEAD, f"t:cause:{ticket_id}:repaired")


async def _asked(h: Harness, ticket_id: int) -> list[str]:
    rows = [r for r in await h.outbox("followup") if r.ticket_id == ticket_id]
    return [b.data for r in rows for row in r.message.buttons for b in row]  # type: ignore[union-attr]


async def test_fixed_then_rating_and_comment(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await Harness(settings, db, clock).setup()
    ticket_id = await report_leak(h)
    await _resolve(h, ticket_id)
    assert await _asked(h, ticket_id) == [f"f:y:{ticket_id}", f"f:n:{ticket_id}"]
    rate = await h.press(RESIDENT, f"f:y:{ticket_id}")
    assert f"f:r:{ticket_id}:5" in button_data(rate)
    again = await h.press(RESIDENT, f"f:y:{ticket_id}")
    assert any(getattr(r, "text", "") == t("en", "followup.already_answered") for r in again)
    comment = await h.press(RESIDENT, f"f:r:{ticket_id}:4")
    assert t("en", "followup.comment_ask") in texts(comment)
    thanks = await h.text(RESIDENT, "Quick and polite, thank you")
    assert t("en", "followup.thanks") in texts(thanks)
    row = (await db.fetchall("SELECT fixed, stars, comment FROM feedback WHERE ticket_id = ?", (ticket_id,)))[0]
    assert tuple(row) == (1, 4, "Quick and polite, thank you")
    assert await db.scalar("SELECT status FROM tickets WHERE id = ?", (ticket_id,)) == "resolved"


async def test_rating_without_comment(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await Harness(settings, db, clock).setup()
    ticket_id = await report_leak(h)
    await _resolve(h, ticket_id)
    await h.press(RESIDENT, f"f:y:{ticket_id}")
    await h.press(RESIDENT, f"f:r:{ticket_id}:5")
    done = await h.press(RESIDENT, f"f:c:{ticket_id}")
    assert t("en", "followup.thanks") in texts(done)
    assert await db.scalar("SELECT COUNT(*) FROM conversations WHERE user_ref = ?", (RESIDENT,)) == 0
    assert await db.scalar("SELECT stars FROM feedback WHERE ticket_id = ?", (ticket_id,)) == 5


async def test_not_fixed_reopens_and_tells_the_crew(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await Harness(settings, db, clock).setup()
    ticket_id = await report_leak(h)
    await _resolve(h, ticket_id)
    replies = await h.press(RESIDENT, f"f:n:{ticket_id}")
    assert t("en", "followup.reopened", ticket=ticket_id, hotline="96777") in texts(replies)
    assert await db.scalar("SELECT status FROM tickets WHERE id = ?", (ticket_id,)) == "accepted"
    told = await h.outbox("reopened")
    assert [row.chat for row in told] == [LEAD]
    assert f"t:res:{ticket_id}" in [b.data for row in told[0].message.buttons for b in row]  # type: ignore[union-attr]
    # the crew resolves again: the resident is asked again
    await h.press(LEAD, f"t:res:{ticket_id}")
    await h.press(LEAD, f"t:cause:{ticket_id}:repaired")
    assert await db.scalar("SELECT status FROM tickets WHERE id = ?", (ticket_id,)) == "resolved"
    assert len(await _asked(h, ticket_id)) == 4
    await h.press(RESIDENT, f"f:y:{ticket_id}")
    assert await db.scalar("SELECT fixed FROM feedback WHERE ticket_id = ?", (ticket_id,)) == 1


async def test_someone_elses_or_forged_feedback_buttons(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await Harness(settings, db, clock).setup()
    ticket_id = await report_leak(h)
    await _resolve(h, ticket_id)
    await h.press("5002", f"f:n:{ticket_id}")
    await h.press(RESIDENT, f"f:r:{ticket_id}:5")  # no rating before "fixed"
    await h.press(RESIDENT, "f:y:999")
    assert await db.scalar("SELECT status FROM tickets WHERE id = ?", (ticket_id,)) == "resolved"
    assert await db.scalar("SELECT stars FROM feedback WHERE ticket_id = ?", (ticket_id,)) is None
    assert await db.scalar("SELECT COUNT(*) FROM audit WHERE action = 'followup_button'") == 2


async def test_status_shows_state_and_timeline(settings: Settings, db: Database, clock: FakeClock) -> None:
    h = await Harness(settings, db, clock).setup()
    ticket_id = await report_leak(h)
    clock.advance(60)
    await h.press(LEAD, f"t:acc:{ticket_id}")
    status = "\n".join(texts(await h.text(RESIDENT, "/status")))
    assert f"#{ticket_id}" in status and t("en", "status.accepted") in status
    for kind in ("created", "dispatched", "accepted"):
        assert t("en", f"status.ev_{kind}") in status
    assert "10:01" in status, "times in the utility's zone"
