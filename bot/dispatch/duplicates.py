"""Duplicate reports: never merged silently.

A second report from the same resident while one of theirs is open is added to that ticket (the crew
or desk that has it is told) unless it is more urgent or of another kind, which makes a new ticket
linked to the first. A new report within ``duplicate_radius_m`` and ``duplicate_window_min`` of an
open P1 is kept as its own ticket and marked to its recipients as probably the same incident.
"""

from __future__ import annotations

import logging
import math
from datetime import timedelta
from typing import Any

from bot.context import Ctx
from bot.i18n import Lang, t
from bot.intake.area import distance_m
from bot.intake.forms import CATEGORIES, Severity
from bot.intake.render import answer_lines
from bot.intake.triage import routing
from common.events import Priority, Text
from storage.db import Conn
from storage.links import LinksRepo
from storage.outbox import OutboxRepo
from storage.people import PeopleRepo
from storage.tickets import Ticket, TicketsRepo

logger = logging.getLogger(__name__)

_RANK = {s.value: n for n, s in enumerate(Severity)}  # P1 -> 0: lower is more urgent
_NOTIFIED = ("dispatch", "desk")


async def open_ticket_of(ctx: Ctx) -> Ticket | None:
    """The resident's most recent open ticket, if any."""
    for ticket in await TicketsRepo(ctx.tx).of_resident(ctx.person.id, limit=5):
        if ticket.is_open:
            return ticket
    return None


def should_attach(open_ticket: Ticket, category: str, severity: Severity) -> bool:
    """Add the new report to ``open_ticket`` rather than open another ticket?"""
    if category == "question" or _RANK[severity.value] < _RANK[open_ticket.severity]:
        return False  # questions have their own desk; a more urgent report must be routed as such
    return category == open_ticket.category or routing(severity) == routing(Severity(open_ticket.severity))


async def _recipients(ctx: Ctx, ticket: Ticket) -> list[tuple[str, int | None, Lang, str]]:
    """Everyone who was sent the ticket (crew, group, desk) and its assignee, with the channel they were
    sent it on; one entry per chat."""
    people = PeopleRepo(ctx.tx)
    seen: dict[str, tuple[str, int | None, Lang, str]] = {}
    for purpose in _NOTIFIED:
        for row in await OutboxRepo(ctx.tx).rows_for_ticket(ticket.id, purpose):
            person = await people.get(row.recipient_id) if row.recipient_id is not None else None
            seen.setdefault(
                row.chat, (row.chat, row.recipient_id, Lang(person.lang) if person else Lang.ZH, row.channel)
            )
    if ticket.assignee_id is not None and (holder := await people.get(ticket.assignee_id)) is not None:
        seen.setdefault(holder.external_id, (holder.external_id, holder.id, Lang(holder.lang), holder.channel))
    return list(seen.values())


async def _notify(ctx: Ctx, ticket: Ticket, purpose: str, texts: dict[Lang, str]) -> int:
    sent = 0
    for chat, recipient, lang, channel in await _recipients(ctx, ticket):
        message = Text(chat=chat, text=texts[lang], priority=Priority.DISPATCH)
        await OutboxRepo(ctx.tx).add(
            message, now=ctx.now, ticket_id=ticket.id, purpose=purpose, recipient_id=recipient, channel=channel
        )
        sent += 1
    ctx.outbox_rows += sent
    return sent


async def attach(ctx: Ctx, ticket: Ticket, category: str, answers: dict[str, Any]) -> None:
    """Record the resident's new report on their open ticket and tell whoever has it."""
    await TicketsRepo(ctx.tx).event(
        ticket.id, "attached", now=ctx.now, actor_id=ctx.person.id, category=category, answers=answers
    )
    spec = CATEGORIES[category]
    texts = {
        lang: "\n".join(
            [
                t(lang, "duplicates.crew_attached", ticket=ticket.id, category=t(lang, f"category.{category}")),
                *answer_lines(lang, spec, answers),
            ]
        )
        for lang in Lang
    }
    sent = await _notify(ctx, ticket, "attached", texts)
    logger.info("ticket %s: a further report was attached (%d recipients told)", ticket.id, sent)


async def link_follows(ctx: Ctx, ticket_id: int, earlier: Ticket) -> None:
    await _link(ctx, ticket_id, earlier.id, "follows", None)


async def _link(ctx: Ctx, ticket_id: int, related_id: int, kind: str, distance: float | None) -> None:
    await LinksRepo(ctx.tx).add(ticket_id, related_id, kind, distance, ctx.now)
    await TicketsRepo(ctx.tx).event(ticket_id, kind, now=ctx.now, actor_id=None, related=related_id)


async def nearby_open(
    ctx: Ctx, ticket: Ticket, limit: int = 5, severities: tuple[str, ...] = ("P1",)
) -> list[tuple[int, float]]:
    """(id, metres) of other residents' open tickets of ``severities`` near ``ticket`` and recent enough,
    nearest first.

    SQL finds the ``limit`` nearest in a box around the pin, cheap when a whole district reports at once;
    the exact distance decides which of them are within the radius.
    """
    if ticket.latitude is None or ticket.longitude is None:
        return []
    cfg = ctx.settings.intake
    since = ticket.created_at - timedelta(minutes=cfg.duplicate_window_min)
    dlat = cfg.duplicate_radius_m / 111_320
    dlon = dlat / max(0.01, math.cos(math.radians(ticket.latitude)))
    rows = await TicketsRepo(ctx.tx).open_in_box(
        since=since,
        not_ticket=ticket.id,
        not_resident=ticket.resident_id,
        latitude=(ticket.latitude - dlat, ticket.latitude + dlat),
        longitude=(ticket.longitude - dlon, ticket.longitude + dlon),
        limit=limit,
        severities=severities,
    )
    found = [(other, distance_m(ticket.latitude, ticket.longitude, lat, lon)) for other, lat, lon in rows]
    return sorted((pair for pair in found if pair[1] <= cfg.duplicate_radius_m), key=lambda pair: pair[1])[:limit]


async def mark_probable_same(ctx: Ctx, ticket_id: int) -> list[int]:
    """Link a new ticket to nearby open P1s (never merged). The dispatch card shows the links, so a
    district reporting one leak costs each crew member one message per report, not one per pair."""
    ticket = await TicketsRepo(ctx.tx).get(ticket_id)
    if ticket is None:
        return []
    near = await nearby_open(ctx, ticket)
    for other_id, metres in near:
        await _link(ctx, ticket.id, other_id, "probable_same", round(metres, 1))
    if near:
        logger.info("ticket %s: probably the same incident as %s", ticket.id, [other for other, _ in near])
    return [other for other, _ in near]


async def probable_same(tx: Conn, ticket_id: int) -> list[tuple[int, int]]:
    """(other ticket, metres) this ticket is probably the same incident as, nearest first."""
    return [(other, round(metres or 0)) for other, metres in await LinksRepo(tx).probable_same(ticket_id)]
