"""A district-wide leak under Telegram's real limits: the stand-in enforces them (30 messages/s overall,
1/s per private chat with a burst of 3, 20/min per group, edits counted like sends, 429 with
``retry_after`` beyond them) and the bot runs with its own outbound defaults.

``residents`` residents of one district each write a danger text at a random moment within
``spread_s`` and then answer the whole form as people do, ``think_s`` (a range) before each answer;
``unwell_share`` of them (1 in 100) answer that someone is unwell, which a crew must act on by itself: each of
those reports gets a card of its own, out of its incident.
Where they are: a leak's smell reaches the homes around it, so each resident's pin is drawn uniformly over
a disc of ``area_radius_m`` (300 m: a neighbourhood of blocks about 600 m across) around the leak, place and
moment independent (the nearest do not write first). The crews (``bench.crews``) press Accept on a card
``accept_s`` (a range) after it reached their chat.
Measured at the stand-in: the time from each text to its safety card and to the first question; the time
until every report is on a ticket whose card reached a crew chat; the time from each text until its ticket
was accepted (a joined report: with its incident); every message the crews received, by kind.
The run stops once every report is on an accepted ticket and every report of someone unwell has its own card
at a crew chat (the forms still under way are left there), or at ``budget_s`` after the first text: what did
not happen by then is reported as such.

The physical bound: at 30 messages/s the k-th safety card cannot arrive before k/30 s.
"""

from __future__ import annotations

import asyncio
import bisect
import json
import math
import random
import sqlite3
from collections import Counter
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bench.crews import Crews, accepted_at, crew_kinds
from bench.district_rows import DistrictResult
from bench.standin import Peer, Standin, now
from bench.surge import _TICKET, STEPS, _act, _find, _has_button
from bot.cli.demo import LEAD, MEMBER, OTHER_CREW
from bot.danger.cards import gas_card
from bot.i18n import t
from sandbox import RateLimits

DANGER_TEXT = "There is a strong smell of gas in my kitchen"
FORM = STEPS[2:]  # after /start and the danger text: location, address, the taps, contact, note, photos
FIRST_RESIDENT = 300_000
CARD_DUE_S = 0.25  # a card counts as waiting from this long after its text (reading it, composing the card)
LEAK = (31.2304, 121.4737)  # where the main broke
ACCEPT_WITHIN_S = 120.0  # the target: every report on an accepted incident within 2 minutes of its text
WHERE = t("en", "form.location.ask")  # the first question: on the safety card itself, after its advice
UNWELL = ("i:f:unwell:no", "i:f:unwell:yes")  # the form's answer, and that of a resident with someone unwell
UNWELL_AT = next(n for n, (_, arg, _) in enumerate(FORM) if arg == UNWELL[0])


def pin_near(rng: random.Random, radius_m: float) -> tuple[float, float]:
    """A point drawn uniformly over the disc of ``radius_m`` around the leak."""
    distance, angle = radius_m * math.sqrt(rng.random()), rng.uniform(0, 2 * math.pi)
    north, east = distance * math.cos(angle), distance * math.sin(angle)
    return LEAK[0] + north / 111_320, LEAK[1] + east / (111_320 * math.cos(math.radians(LEAK[0])))


@dataclass
class Resident:
    user: int
    pin: tuple[float, float] = LEAK
    sent_at: float = 0.0
    card_at: float | None = None
    question_at: float | None = None
    ticket: int | None = None
    answered: int = 0
    unwell: bool = False  # answers that someone is unwell


async def _resident(
    standin: Standin, rec: Resident, delay_s: float, rng: random.Random, think_s: tuple[float, float]
) -> None:
    sb = standin.sandbox
    await asyncio.sleep(delay_s)
    card = gas_card("en")
    cursor = len(sb.messages(rec.user))  # the bot's messages in the chat
    rec.sent_at = now()
    await sb.send_text(rec.user, DANGER_TEXT)
    # the safety card, which asks the first question after its advice (else the next message does)
    index = await _find(standin, rec.user, cursor, lambda m: (m.text or "").startswith(card), 3600)
    rec.card_at = sb.messages(rec.user)[index].sent_at
    if WHERE in (sb.messages(rec.user)[index].text or ""):
        rec.question_at = rec.card_at
    else:
        asked = await _find(standin, rec.user, index + 1, lambda m: True, 3600)
        rec.question_at = sb.messages(rec.user)[asked].sent_at
    cursor = index + 1
    for action, arg, _ in FORM:
        await asyncio.sleep(rng.uniform(*think_s))
        if rec.unwell and arg == UNWELL[0]:
            arg = UNWELL[1]
        if action == "tap":
            found = await _find(standin, rec.user, cursor, _has_button(arg), 3600)
            cursor = found + 1
            await _act(standin, rec.user, action, arg, sb.messages(rec.user)[found].message_id)
        elif action == "location":
            before = standin.counts[rec.user]
            await sb.send_location(rec.user, *rec.pin)
            await standin.wait_count(rec.user, before + 1, 3600)
        else:
            before = standin.counts[rec.user]
            await _act(standin, rec.user, action, arg)
            await standin.wait_count(rec.user, before + 1, 3600)
        rec.answered += 1
        if rec.ticket is None:
            rec.ticket = _ticket_of(standin, rec.user)


def _told(crews: Crews, db_path: Path) -> dict[int, float]:
    """Ticket -> when a crew chat first had its card: its own, or for a report that joined an incident, its
    incident's (from the moment it joined: ``incident_reports.joined_at``, wall time like the stand-in's; a
    report split out since, from its ``incident_joined`` event)."""
    told = dict(crews.first_card)
    with closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)) as conn:
        joined = conn.execute("SELECT ticket_id, lead_ticket_id, joined_at FROM incident_reports").fetchall()
        # a report split out of its incident (someone unwell) was on it from its join: its first lead's card
        split = conn.execute(
            "SELECT j.ticket_id, j.data, j.at FROM ticket_events j JOIN ticket_events s"
            " ON s.ticket_id = j.ticket_id AND s.kind = 'incident_split' WHERE j.kind = 'incident_joined'"
        ).fetchall()
    joined += [(ticket, json.loads(data)["incident"], at) for ticket, data, at in split]
    for ticket, lead, joined_at in joined:
        if lead in told:
            told[ticket] = max(told[lead], datetime.fromisoformat(joined_at).timestamp())
    return told


def _own_cards(db_path: Path, tickets: set[int]) -> set[int]:
    """The tickets among ``tickets`` whose own card (not their incident's) reached a crew chat."""
    with closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)) as conn:
        rows = conn.execute(
            "SELECT DISTINCT ticket_id FROM outbox WHERE purpose IN ('dispatch', 'backup') AND status = 'sent'"
        ).fetchall()
    return {ticket for (ticket,) in rows} & tickets


def _unwell_pending(people: list[Resident], db_path: Path) -> bool:
    """A resident with someone unwell has not answered so yet, or their report has no card of its own yet."""
    unwell = [rec for rec in people if rec.unwell]
    if any(rec.answered <= UNWELL_AT for rec in unwell):
        return True
    tickets = {rec.ticket for rec in unwell if rec.ticket is not None}
    return _own_cards(db_path, tickets) != tickets


def _ticket_of(standin: Standin, user: int) -> int | None:
    for message in standin.sandbox.messages(user):
        if message.from_bot and (match := _TICKET.search(message.text or "")):
            return int(match.group(1))
    return None


async def run_district(
    db_path: Path,
    *,
    latency_ms: float,
    residents: int,
    spread_s: float = 10.0,
    think_s: tuple[float, float] = (1.0, 3.0),
    budget_s: float = 240.0,
    seed: int = 20,
    paid: bool = False,
    area_radius_m: float = 300.0,
    accept_s: tuple[float, float] = (20.0, 60.0),
    unwell_share: float = 0.01,
) -> DistrictResult:
    result = DistrictResult(residents, budget_s, paid=paid)
    rng = random.Random(seed)
    # the bot's own outbound limits, which model Telegram's
    overrides = json.dumps({"outbound": {"paid_safety_cards": True} if paid else {}})
    async with Standin(latency_ms) as standin, Peer("hotline", str(db_path), overrides) as peer:
        sb = standin.sandbox
        members = (LEAD, MEMBER, OTHER_CREW)
        for user_id in members:
            sb.create_user(user_id, first_name=f"Crew {user_id}", language_code="en")
        people = [Resident(FIRST_RESIDENT + i, pin_near(rng, area_radius_m)) for i in range(residents)]
        for rec in random.Random(seed + 1).sample(people, round(unwell_share * residents)):
            rec.unwell = True  # drawn apart: the pins, moments and crews' delays stay those of the rows before
        for rec in people:
            sb.create_user(rec.user, first_name=f"Resident {rec.user}", language_code="en")
        await peer.start(standin.root)
        await sb.wait_idle(quiet_s=0.2, timeout_s=10)
        sb.set_rate_limits(RateLimits())  # Telegram's, from here on
        cpu_before = peer.cpu_s()
        started = now()
        delays = sorted(rng.uniform(0, spread_s) for _ in people)
        crews = Crews(standin, members, random.Random(rng.random()), accept_s)
        watching = asyncio.create_task(crews.run())
        tasks = [
            asyncio.create_task(_resident(standin, rec, delay, random.Random(rng.random()), think_s))
            for rec, delay in zip(people, delays, strict=True)
        ]
        resident_ids = {rec.user for rec in people}
        # until every report is on a card a crew has, and accepted (the crews press meanwhile), and every report
        # of someone unwell has its own card, or the budget; the residents answer their forms meanwhile
        while (left := budget_s - (now() - started)) > 0:
            await asyncio.sleep(min(left, 1.0))
            for rec in people:
                rec.ticket = rec.ticket or _ticket_of(standin, rec.user)
            tickets = {rec.ticket for rec in people if rec.ticket is not None}
            if (
                all(rec.ticket is not None for rec in people)
                and tickets <= set(_told(crews, db_path))
                and set(accepted_at(db_path, tickets)) == tickets
                and not _unwell_pending(people, db_path)
            ):
                break
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for task in tasks:
            if not task.cancelled() and task.exception() is not None:
                print(f"  resident failed: {task.exception()!r}", flush=True)
        for rec in people:
            rec.ticket = rec.ticket or _ticket_of(standin, rec.user)
        tickets = {rec.ticket for rec in people if rec.ticket is not None}
        told = tickets & set(_told(crews, db_path))
        watching.cancel()
        await asyncio.gather(watching, return_exceptions=True)
        for failure in crews.failed[:3]:
            print(f"  crew press failed: {failure}", flush=True)
        cpu_after = peer.cpu_s()
        dispatched = _told(crews, db_path)
        accepted = accepted_at(db_path, tickets)
        result.accept_s = [accepted[r.ticket][1] - r.sent_at for r in people if r.ticket in accepted]
        result.ticket_accept_s = [accepted[r.ticket][1] - accepted[r.ticket][0] for r in people if r.ticket in accepted]
        late = sum(1 for seconds in result.accept_s if seconds > ACCEPT_WITHIN_S)
        result.not_accepted = late + residents - len(result.accept_s)
        result.presses = crews.presses
        result.incidents = len(crews.first_card)
        result.paid_sends = sb.paid_sends
        result.tickets = len(tickets)
        result.told = len(told)
        if tickets and told == tickets and len(tickets) == residents:
            result.all_told_s = max(dispatched[t] for t in tickets) - started
        result.card_s = [rec.card_at - rec.sent_at for rec in people if rec.card_at is not None]
        result.question_s = [rec.question_at - rec.sent_at for rec in people if rec.question_at is not None]
        result.forms_done = sum(1 for rec in people if rec.answered == len(FORM))
        unwell = [rec for rec in people if rec.unwell]
        result.unwell = len(unwell)
        result.unwell_answered = sum(1 for rec in unwell if rec.answered > UNWELL_AT)
        result.unwell_own_card = len(_own_cards(db_path, {rec.ticket for rec in unwell if rec.ticket is not None}))
        staff = [chat for chat in standin.counts if chat not in resident_ids]
        result.crew_messages = sum(standin.counts[chat] for chat in members)
        result.crew_edits = sum(len(m.edits) for chat in members for m in sb.messages(chat))
        result.desk_messages = sum(
            standin.counts[chat] + sum(len(m.edits) for m in sb.messages(chat)) for chat in staff if chat not in members
        )
        result.crew_kinds = crew_kinds(standin, list(members), {LEAD, MEMBER}, db_path)
        result.rate_limited = sb.fault_counts["rate_limited"]
        result.while_card_waited = _while_card_waited(standin, people, staff)
        result.updates = sum(1 + rec.answered for rec in people if rec.sent_at)
        if cpu_before is not None and cpu_after is not None:
            result.bot_cpu_s = cpu_after - cpu_before
    return result


def _waiting_spans(people: list[Resident], end: float) -> list[tuple[float, float]]:
    """When at least one safety card was due: from each text (plus ``CARD_DUE_S``, the bot's own time to
    read it and compose the card) to its card, merged."""
    spans = sorted((rec.sent_at + CARD_DUE_S, rec.card_at or end) for rec in people if rec.sent_at)
    merged: list[tuple[float, float]] = []
    for start, stop in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], stop))
        elif start < stop:
            merged.append((start, stop))
    return merged


def _while_card_waited(standin: Standin, people: list[Resident], staff: list[int]) -> dict[str, int]:
    """Every other message (send or edit) that reached the stand-in while a safety card was due, by kind:
    the resident's questions and receipts, the crews' cards (sends and edits)."""
    card = gas_card("en")
    spans = _waiting_spans(people, now())
    starts = [start for start, _ in spans]

    def during(at: float) -> bool:
        index = bisect.bisect_right(starts, at) - 1
        return index >= 0 and at < spans[index][1]

    counts: Counter[str] = Counter()
    for rec in people:
        for message in standin.sandbox.messages(rec.user):
            if not (message.text or "").startswith(card) and during(message.sent_at):
                counts["receipt" if _TICKET.search(message.text or "") else "resident"] += 1
    for chat in staff:
        for message in standin.sandbox.messages(chat):
            counts["crew"] += during(message.sent_at)
            counts["crew edit"] += sum(1 for edit in message.edits if during(edit.at))
    return {kind: n for kind, n in counts.items() if n}
