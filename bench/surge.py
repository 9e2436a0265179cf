"""Intake surge: many residents each complete a full leak report at the same time, against the whole
bot (its database, outbox and lane included). Measured at the stand-in: resident updates/s, reports/s,
and the time from each resident's location (the update that commits and dispatches the ticket) to the
first dispatch card of its ticket in a crew chat (for the reports that have a card of their own: most of a
surge from one district joins the incident of the first report nearby, whose card the crews have).

Each simulated resident acts like a person: one action, then waits for the bot's answer, then the next.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.standin import Peer, Standin, now
from bot.cli.demo import LEAD, MEMBER, OTHER_CREW
from sandbox.botworld import ChatMessage

# (action, argument, bot messages expected in answer)
STEPS: tuple[tuple[str, str, int], ...] = (
    ("text", "/start", 1),
    ("text", "There is a strong smell of gas in my kitchen", 1),  # the safety card, which asks where
    ("location", "", 1),
    ("text", "Building 3, Unit 2, Flat 501", 1),
    ("tap", "i:f:where:home", 1),
    ("tap", "i:f:strength:strong", 1),
    ("tap", "i:f:valve:closed", 1),
    ("tap", "i:f:unwell:no", 1),
    ("tap", "i:f:vulnerable:none", 1),
    ("tap", "i:f:since:now", 1),
    ("contact", "+8613812345678", 1),
    ("text", "Door code 1234", 1),
    ("tap", "i:f:photos:-", 1),
)
DISPATCH_AT = 2  # the location: the ticket is committed and dispatched; the receipt "Ticket #N" answers it
UPDATES_PER_REPORT = len(STEPS)
_TICKET = re.compile(r"#(\d+)")
FIRST_RESIDENT = 100_000
DRAIN_QUIET_S = 2.0  # the crews' chats are drained when nothing was sent for this long


@dataclass
class SurgeResult:
    residents: int
    reports: int = 0
    updates: int = 0
    elapsed_s: float = 0.0
    last_receipt_s: float = 0.0
    latencies_s: list[float] = field(default_factory=list)
    peak_rss_mb: float | None = None
    peer_cpu_s: float | None = None
    failures: list[str] = field(default_factory=list)

    @property
    def updates_per_s(self) -> float:
        return self.updates / self.elapsed_s if self.elapsed_s else 0.0

    @property
    def cpu_s_per_update(self) -> float | None:
        return self.peer_cpu_s / self.updates if self.peer_cpu_s is not None and self.updates else None

    @property
    def reports_per_s(self) -> float:
        return self.reports / self.last_receipt_s if self.last_receipt_s else 0.0


async def _act(standin: Standin, user: int, action: str, arg: str, message_id: int = 0) -> None:
    sb = standin.sandbox
    if action == "text":
        await sb.send_text(user, arg)
    elif action == "location":
        await sb.send_location(user, 31.2304 + user % 1000 / 1e5, 121.4737)
    elif action == "contact":
        await sb.send_contact(user, arg, first_name="Resident")
    else:
        await sb.press_button(user, message_id, data=arg)


async def _find(
    standin: Standin, user: int, since: int, wanted: Callable[[ChatMessage], bool], timeout_s: float
) -> int:
    """Index of the first bot message in ``user``'s chat from ``since`` that is ``wanted`` (waiting for it)."""
    while True:
        messages = standin.sandbox.messages(user)
        for index in range(since, len(messages)):
            if wanted(messages[index]):
                return index
        await standin.wait_count(user, len(messages) + 1, timeout_s)


def _has_button(data: str) -> Callable[[ChatMessage], bool]:
    return lambda message: any(button.get("callback_data") == data for button in message.buttons())


async def _resident(standin: Standin, user: int, gate: asyncio.Event | None, step_timeout_s: float) -> float:
    """Plays one resident's whole report; returns when the location (the dispatching update) was sent.

    A tap presses the button on the first message (after the last one tapped) that carries it; any
    other action waits for at least one answer before the next."""
    cursor = 0
    located_at = 0.0
    for step, (action, arg, _) in enumerate(STEPS):
        if step == DISPATCH_AT:
            if gate is not None:
                await gate.wait()
            located_at = now()
        if action == "tap":
            index = await _find(standin, user, cursor, _has_button(arg), step_timeout_s)
            cursor = index + 1
            await _act(standin, user, action, arg, standin.sandbox.messages(user)[index].message_id)
        else:
            before = standin.counts[user]
            await _act(standin, user, action, arg)
            await standin.wait_count(user, before + 1, step_timeout_s)
    await _find(standin, user, cursor, lambda m: bool(_TICKET.search(m.text or "")), step_timeout_s)
    return located_at


def _first_dispatch(standin: Standin) -> dict[int, float]:
    """Ticket number -> when its first dispatch card reached the stand-in (any crew chat)."""
    first: dict[int, float] = {}
    for chat in (LEAD, MEMBER, OTHER_CREW):
        for message in standin.sandbox.messages(chat):
            for button in message.buttons():
                data = str(button.get("callback_data", ""))
                if data.startswith("t:acc:"):
                    ticket = int(data.rsplit(":", 1)[1])
                    first[ticket] = min(first.get(ticket, message.sent_at), message.sent_at)
    return first


async def run_surge(
    db_path: Path,
    *,
    latency_ms: float,
    residents: int,
    pace_per_s: float | None = None,
    drain_timeout_s: float = 180.0,
) -> SurgeResult:
    """``residents`` reports at once; with ``pace_per_s`` the locations are released at that rate
    (after every resident was asked for one), to measure dispatch while under the cap."""
    result = SurgeResult(residents)
    async with Standin(latency_ms) as standin, Peer("hotline", str(db_path)) as peer:
        sb = standin.sandbox
        for user_id in (LEAD, MEMBER, OTHER_CREW):
            sb.create_user(user_id, first_name=f"Crew {user_id}", language_code="en")
        users = [FIRST_RESIDENT + i for i in range(residents)]
        for user_id in users:
            sb.create_user(user_id, first_name=f"Resident {user_id}", language_code="en")
        await peer.start(standin.root)
        await sb.wait_idle(quiet_s=0.2, timeout_s=10)
        gates: list[asyncio.Event | None] = [asyncio.Event() for _ in users] if pace_per_s else [None] * residents
        cpu_before = peer.cpu_s()
        started = now()
        tasks = [
            asyncio.create_task(_resident(standin, user, gate, step_timeout_s=120))
            for user, gate in zip(users, gates, strict=True)
        ]
        if pace_per_s:
            await _release_paced(standin, users, gates, pace_per_s)
        outcomes = await asyncio.gather(*tasks, return_exceptions=True)
        result.last_receipt_s = now() - started
        cpu_after = peer.cpu_s()
        if cpu_before is not None and cpu_after is not None:
            result.peer_cpu_s = cpu_after - cpu_before  # the bot's own CPU while the residents reported
        located: dict[int, float] = {}
        for user, outcome in zip(users, outcomes, strict=True):
            if isinstance(outcome, BaseException):
                result.failures.append(f"resident {user}: {type(outcome).__name__}")
                continue
            match = next((m for text in reversed(sb.texts(user)) if (m := _TICKET.search(text))), None)
            if match:
                located[int(match.group(1))] = outcome
        result.reports = len(located)
        result.updates = UPDATES_PER_REPORT * result.reports
        last_reply = max((m.sent_at for user in users for m in sb.messages(user)), default=started)
        result.elapsed_s = (last_reply - started) if not pace_per_s else result.last_receipt_s
        # a report goes to the crew on duty as its own card and map pin, or joins a nearby report's incident
        # (whose card is edited at most every [dispatch] incident_edit_interval_s): wait for the crews' chats
        # to go quiet, not for a card per report
        try:
            await sb.wait_idle(quiet_s=DRAIN_QUIET_S, timeout_s=drain_timeout_s)
        except TimeoutError:
            print(f"  crew chats not drained within {drain_timeout_s:.0f} s; latencies of what arrived", flush=True)
        dispatched = _first_dispatch(standin)
        result.latencies_s = [dispatched[t] - at for t, at in located.items() if t in dispatched]
        result.peak_rss_mb = peer.peak_rss_mb()
        if result.failures or not located:
            print(
                f"  {len(result.failures)} residents failed, e.g. {result.failures[:3]}; peer log:\n{peer.log_tail()}"
            )
    return result


async def _release_paced(standin: Standin, users: list[int], gates: list[asyncio.Event | None], rate: float) -> None:
    """Wait until every resident is asked for a location, then open their gates ``rate`` per second."""

    def asks_location(message: ChatMessage) -> bool:
        markup = message.sent_markup or message.reply_markup or {}
        return any(isinstance(k, dict) and k.get("request_location") for row in markup.get("keyboard", []) for k in row)

    await asyncio.gather(*(_find(standin, user, 0, asks_location, 120) for user in users))
    loop = asyncio.get_running_loop()
    start = loop.time()
    for index, gate in enumerate(gates):
        assert gate is not None
        delay = start + index / rate - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        gate.set()
