"""From a committed ticket to the crews: the dispatch card, offering it to a crew, telling the desk and
the resident.

Every message goes through the outbox in the same transaction as the state change it reports, and
every state change is a ticket event. The functions take a ``Scope`` (the transaction, the settings and
``now``), so the crew's buttons (``bot.dispatch.crew_actions``), the desk and the escalation jobs share them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.config.settings import Settings
from bot.context import Ctx
from bot.dispatch import duplicates, hooks
from bot.dispatch.authz import SUPERVISING
from bot.dispatch.buttons import crew_button
from bot.dispatch.card import ack_timeout_s as ack_timeout_s  # the card's helpers, shared from here too
from bot.dispatch.card import arrival_target_min as arrival_target_min
from bot.dispatch.card import drill_shown
from bot.dispatch.card import local_time as local_time
from bot.dispatch.card import ticket_text as ticket_text
from bot.i18n import Lang, t
from bot.rota.duty import crews_on_duty
from common.events import Button, Location, Outbound, Photo, Priority, Text
from storage.db import Conn
from storage.outbox import OutboxRepo
from storage.people import Crew, CrewsRepo, PeopleRepo, Person
from storage.tickets import Ticket, TicketsRepo
from storage.timers import OffersRepo

logger = logging.getLogger(__name__)

MAX_CARD_PHOTOS = 3


class Scope(Protocol):
    """What dispatching needs: a transaction, the settings, the time; counts outbox rows added."""

    tx: Conn
    settings: Settings
    now: datetime
    outbox_rows: int


@dataclass
class JobScope:
    """A ``Scope`` for work that no inbound event started (a timer, the outbox's 403 hook)."""

    tx: Conn
    settings: Settings
    now: datetime
    outbox_rows: int = 0


async def queue(
    scope: Scope,
    message: Outbound,
    *,
    ticket_id: int | None,
    purpose: str,
    recipient_id: int | None,
    channel: str | None = None,
) -> int:
    """Queue ``message`` in the transaction: on the recipient's channel as the people table knows it
    (``OutboxRepo.add``), whatever channel the ticket came in on; a row for no person (a crew's group chat)
    names its ``channel``, or, in answer to an event, goes on the event's."""
    if recipient_id is None and channel is None and isinstance(scope, Ctx):
        channel = scope.ev.channel
    scope.outbox_rows += 1
    return await OutboxRepo(scope.tx).add(
        message, now=scope.now, ticket_id=ticket_id, purpose=purpose, recipient_id=recipient_id, channel=channel
    )


def resolve_target_min(settings: Settings, severity: str) -> int:
    return settings.escalation.chain(severity).resolve_target_min or settings.dispatch.resolve_target_min


def offer_buttons(lang: Lang, ticket_id: int) -> list[list[Button]]:
    return [
        [
            Button(text=t(lang, "crew.accept_button"), data=crew_button("acc", ticket_id)),
            Button(text=t(lang, "crew.decline_button"), data=crew_button("dec", ticket_id)),
        ]
    ]


def progress_buttons(lang: Lang, ticket: Ticket) -> list[list[Button]]:
    row = []
    if ticket.status == "accepted":
        row.append(Button(text=t(lang, "crew.en_route_button"), data=crew_button("enr", ticket.id)))
    if ticket.status in ("accepted", "en_route"):
        row.append(Button(text=t(lang, "crew.on_site_button"), data=crew_button("site", ticket.id)))
    return [
        row,
        [Button(text=t(lang, "crew.resolved_button"), data=crew_button("res", ticket.id))],
        [
            Button(text=t(lang, "crew.backup_button"), data=crew_button("bk", ticket.id)),
            Button(text=t(lang, "crew.handover_button"), data=crew_button("ho", ticket.id)),
        ],
    ]


async def duplicate_hints(scope: Scope, ticket: Ticket) -> tuple[int, ...]:
    """Open P1s this ticket is probably the same incident as (linked at intake, never merged)."""
    return tuple(other for other, _ in await duplicates.probable_same(scope.tx, ticket.id))


async def tell_key_site(scope: Scope, ticket: Ticket, site: dict[str, object]) -> None:
    """A report at a key site: the desk is told at once (with the card), and it is on the record."""
    await TicketsRepo(scope.tx).event(
        ticket.id, "key_site", now=scope.now, actor_id=None, site=site.get("name"), raised_from=site.get("from")
    )
    await tell_desk(scope, ticket, "key_sites.desk_alert", name=site.get("name", "?"), severity=ticket.severity)


async def dispatch_on_duty(scope: Scope, ticket: Ticket) -> None:
    crews = CrewsRepo(scope.tx)
    sent = 0
    for name in await crews_on_duty(scope.tx, scope.settings, scope.now):
        crew = await crews.by_name(name)
        if crew is None:
            continue
        if ticket.crew_id is None:
            await TicketsRepo(scope.tx).set_crew(ticket.id, crew.id)
            ticket = ticket.model_copy(update={"crew_id": crew.id})
        sent += await offer(scope, ticket, crew)
    await TicketsRepo(scope.tx).event(ticket.id, "dispatched", now=scope.now, actor_id=None, recipients=sent)
    if not sent:
        logger.warning("ticket %s: nobody on duty could be reached", ticket.id)
        await tell_desk(scope, ticket, "desk.no_crew")


async def offer(scope: Scope, ticket: Ticket, crew: Crew, *, purpose: str = "dispatch") -> int:
    """Send the card (with Accept / Decline), the map pin and the photos to a crew's members and group.

    The crew is recorded as offered: from now on its members may accept the ticket. Returns the chats.
    """
    await OffersRepo(scope.tx).add(ticket.id, crew.id, scope.now)
    if ticket.severity == "P1" and not ticket.drill:
        for joined in hooks.real_p1_offered:  # a real P1 first: e.g. the crew's unaccepted drills are held back
            await joined(scope, ticket, crew)
    hints = await duplicate_hints(scope, ticket)
    chats: list[tuple[str, int | None, Lang]] = [
        (member.external_id, member.id, Lang(member.lang))
        for member in await PeopleRepo(scope.tx).crew_members(crew.id)
    ]
    if crew.group_chat:
        chats.append((crew.group_chat, None, Lang.ZH))  # on the group's channel (queue: no person)
    photos = [str(p) for p in ticket.details.get("photos") or []][:MAX_CARD_PHOTOS]
    texts = {lang: ticket_text(lang, ticket, scope.settings, hints=hints) for lang in {lang for _, _, lang in chats}}
    for chat, recipient, lang in chats:
        card = Text(
            chat=chat,
            text=texts[lang],
            buttons=offer_buttons(lang, ticket.id),
            priority=Priority.DISPATCH,
        )
        await queue(
            scope, card, ticket_id=ticket.id, purpose=purpose, recipient_id=recipient, channel=crew.group_channel
        )
        if ticket.latitude is not None and ticket.longitude is not None:
            pin = Location(
                chat=chat,
                latitude=ticket.latitude,
                longitude=ticket.longitude,
                title=f"{t(lang, 'drills.mark')} #{ticket.id}" if drill_shown(ticket) else f"#{ticket.id}",
                address=ticket.address,
                priority=Priority.DISPATCH,
            )
            await queue(
                scope, pin, ticket_id=ticket.id, purpose="pin", recipient_id=recipient, channel=crew.group_channel
            )
        for photo in photos:
            picture = Photo(chat=chat, photo=photo, caption=f"#{ticket.id}", priority=Priority.DISPATCH)
            await queue(
                scope, picture, ticket_id=ticket.id, purpose="photo", recipient_id=recipient, channel=crew.group_channel
            )
    return len(chats)


async def staff_with_role(scope: Scope, *roles: str) -> list[Person]:
    return await PeopleRepo(scope.tx).with_role(*roles)


async def tell_staff(
    scope: Scope, people: list[Person], ticket: Ticket, key: str, *, card: bool = False, **values: object
) -> None:
    for person in people:
        lang = Lang(person.lang)
        text = t(lang, key, ticket=ticket.id, hotline=scope.settings.utility.hotline, **values)
        if ticket.drill and (drill_shown(ticket) or person.role in SUPERVISING):  # an unannounced one: the desk only
            text = t(lang, "drills.mark") + " " + text
        if card:
            text += "\n\n" + ticket_text(lang, ticket, scope.settings)
        message = Text(chat=person.external_id, text=text, priority=Priority.DISPATCH)
        await queue(scope, message, ticket_id=ticket.id, purpose="desk", recipient_id=person.id)


async def tell_desk(scope: Scope, ticket: Ticket, key: str, *, card: bool = True, **values: object) -> None:
    """Tell the dispatchers (and supervisors) about ``ticket``."""
    people = await staff_with_role(scope, "dispatcher", "supervisor")
    await tell_staff(scope, people, ticket, key, card=card, **values)


async def tell_resident(scope: Scope, ticket: Ticket, key: str, **values: object) -> None:
    """Tell the ticket's resident (a drill has none: nothing is sent)."""
    if ticket.drill:
        return
    lang = Lang(ticket.lang)
    text = t(lang, key, ticket=ticket.id, hotline=scope.settings.utility.hotline, **values)
    message = Text(chat=ticket.chat, text=text, priority=Priority.DISPATCH)
    await queue(scope, message, ticket_id=ticket.id, purpose="resident", recipient_id=ticket.resident_id)
