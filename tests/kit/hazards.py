"""Hazards rectified by a deadline, set up through the real flows: a resolved ticket and a recorded hazard."""

from __future__ import annotations

from tests.kit.forms import report_leak
from tests.kit.harness import Harness
from tests.kit.people import CREW_A

LEAD = CREW_A[0]


async def resolved_ticket(h: Harness) -> int:
    ticket = await report_leak(h)
    await h.press(LEAD, f"t:acc:{ticket}")
    await h.press(LEAD, f"t:site:{ticket}")
    await h.press(LEAD, f"t:res:{ticket}")
    done = await h.press(LEAD, f"t:cause:{ticket}:valve_hose")
    edits = [b.data for r in done if hasattr(r, "buttons") for row in r.buttons for b in row]  # type: ignore[attr-defined]
    assert f"hz:k:{ticket}" in edits, "the resolved card offers to record a hazard"
    return ticket


async def record_hazard(h: Harness, ticket: int, kind: str, party: str = "resident") -> int:
    listed = await h.press(LEAD, f"hz:k:{ticket}")
    assert f"hz:p:{ticket}:{kind}" in edit_buttons(listed)
    parties = await h.press(LEAD, f"hz:p:{ticket}:{kind}")
    assert f"hz:r:{ticket}:{kind}:{party}" in edit_buttons(parties)
    await h.press(LEAD, f"hz:r:{ticket}:{kind}:{party}")
    return int(await h.db.scalar("SELECT MAX(id) FROM hazards"))


def edit_buttons(replies: list) -> list[str]:  # type: ignore[type-arg]
    return [b.data for r in replies if hasattr(r, "buttons") for row in r.buttons for b in row]
