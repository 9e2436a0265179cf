"""The channel-neutral core: one inbound event in, replies out.

Each event is handled in one database transaction. The safety card goes out through ``urgent`` the
moment danger is recognised, before anything else is decided; every other reply is returned to the
adapter only after the transaction committed (durable before acknowledged).

Each feature module declares its routes (``ROUTES``, a ``bot.routes.Router``: commands, menu entries,
buttons, conversation flows, each with its permission); ``FEATURES`` lists them, and only here are they
joined; ``Routes.handle`` checks the route's permission before its handler.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable

from bot.board import command as board
from bot.broadcast import admin, subscriptions
from bot.casework import booking, hazards
from bot.casework import cases as casework
from bot.clock import Clock
from bot.config.settings import Settings
from bot.context import Ctx
from bot.danger import flows as first_answer
from bot.danger.detect import Danger, Outcome, detect
from bot.dispatch import crew_actions, desk, followup, incident_desk, relay, sla
from bot.drills import chat as drill_chat
from bot.drills import joins as _drills_join  # noqa: F401  (drills join dispatch: bot.dispatch.hooks)
from bot.i18n import lang_from_code
from bot.intake import conversation as intake
from bot.intake import flood, live_ticket
from bot.intake.area import valid_point
from bot.intake.asking import ask_on_card
from bot.intake.menu import menu_item, menu_keyboard
from bot.key_sites import chat as site_chat
from bot.outbound.reach import Reachability
from bot.people import resident, revoke
from bot.questions import qa
from bot.rota import duty
from bot.routes import Router, Routes, expired
from common.events import Answer, EventKind, Inbound, Outbound, Text
from storage.conversations import Conversation, ConversationsRepo
from storage.db import Conn, Database
from storage.people import PeopleRepo

logger = logging.getLogger(__name__)

Urgent = Callable[[Outbound], None]

FEATURES: tuple[Router, ...] = (
    first_answer.ROUTES,
    resident.ROUTES,
    intake.ROUTES,
    duty.ROUTES,
    qa.ROUTES,
    followup.ROUTES,
    crew_actions.ROUTES,
    desk.ROUTES,  # the desk's commands lead a dispatcher's menu
    incident_desk.ROUTES,
    hazards.ROUTES,
    casework.ROUTES,
    booking.ROUTES,
    relay.ROUTES,
    sla.ROUTES,
    subscriptions.ROUTES,
    admin.ROUTES,
    revoke.ROUTES,
    board.ROUTES,
    drill_chat.ROUTES,
    site_chat.ROUTES,
)


class Core:
    def __init__(
        self,
        settings: Settings,
        db: Database,
        clock: Clock,
        *,
        on_outbox: Callable[[], None],
        reach: Reachability | None = None,
    ) -> None:
        self.settings = settings
        self.reach = reach or Reachability()
        self.db = db
        self.clock = clock
        self.on_outbox = on_outbox
        self.routes = Routes(FEATURES)
        self.flows = self.routes.flows  # conversation flow name -> the route of the next message in it
        self.flood = flood.FloodLimiter()

    async def handle(self, ev: Inbound, urgent: Urgent) -> list[Outbound]:
        now = self.clock.now()
        danger = detect(ev.text) if ev.kind in (EventKind.TEXT, EventKind.PHOTO) and ev.text else None
        if ev.kind is EventKind.TEXT and menu_item(ev.text) == "smell_gas":
            danger = Danger(gas=True, outcome=Outcome.NOW)
        loop = asyncio.get_running_loop()

        def urgent_now(message: Outbound) -> None:  # called in the database's thread (Database.run)
            loop.call_soon_threadsafe(urgent, message)

        async def body(tx: Conn) -> Ctx:
            person = await PeopleRepo(tx).ensure(
                ev.channel, ev.user, name=ev.name, lang=lang_from_code(ev.lang_code).value, now=now
            )
            if ev.private and self.reach.is_marked(person.id):
                await self.reach.clear(tx, person.id)  # they wrote to the bot: it can reach them again
            ctx = Ctx(ev=ev, now=now, person=person, tx=tx, settings=self.settings)
            await self._route(ctx, danger, urgent_now)
            return ctx

        ctx = await self.db.run(body)
        if ev.private:
            self.reach.unreachable.discard(ctx.person.id)
        if ctx.outbox_rows:
            self.on_outbox()
        if ev.kind is EventKind.BUTTON and ev.button_id and not any(isinstance(r, Answer) for r in ctx.replies):
            ctx.replies.insert(0, Answer(chat=ev.chat, button_id=ev.button_id))
        return ctx.replies

    async def _route(self, ctx: Ctx, danger: Danger | None, urgent: Urgent) -> None:
        ev = ctx.ev
        conv = await ConversationsRepo(ctx.tx).get(ev.channel, ev.user)
        ctx.conv, ctx.conv_read = conv, True
        in_report = conv is not None and conv.flow == intake.FLOW
        staff_at_work = ctx.person.is_staff and conv is not None and conv.flow in self.flows  # notes, relay
        if danger is not None and not staff_at_work:
            await self._first_card(ctx, danger, conv, urgent)
        if ev.anonymous:  # the group spoke (anonymous admin): the card went to the group; nobody to ask privately
            if danger is not None and danger.any:
                ctx.say("start.anonymous_sender")
            return
        if ev.inline:
            ctx.replies.append(Answer(chat=ev.chat, button_id=ev.button_id or "", text=ctx.t("start.inline_button")))
            return
        if not flood.admit(ctx, danger, conv, self.flood):
            return
        if ev.kind is EventKind.LOCATION and not valid_point(ev.latitude, ev.longitude):
            ctx.say("intake.bad_location")  # no client sends that: a forged pin is not kept, the step stays
            return
        if ev.kind is EventKind.BUTTON:
            await self._button(ctx)
            return
        if not ev.private:
            if ev.kind is not EventKind.COMMAND and not (danger is not None and danger.any):
                return  # a group's chatter is not for the bot
            # The card went to the group; the rest goes on in private (never an address or phone in a group).
            ctx.say("start.write_privately")
            ev = ctx.ev = ev.model_copy(update={"chat": ev.user, "private": True})
        if ev.kind is EventKind.COMMAND:
            route = self.routes.commands.get(ev.command)
            if route is None:
                ctx.say("start.unknown_command")
            else:
                await self.routes.handle(route, ctx)
            return
        if ev.kind is EventKind.TEXT and (item := menu_item(ev.text)) and item in self.routes.menu:
            await self.routes.handle(self.routes.menu[item], ctx)
            return
        if ev.kind is EventKind.TEXT and ev.text.strip() == ctx.t("intake.cancel_key"):
            await intake.cancel(ctx)
            return
        if in_report and conv is not None:
            await intake.on_event(ctx, conv)
            return
        if danger is not None and danger.outcome is Outcome.NOW and conv is not None and conv.flow == first_answer.FLOW:
            await first_answer.start_report(ctx, dataclasses.replace(danger, medical=True))  # answered the question
            return
        if conv is not None and conv.flow in self.flows:
            await self.routes.handle(self.flows[conv.flow], ctx)
            return
        if danger is not None and danger.outcome is Outcome.NOW:
            await first_answer.start_report(ctx, danger)
            return
        if danger is not None and danger.outcome is Outcome.MEDICAL:
            await first_answer.start_medical(ctx)
            return
        if ev.kind in (EventKind.LOCATION, EventKind.CONTACT, EventKind.PHOTO):
            answers = {"location": {"lat": ev.latitude, "lon": ev.longitude}} if ev.kind is EventKind.LOCATION else {}
            await intake.choose_category(ctx, answers)
            return
        if ev.kind is EventKind.MEDIA:
            ctx.say("start.media_unsupported", keyboard=menu_keyboard(ctx.lang))
            return
        await qa.on_free_text(ctx, conv)

    async def _first_card(self, ctx: Ctx, danger: Danger, conv: Conversation | None, urgent: Urgent) -> None:
        """The card owed before anything else: full (now), medical, or the short one (maybe; private chats only).
        A full card in a private chat with no conversation starts a report whose first question is where (the
        danger text's report, or the menu's "I smell gas"): the question rides on the card, after its advice."""
        ev, hotline = ctx.ev, self.settings.utility.hotline
        flow = conv.flow if conv is not None else None
        if danger.outcome is Outcome.NOW:
            if flow == first_answer.FLOW:  # someone collapsed a moment ago, and now gas or CO as well
                danger = dataclasses.replace(danger, medical=True)
            elif conv is not None and conv.data.get("card_shown"):
                return
            card = first_answer.card(danger, ctx.lang, ev.chat, hotline)
            if conv is None and ev.private and isinstance(card, Text):
                card = ask_on_card(ctx, card, await live_ticket.home_of(ctx))
            urgent(card)
        elif danger.outcome is Outcome.MEDICAL and flow != first_answer.FLOW:
            urgent(first_answer.card(danger, ctx.lang, ev.chat, hotline))
        elif danger.outcome is Outcome.MAYBE and flow in (None, qa.FLOW) and ev.private and ev.kind is EventKind.TEXT:
            urgent(first_answer.maybe_card(danger, ctx.lang, ev.chat, hotline))

    async def _button(self, ctx: Ctx) -> None:
        route = self.routes.button(ctx.ev.data or "")
        if route is None:
            expired(ctx)
        else:
            await self.routes.handle(route, ctx)
