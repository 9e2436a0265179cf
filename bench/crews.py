"""The crews of the district rows, and what they received.

A crew member presses Accept on a card a human delay after it reached their chat (``delay_s``, a range),
as a real callback through the stand-in, if the card still offers Accept by then (a colleague may have
taken it: the card then says so and has no Accept). Every card's first arrival is recorded as it comes, since
an accepted card is edited in place and loses its Accept button.

The messages the staff chats received are sorted by kind from the bot's outbox (which row became which
message) and its tickets: incident cards, the own cards of reports a crew must act on, map pins, cards
again or to another crew (escalation), card edits before and after the ticket was accepted, and the rest by
purpose.
"""

from __future__ import annotations

import asyncio
import json
import random
import sqlite3
from collections import Counter
from contextlib import closing
from datetime import datetime
from pathlib import Path

from bench.standin import Standin, now
from bot.dispatch.incident_worth import ACT_NOW
from sandbox.botworld import ChatMessage

ACCEPT = "t:acc:"


def offered_ticket(message: ChatMessage) -> int | None:
    """The ticket whose Accept the message carried when it was sent (edits may have taken it off since)."""
    markup = message.sent_markup if isinstance(message.sent_markup, dict) else message.reply_markup or {}
    for row in markup.get("inline_keyboard", []):
        for button in row:
            data = str(button.get("callback_data", ""))
            if data.startswith(ACCEPT):
                return int(data.rsplit(":", 1)[1])
    return None


def _offers_now(message: ChatMessage, ticket: int) -> bool:
    return any(button.get("callback_data") == f"{ACCEPT}{ticket}" for button in message.buttons())


class Crews:
    """Watches the crew members' chats; ``first_card``: ticket -> when its first card reached a crew chat."""

    def __init__(self, standin: Standin, members: tuple[int, ...], rng: random.Random, delay_s: tuple[float, float]):
        self.standin = standin
        self.members = members
        self.rng = rng
        self.delay_s = delay_s
        self.first_card: dict[int, float] = {}
        self.presses = 0
        self.failed: list[str] = []
        self._tasks: set[asyncio.Task[None]] = set()

    async def run(self, poll_s: float = 0.2) -> None:
        """Until cancelled: every new card with Accept gets its member's press after the delay."""
        seen = dict.fromkeys(self.members, 0)
        try:
            while True:
                for member in self.members:
                    messages = self.standin.sandbox.messages(member)
                    for message in messages[seen[member] :]:
                        ticket = offered_ticket(message)
                        if ticket is None:
                            continue
                        self.first_card[ticket] = min(self.first_card.get(ticket, message.sent_at), message.sent_at)
                        at = message.sent_at + self.rng.uniform(*self.delay_s)
                        task = asyncio.create_task(self._press(member, message, ticket, at))
                        self._tasks.add(task)
                        task.add_done_callback(self._tasks.discard)
                    seen[member] = len(messages)
                await asyncio.sleep(poll_s)
        finally:
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _press(self, member: int, message: ChatMessage, ticket: int, at: float) -> None:
        await asyncio.sleep(max(0.0, at - now()))
        if not _offers_now(message, ticket):
            return  # taken by a colleague meanwhile (or withdrawn): nothing to press
        try:
            await self.standin.sandbox.press_button(member, message.message_id, data=f"{ACCEPT}{ticket}")
            self.presses += 1
        except Exception as exc:  # noqa: BLE001 - a failed press is reported, the run goes on
            self.failed.append(repr(exc))


def _when(text: str | None) -> float | None:
    return datetime.fromisoformat(text).timestamp() if text else None


def accepted_at(db_path: Path, tickets: set[int]) -> dict[int, tuple[float, float]]:
    """Ticket -> (when it was created, when it was accepted): a joined report with its incident, or at its
    join if that was later."""
    with closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)) as conn:
        rows = conn.execute("SELECT id, created_at, accepted_at FROM tickets WHERE accepted_at IS NOT NULL").fetchall()
    found = {}
    for ticket, created, accepted in rows:
        if ticket in tickets and (at := _when(accepted)) is not None:
            found[ticket] = (_when(created) or at, at)
    return found


def crew_kinds(standin: Standin, staff: list[int], on_duty: set[int], db_path: Path) -> dict[str, int]:
    """Every message (send or edit) the staff chats received, by kind (a card to a chat that had one for
    the ticket already, or to a member not on duty, is the escalation's)."""
    with closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)) as conn:
        rows = conn.execute(
            "SELECT chat, message_id, purpose, ticket_id FROM outbox WHERE status = 'sent' AND message_id IS NOT NULL"
            " ORDER BY id"
        ).fetchall()
        tickets = {
            ticket: (json.loads(details or "{}"), _when(accepted))
            for ticket, details, accepted in conn.execute("SELECT id, details, accepted_at FROM tickets")
        }
        events = conn.execute("SELECT ticket_id FROM ticket_events WHERE kind = 'incident_split'")
        split = {ticket for (ticket,) in events}
    sent: dict[tuple[str, str], tuple[str, int | None]] = {}
    for chat, message_id, purpose, ticket in rows:  # the row that sent the message, not those that edited it
        sent.setdefault((str(chat), str(message_id)), (purpose, ticket))
    counts: Counter[str] = Counter()
    carded: set[tuple[int, int]] = set()  # (chat, ticket) that had a card already
    for chat in staff:
        for message in standin.sandbox.messages(chat):
            purpose, ticket = sent.get((str(chat), str(message.message_id)), ("reply", None))
            details, accepted = tickets.get(ticket, ({}, None)) if ticket is not None else ({}, None)
            if purpose in ("dispatch", "backup") and ticket is not None:
                if (chat, ticket) in carded or chat not in on_duty:
                    kind = "escalation"
                elif ticket in split or _acts_now(details):
                    kind = "own cards (act now)"
                else:
                    kind = "incident cards"
                carded.add((chat, ticket))
                for edit in message.edits:
                    counts["card edits after accept" if accepted and edit.at >= accepted else "card edits"] += 1
            elif purpose == "pin":
                kind = "map pins"
            else:
                kind = purpose
                counts[f"{purpose} edits"] += len(message.edits)
            counts[kind] += 1
    return {kind: n for kind, n in counts.items() if n}


def _acts_now(details: dict[str, object]) -> bool:
    """The product's own rule (``incident_worth.must_act``) on a ticket's stored answers."""
    return "_key_site" in details or any(details.get(name) in values for name, values in ACT_NOW.items())
