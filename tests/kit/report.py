"""November 2026 in Shanghai (UTC+8, no daylight saving), made through the real flows on a real SQLite
file with a fake clock: the tickets the report tests count by hand (see ``EXPECTED`` in test_figures.py).

Local times (Asia/Shanghai); crew A is on duty 08:00-20:00, crew B 20:00-08:00:
  T1 leak P1        Tue 11-03 10:00  accepted +1 min, on site +20, resolved +50 (repaired), rated 5
  T2 leak P1        Tue 11-10 10:00  accepted +3 min, on site +40 (late), resolved +100 (no leak), rated 3,
                                     an arrival SLA breach flagged
  T3 co P2          Tue 11-17 10:00  accepted +2 min, on site +45, resolved +75; feedback asked, not rated;
                                     outside every district
  T4 excavation P1  Mon 11-30 23:30  accepted +1 min, on site +25, resolved +60 on 12-01 (third party), rated 4
  T5 leak P1        Tue 12-01 00:10  (still 11-30 in UTC): December's, not November's
  T6 leak P1        Sun 11-01 07:30  (still 10-31 in UTC): November's; never accepted, escalated twice
  T7 leak P1        Sun 11-01 07:35  beside T6 while it is open: probably the same incident, counted once
  C1 complaint P4   Fri 11-06 17:00  answered Mon 11-09 16:00 (the next working day): on time
  C2 complaint P4   Wed 11-11 09:00  answered Fri 11-13 09:00 (after Thu 11-12 ended): late
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.config.settings import Settings
from bot.dispatch.offer import JobScope
from bot.dispatch.sla import flag_breach
from storage.tickets import TicketsRepo
from tests.kit.crew import crew_settings, ticket
from tests.kit.crew import new_ticket as kit_ticket
from tests.kit.harness import Harness
from tests.kit.people import CREW_A, CREW_B, DISPATCHER

SHANGHAI = ZoneInfo("Asia/Shanghai")
HUANGPU = (31.2304, 121.4737)
ELSEWHERE = (31.40, 121.70)
DISTRICTS = [{"name": "Huangpu", "boxes": [[31.20, 121.40, 31.26, 121.50]]}]


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def report_settings(tmp_path: Path, **extra: Any) -> Settings:
    rota = {"crews": ["A", "B"], "shift_hours": 12, "anchor": "2026-10-05T08:00:00"}  # before the scenario
    return crew_settings(tmp_path, districts=DISTRICTS, rota=rota, **extra)


async def new_ticket(
    h: Harness, user: str, at: datetime, category: str, severity: str, where: tuple[float, float] | None
) -> int:
    """A ticket committed and routed at ``at`` as the intake commits and routes one (duplicates marked, dispatch)."""
    h.clock.set(at)
    return await kit_ticket(h, severity=severity, user=user, category=category, where=where, mark_duplicates=True)


async def crew_works(h: Harness, ticket_id: int, *, accept: float, arrive: float, resolve: float, cause: str) -> None:
    """The crew on duty accepts, is on site and resolves, ``accept`` / ``arrive`` / ``resolve`` min after the report."""
    found = await ticket(h.db, ticket_id)
    lead = CREW_A[0] if found.crew_id == 1 else CREW_B[0]
    start = found.created_at
    h.clock.set(start + timedelta(minutes=accept))
    await h.press(lead, f"t:acc:{ticket_id}")
    h.clock.set(start + timedelta(minutes=arrive))
    await h.press(lead, f"t:site:{ticket_id}")
    h.clock.set(start + timedelta(minutes=resolve))
    await h.press(lead, f"t:res:{ticket_id}")
    await h.press(lead, f"t:cause:{ticket_id}:{cause}")
    done = await ticket(h.db, ticket_id)
    assert done.status == "resolved" and done.resolved_at == start + timedelta(minutes=resolve)


async def rate(h: Harness, user: str, ticket_id: int, stars: int | None) -> None:
    await h.press(user, f"f:y:{ticket_id}")
    if stars is not None:
        await h.press(user, f"f:r:{ticket_id}:{stars}")


# (name, resident, reported, category, severity, where, minutes to accept / arrive / resolve, cause, stars)
WORKED = [
    ("T1", "6001", "2026-11-03T10:00", "leak", "P1", HUANGPU, (1, 20, 50), "repaired", 5),
    ("T2", "6002", "2026-11-10T10:00", "leak", "P1", HUANGPU, (3, 40, 100), "no_leak", 3),
    ("T3", "6003", "2026-11-17T10:00", "co", "P2", ELSEWHERE, (2, 45, 75), "valve_hose", None),
    ("T4", "6004", "2026-11-30T23:30", "excavation", "P1", HUANGPU, (1, 25, 60), "third_party", 4),
]
COMPLAINTS = [
    ("C1", "6101", "2026-11-06T17:00", "2026-11-09T16:00"),
    ("C2", "6102", "2026-11-11T09:00", "2026-11-13T09:00"),
]


async def november(h: Harness) -> dict[str, int]:
    ids: dict[str, int] = {}
    ids["T6"] = await new_ticket(h, "6006", local("2026-11-01T07:30"), "leak", "P1", HUANGPU)
    ids["T7"] = await new_ticket(h, "6007", local("2026-11-01T07:35"), "leak", "P1", HUANGPU)
    for minutes in (2, 5):  # T6's escalation steps, as the escalation job records them
        async with h.db._transaction() as tx:
            at = local("2026-11-01T07:30") + timedelta(minutes=minutes)
            await TicketsRepo(tx).event(ids["T6"], "escalated", now=at, actor_id=None, level=minutes)

    for name, user, at, category, severity, where, minutes, cause, stars in WORKED:
        ids[name] = await new_ticket(h, user, local(at), category, severity, where)
        await crew_works(h, ids[name], accept=minutes[0], arrive=minutes[1], resolve=minutes[2], cause=cause)
        await rate(h, user, ids[name], stars)
    async with h.db._transaction() as tx:
        scope = JobScope(tx=tx, settings=h.settings, now=local("2026-11-10T10:41"))
        assert await flag_breach(scope, await TicketsRepo(tx).get(ids["T2"]), "arrive", notify=False)  # type: ignore[arg-type]

    for name, user, at, answered in COMPLAINTS:
        ids[name] = await new_ticket(h, user, local(at), "complaint", "P4", None)
        h.clock.set(local(answered))
        await h.text(DISPATCHER, f"/msg {ids[name]} We are looking into it")

    ids["T5"] = await new_ticket(h, "6005", local("2026-12-01T00:10"), "leak", "P1", ELSEWHERE)
    return ids
