"""No location after the safety card: someone who smelled gas and went quiet matters.

An emergency report is dispatched the moment it has a location (``bot.intake.live_ticket``), so what is left
to chase is an emergency *without* one. When such a report starts, a timer row (kind ``abandoned``)
is stored with the conversation's start (the moment the card went out). At
``[intake] no_location_reask_s`` the resident is asked again, once, with one-tap keys (share the
location, type the address, "call me instead" which shares the contact); at ``no_location_desk_s`` the
duty dispatchers get a ticket (status ``followup``, at its provisional severity) with what the resident
said, their Telegram name and any phone, and can ``/msg`` them. A resident who taps "call me instead"
reaches the desk the same way at once. When a location comes later, the ticket is dispatched.

Timers are rows: the watcher's sweep job on the scheduler finds due rows at start-up and every few
seconds after, and re-checks the conversation before it acts, so a report that has a location (or was
cancelled) is never chased.

The clock runs from what the resident has seen, not from what was queued for them: in a district-wide
surge the safety cards go first and a resident's location question may wait a minute behind them. While
their chat still has messages queued or being sent, a due step waits (``held_at``), and once the chat is
clear it comes a whole interval after the last time it was seen waiting: nobody is asked again, or passed to
the desk as silent, before they were asked at all.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from bot.clock import Clock
from bot.config.settings import Settings
from bot.context import Ctx
from bot.dispatch.offer import JobScope, Scope, queue
from bot.i18n import Lang, t
from bot.intake.asking import location_keys
from bot.intake.forms import CATEGORIES
from bot.intake.render import answer_lines
from bot.intake.triage import provisional
from bot.people.phone import display_phone
from bot.scheduler import Scheduler, SweepWatch
from common.events import Priority, Text
from storage.conversations import Conversation, ConversationsRepo
from storage.db import Conn, Database, from_db, to_db
from storage.people import PeopleRepo
from storage.sync import SyncConnection
from storage.tickets import TicketsRepo
from storage.timers import TimersRepo

logger = logging.getLogger(__name__)

KIND = "abandoned"
INTAKE_FLOW = "intake"


async def arm(
    tx: Conn, *, channel: str, user: str, chat: str, started: datetime, card_at: datetime, settings: Settings
) -> None:
    """Store the chase of an emergency without a location (replacing any earlier one of the person).

    ``started`` names the conversation (the timer acts only on that one); ``card_at`` is when the
    safety card went out, which the re-ask and the desk are timed from (a service report that turned
    into an emergency started earlier)."""
    await cancel(tx, channel=channel, user=user)
    data = {"channel": channel, "user": user, "chat": chat, "started": to_db(started), "card_at": to_db(card_at)}
    await TimersRepo(tx).add_detached(KIND, card_at + timedelta(seconds=settings.intake.no_location_reask_s), data)


async def cancel(tx: Conn, *, channel: str, user: str) -> None:
    await TimersRepo(tx).cancel_of_user(KIND, channel=channel, user=user)


def _still_without_location(conv: Conversation | None, started: str) -> bool:
    if conv is None or conv.flow != INTAKE_FLOW or to_db(conv.started_at) != started:
        return False
    data = conv.data
    return not data.get("answers", {}).get("location") and data.get("ticket") is None


async def to_desk(scope: Scope, *, channel: str, user: str, chat: str, conv: Conversation, why: str) -> int:
    """A ticket for the desk from an emergency without a location; the dispatchers get what is known.

    The conversation goes on (the location question stays open) and now names the ticket, so a
    location that comes later dispatches it. Returns how many staff were told.
    """
    data = dict(conv.data)
    answers = dict(data.get("answers", {}))
    category = str(data.get("category", "leak"))
    person = await PeopleRepo(scope.tx).find(channel, user)
    if person is None:
        return 0
    severity = provisional(category, answers, fire=bool(data.get("fire")))
    phone = answers.get("phone") or person.phone
    details = {k: v for k, v in answers.items() if k not in ("phone", "phone_optional") and not k.startswith("_")}
    if data.get("said"):
        details["details"] = details.get("details") or data["said"]
    details["_form"] = category
    tickets = TicketsRepo(scope.tx)
    ticket_id = await tickets.create(
        resident_id=person.id,
        channel=channel,
        chat=chat,
        lang=person.lang,
        category=category,
        severity=severity.value,
        status="followup",
        address=None,
        latitude=None,
        longitude=None,
        phone=phone,
        details=details,
        now=scope.now,
    )
    await tickets.event(ticket_id, "no_location", now=scope.now, actor_id=None, why=why)
    data["ticket"] = ticket_id
    await ConversationsRepo(scope.tx).put(channel, user, conv.model_copy(update={"data": data}))
    tz = scope.settings.utility.tz
    card_at = from_db(data.get("card_at")) or conv.started_at
    staff = await PeopleRepo(scope.tx).with_role("dispatcher", "supervisor")
    for member in staff:
        lang = Lang(member.lang)
        lines = [
            t(
                lang,
                f"abandoned.desk_{why}",
                name=person.name or "?",
                category=t(lang, f"category.{category}"),
                started=card_at.astimezone(tz).strftime("%H:%M"),
                ticket=ticket_id,
            ),
        ]
        if data.get("said"):
            lines.append(t(lang, "abandoned.desk_said", said=str(data["said"])))
        lines.extend(answer_lines(lang, CATEGORIES[category], answers))
        lines.append(
            t(lang, "abandoned.desk_phone", phone=display_phone(phone)) if phone else t(lang, "abandoned.desk_no_phone")
        )
        lines.append(t(lang, "abandoned.desk_msg", ticket=ticket_id))
        message = Text(chat=member.external_id, text="\n".join(lines), priority=Priority.DISPATCH)
        await queue(scope, message, ticket_id=ticket_id, purpose="abandoned_desk", recipient_id=member.id)
    logger.warning("an emergency report without a location was passed to the desk as ticket %s", ticket_id)
    return len(staff)


async def call_me(ctx: Ctx, data: dict[str, Any], conv: Conversation) -> int:
    """The resident tapped "call me instead" (shared the contact) before giving a location: the desk now.

    ``data`` (the conversation's, with the phone) gets the desk ticket's number. Returns how many staff
    were told (0: nobody at the desk).
    """
    ev = ctx.ev
    if data.get("ticket") is not None:
        return 1
    fresh = conv.model_copy(update={"data": data})
    told = await to_desk(ctx, channel=ev.channel, user=ev.user, chat=ev.chat, conv=fresh, why="call_me")
    await cancel(ctx.tx, channel=ev.channel, user=ev.user)
    stored = await ConversationsRepo(ctx.tx).get(ev.channel, ev.user)
    if stored is not None:
        data.update(stored.data)
    # the receipt is durable, like every ticket's
    text = ctx.t("intake.call_me_noted" if told else "intake.call_me_no_desk", ticket=data.get("ticket"))
    message = Text(chat=ev.chat, text=text, priority=Priority.EMERGENCY)
    await queue(ctx, message, ticket_id=data.get("ticket"), purpose="receipt", recipient_id=ctx.person.id)
    return told


class AbandonedWatch(SweepWatch):
    """The background part: a sweep job on the scheduler over due ``abandoned`` timer rows."""

    JOB_ID = "abandoned-sweep"
    EVERY_S = 5.0
    settings: Settings
    db: Database
    clock: Clock

    def __init__(
        self,
        settings: Settings,
        db: Database,
        clock: Clock,
        scheduler: Scheduler,
        wake: Callable[[], None],
        *,
        waiting: Callable[[str, str], bool] | None = None,
    ) -> None:
        super().__init__(settings, db, clock, scheduler, wake)
        self.waiting = waiting or (lambda channel, chat: False)  # the chat has messages queued (Lanes.waiting)

    async def run_due(self) -> int:
        """Act on every due timer row; returns how many acted (asked again or told the desk)."""
        now = self.clock.now()

        async def due(tx: SyncConnection) -> list[tuple[int, str, str]]:
            timers = await TimersRepo(tx).pending(due_before=now, kinds=(KIND,))
            return [(timer.id, timer.data["channel"], timer.data["chat"]) for timer in timers]

        rows = await self.db.read(due)
        if not rows:
            return 0
        held = {timer_id for timer_id, channel, chat in rows if self.waiting(channel, chat)}

        async def fire_due(tx: SyncConnection) -> int:
            acted = 0
            for timer in await TimersRepo(tx).pending(due_before=now, kinds=(KIND,)):
                acted += await self._fire(tx, timer.id, timer.step, timer.data, now, held=timer.id in held)
            return acted

        acted = await self.db.run(fire_due)
        if acted:
            self.wake()
        return acted

    def _interval(self, step: int) -> timedelta:
        reask_s, desk_s = self.settings.intake.no_location_reask_s, self.settings.intake.no_location_desk_s
        return timedelta(seconds=reask_s if step == 0 else desk_s - reask_s)

    async def _fire(
        self, tx: Conn, timer_id: int, step: int, data: dict[str, Any], now: datetime, *, held: bool = False
    ) -> int:
        timers = TimersRepo(tx)
        conv = await ConversationsRepo(tx).get(data["channel"], data["user"])
        if conv is None or not _still_without_location(conv, data["started"]):
            await timers.mark_cancelled(timer_id)
            return 0
        if held:  # the resident has not had everything yet: look again at the next sweep
            await timers.hold(timer_id, now + timedelta(seconds=self.every_s), {**data, "held_at": to_db(now)})
            return 0
        held_at = from_db(data.get("held_at"))
        if held_at is not None and now < held_at + self._interval(step):
            await timers.hold(timer_id, held_at + self._interval(step), data)  # a whole interval once clear
            return 0
        scope = JobScope(tx=tx, settings=self.settings, now=now)
        if step == 0:
            await self._reask(scope, data, conv)
            card_at = from_db(data.get("card_at")) or conv.started_at
            desk_at = card_at + timedelta(seconds=self.settings.intake.no_location_desk_s)
            # after a wait for the chat, the desk comes a whole interval after this re-ask, not with it
            await timers.set_step(timer_id, 1, max(desk_at, now + self._interval(1) if held_at else now))
        else:
            await to_desk(scope, channel=data["channel"], user=data["user"], chat=data["chat"], conv=conv, why="silent")
            await self._tell_resident(scope, data, conv)
            await timers.mark_done(timer_id)
        return 1

    async def _reask(self, scope: JobScope, data: dict[str, Any], conv: Conversation) -> None:
        person = await PeopleRepo(scope.tx).find(data["channel"], data["user"])
        lang = Lang(person.lang) if person else Lang.ZH
        text = t(lang, "abandoned.reask", hotline=self.settings.utility.hotline)
        keys = location_keys(lang, conv.data, chase=True)
        message = Text(chat=data["chat"], text=text, keyboard=keys, priority=Priority.EMERGENCY)
        await queue(
            scope, message, ticket_id=None, purpose="abandoned_reask", recipient_id=person.id if person else None,
            channel=data["channel"],
        )  # fmt: skip
        logger.info("an emergency report without a location was asked again")

    async def _tell_resident(self, scope: JobScope, data: dict[str, Any], conv: Conversation) -> None:
        person = await PeopleRepo(scope.tx).find(data["channel"], data["user"])
        fresh = await ConversationsRepo(scope.tx).get(data["channel"], data["user"])
        ticket = fresh.data.get("ticket") if fresh is not None else None
        lang = Lang(person.lang) if person else Lang.ZH
        text = t(lang, "abandoned.resident_desk", ticket=ticket or "-", hotline=self.settings.utility.hotline)
        message = Text(chat=data["chat"], text=text, priority=Priority.EMERGENCY)
        await queue(
            scope, message, ticket_id=ticket, purpose="receipt", recipient_id=person.id if person else None,
            channel=data["channel"],
        )  # fmt: skip
