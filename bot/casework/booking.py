"""Household safety inspection booking (安检预约).

An inspection report (category ``inspection``) whose place lies in a district with a slot plan
(``[[booking.plans]]``) is offered that district's free slots on the next working days, as buttons
(``bk:s:<ticket>:<YYYYmmddHHMM>``, local time). A slot has a capacity; the database takes a booking only
while there is room (``storage.bookings``), so of two residents pressing for the last place at once one
gets it and the other is told kindly and offered the remaining times. The resident can move
(``bk:m:<booking>``) or cancel (``bk:x:<booking>``) it; the day before, a reminder says what to prepare
and how to recognise a genuine inspector (``bot.casework.deadlines``). ``/today`` lists the day's visits for
the staff, who mark each one done (``bk:ok:<booking>``). Every step is a ticket event.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from bot.broadcast.holiday_dates import working_day
from bot.casework import hazards
from bot.config.broadcast import district_of
from bot.config.casework import SlotPlan
from bot.config.settings import Settings
from bot.context import Ctx
from bot.dispatch.offer import Scope, queue
from bot.i18n import Lang, t
from bot.numbers import ascii_int
from bot.routes import Codec, Router
from common.events import Button, Priority, Text
from storage.bookings import Booking, BookingsRepo
from storage.desk import DeskRepo
from storage.tickets import Ticket, TicketsRepo

logger = logging.getLogger(__name__)

STAMP = "%Y%m%d%H%M"
MAX_BUTTONS = 12


def plan_for(settings: Settings, ticket: Ticket) -> SlotPlan | None:
    """The slot plan of the ticket's district, else the plan for everywhere (``district = ""``)."""
    plans = settings.booking.plans
    district = district_of(settings.districts, ticket.latitude, ticket.longitude)
    return next((p for p in plans if district and p.district == district), None) or next(
        (p for p in plans if not p.district), None
    )


def offered_slots(settings: Settings, plan: SlotPlan, now: datetime) -> list[datetime]:
    """The plan's slots (UTC) on the next ``days_ahead`` working days after today (local). Pure."""
    tz = settings.utility.tz
    day = now.astimezone(tz).date()
    out: list[datetime] = []
    for _ in range(settings.booking.days_ahead * 3 + 14):
        day += timedelta(days=1)
        if not working_day(day):
            continue
        out += [datetime.combine(day, at, tzinfo=tz).astimezone(UTC) for at in sorted(plan.times)]
        if len(out) >= settings.booking.days_ahead * len(plan.times):
            break
    return out


def remind_at(settings: Settings, slot: datetime) -> datetime:
    """The day before the visit at ``remind_at`` (local)."""
    tz = settings.utility.tz
    before = slot.astimezone(tz).date() - timedelta(days=1)
    return datetime.combine(before, settings.booking.remind_at, tzinfo=tz).astimezone(UTC)


def _local(settings: Settings, at: datetime, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return at.astimezone(settings.utility.tz).strftime(fmt)


def slot_label(settings: Settings, lang: Lang, slot: datetime) -> str:
    """``03-02 Tue 09:00`` / ``03-02 周二 09:00`` (the weekday from the catalog, not the system locale)."""
    local = slot.astimezone(settings.utility.tz)
    weekday = t(lang, "booking.weekdays").split()[local.weekday()]
    return f"{local:%m-%d} {weekday} {local:%H:%M}"


async def _free(scope: Scope, ticket: Ticket, plan: SlotPlan) -> list[datetime]:
    slots = offered_slots(scope.settings, plan, scope.now)
    taken = await BookingsRepo(scope.tx).taken(plan.district, slots)
    return [slot for slot in slots if taken[slot] < plan.capacity]


async def offer(scope: Scope, ticket: Ticket, key: str = "booking.choose") -> bool:
    """Send the resident the free slots as buttons; False when there is no plan for the place."""
    plan = plan_for(scope.settings, ticket)
    if plan is None:
        return False
    lang = Lang(ticket.lang)
    free = await _free(scope, ticket, plan)
    buttons = [
        [
            Button(
                text=slot_label(scope.settings, lang, slot),
                data=_button("s", ticket.id, _local(scope.settings, slot, STAMP)),
            )
        ]
        for slot in free[:MAX_BUTTONS]
    ]
    text = t(lang, key if free else "booking.none_free", ticket=ticket.id, hotline=scope.settings.utility.hotline)
    message = Text(chat=ticket.chat, text=text, buttons=buttons, priority=Priority.CONVERSATION)
    await queue(
        scope,
        message,
        ticket_id=ticket.id,
        purpose="booking_offer",
        recipient_id=ticket.resident_id,
    )
    return True


async def on_new_ticket(ctx: Ctx, ticket_id: int) -> None:
    """Hook after a service report became a ticket: an inspection report is offered the slots."""
    ticket = await TicketsRepo(ctx.tx).get(ticket_id)
    if ticket is not None and ticket.category == "inspection" and await offer(ctx, ticket):
        await TicketsRepo(ctx.tx).event(ticket.id, "booking_offered", now=ctx.now, actor_id=None)


async def _refuse(ctx: Ctx, reason: str) -> None:
    await ctx.audit_refusal("booking_button", f"{reason}: {ctx.ev.data}")
    ctx.toast("start.stale_button")


@dataclass(frozen=True)
class BookingPress:
    """``bk:<action>:<number>[:<slot>]``: take a slot (s: ticket number, local YYYYmmddHHMM), move (m) or
    cancel (x) a booking, or mark the visit done (ok: booking number)."""

    action: Literal["s", "m", "x", "ok"]
    number: int
    slot: str = ""

    def __post_init__(self) -> None:
        if (self.action == "s") != bool(self.slot) or (self.slot and ascii_int(self.slot) is None):
            raise ValueError(f"bk:{self.action} does not take {self.slot!r}")
        if self.slot and len(self.slot) != len("202701010900"):
            raise ValueError(f"not a slot: {self.slot!r}")


BUTTON = Codec("bk:", BookingPress, BookingPress("s", 1, "202703020900"))


def _button(action: Literal["s", "m", "x", "ok"], number: int, slot: str = "") -> str:
    return BUTTON.encode(BookingPress(action, number, slot))


async def _forged(ctx: Ctx) -> None:
    await _refuse(ctx, "forged")


def _manage_buttons(lang: Lang, booking_id: int) -> list[list[Button]]:
    return [
        [Button(text=t(lang, "booking.move_button"), data=_button("m", booking_id))],
        [Button(text=t(lang, "booking.cancel_button"), data=_button("x", booking_id))],
    ]


async def on_button(ctx: Ctx, press: BookingPress) -> None:
    action, number, arg = press.action, press.number, press.slot
    bookings, tickets = BookingsRepo(ctx.tx), TicketsRepo(ctx.tx)
    booking = None if action == "s" else await bookings.get(number)
    ticket = await tickets.get(number if action == "s" else (booking.ticket_id if booking else 0))
    if ticket is None:
        await _refuse(ctx, "forged")
        return
    if action == "ok":
        if not ctx.person.is_staff:
            await _refuse(ctx, "not_staff")
            return
        assert booking is not None
        await _done(ctx, ticket, booking)
        return
    if ticket.resident_id != ctx.person.id:
        await _refuse(ctx, "not_yours")
        return
    if action == "s":
        await _book(ctx, ticket, arg)
    elif action == "m":
        if not await offer(ctx, ticket, "booking.choose_new"):
            ctx.toast("start.stale_button")
    else:
        assert booking is not None
        await _cancel(ctx, ticket, booking)


async def _book(ctx: Ctx, ticket: Ticket, stamp: str) -> None:
    plan = plan_for(ctx.settings, ticket)
    slots = {_local(ctx.settings, s, STAMP): s for s in offered_slots(ctx.settings, plan, ctx.now)} if plan else {}
    if plan is None or stamp not in slots:
        ctx.toast("booking.slot_gone")
        return
    slot = slots[stamp]
    bookings = BookingsRepo(ctx.tx)
    earlier = await bookings.active_of_ticket(ticket.id)
    if earlier is not None and earlier.slot_at_utc == slot:
        ctx.toast("booking.already_booked")
        return
    booking_id = await bookings.take(
        ticket_id=ticket.id, resident_id=ctx.person.id, district=plan.district, slot=slot, capacity=plan.capacity,
        now=ctx.now, remind=remind_at(ctx.settings, slot),
    )  # fmt: skip
    if booking_id is None:
        ctx.toast("booking.full_toast")
        ctx.edit_pressed(ctx.t("booking.full", ticket=ticket.id))
        await offer(ctx, ticket, "booking.choose_other")
        return
    if earlier is not None:
        await bookings.cancel(earlier.id)
        await TicketsRepo(ctx.tx).event(
            ticket.id, "booking_moved", now=ctx.now, actor_id=ctx.person.id, booking=earlier.id
        )
    await TicketsRepo(ctx.tx).event(
        ticket.id, "inspection_booked", now=ctx.now, actor_id=ctx.person.id, booking=booking_id, slot=slot.isoformat()
    )
    ctx.toast("booking.booked_toast")
    when = _local(ctx.settings, slot)
    ctx.edit_pressed(ctx.t("booking.booked", ticket=ticket.id, when=when), _manage_buttons(ctx.lang, booking_id))


async def _cancel(ctx: Ctx, ticket: Ticket, booking: Booking) -> None:
    if not await BookingsRepo(ctx.tx).cancel(booking.id):
        ctx.toast("booking.not_active")
        return
    await TicketsRepo(ctx.tx).event(
        ticket.id, "booking_cancelled", now=ctx.now, actor_id=ctx.person.id, booking=booking.id
    )
    ctx.toast("booking.cancelled_toast")
    ctx.edit_pressed(ctx.t("booking.cancelled", ticket=ticket.id, when=_local(ctx.settings, booking.slot_at_utc)))


async def _done(ctx: Ctx, ticket: Ticket, booking: Booking) -> None:
    if not await BookingsRepo(ctx.tx).done(booking.id, ctx.now, ctx.person.id):
        ctx.toast("booking.not_active")
        return
    await TicketsRepo(ctx.tx).event(
        ticket.id, "inspection_done", now=ctx.now, actor_id=ctx.person.id, booking=booking.id
    )
    await DeskRepo(ctx.tx).close(ticket.id, now=ctx.now, actor_id=ctx.person.id, reason="inspection done")
    ctx.toast("booking.done_toast")
    text = ctx.t("booking.done", ticket=ticket.id, name=ctx.person.name)
    ctx.edit_pressed(text, [[hazards.record_button(ctx.lang, ticket.id)]])  # an inspection finding


async def reminders_due(scope: Scope) -> int:
    """The day-before reminders that fell due (once each); returns how many."""
    bookings, tickets = BookingsRepo(scope.tx), TicketsRepo(scope.tx)
    sent = 0
    for booking in await bookings.to_remind(scope.now):
        ticket = await tickets.get(booking.ticket_id)
        if ticket is None or not await bookings.mark_reminded(booking.id, scope.now):
            continue
        lang = Lang(ticket.lang)
        text = t(
            lang,
            "booking.reminder",
            ticket=ticket.id,
            when=_local(scope.settings, booking.slot_at_utc),
            hotline=scope.settings.utility.hotline,
        )
        message = Text(chat=ticket.chat, text=text, buttons=_manage_buttons(lang, booking.id), priority=Priority.NOTICE)
        await queue(
            scope,
            message,
            ticket_id=ticket.id,
            purpose="booking_reminder",
            recipient_id=ticket.resident_id,
        )
        await tickets.event(ticket.id, "booking_reminded", now=scope.now, actor_id=None, booking=booking.id)
        sent += 1
    return sent


async def today(ctx: Ctx) -> None:
    """``/today``: the day's booked visits (local day), for the staff, each with its "done" button."""
    tz = ctx.settings.utility.tz
    start = datetime.combine(ctx.now.astimezone(tz).date(), datetime.min.time(), tzinfo=tz).astimezone(UTC)
    visits = await BookingsRepo(ctx.tx).between(start, start + timedelta(days=1))
    if not visits:
        ctx.say("booking.today_empty")
        return
    tickets = TicketsRepo(ctx.tx)
    lines, buttons = [ctx.t("booking.today_head", count=len(visits))], []
    for visit in visits:
        ticket = await tickets.get(visit.ticket_id)
        key = "booking.today_done" if visit.status == "done" else "booking.today_line"
        lines.append(
            ctx.t(
                key, time=_local(ctx.settings, visit.slot_at_utc, "%H:%M"), district=visit.district or "-",
                ticket=visit.ticket_id, address=(ticket.address if ticket else None) or "-",
            )
        )  # fmt: skip
        if visit.status == "booked":
            buttons.append(
                [Button(text=ctx.t("booking.done_button", ticket=visit.ticket_id), data=_button("ok", visit.id))]
            )
    ctx.say_text("\n".join(lines), buttons=buttons[:MAX_BUTTONS])


ROUTES = Router("booking")
ROUTES.command("today", today, "staff", refusal="booking.today_refused")
ROUTES.button(BUTTON, on_button, unreadable=_forged)
