"""The channel-neutral core: one inbound event in, replies out.

Each event is handled in one database transaction. The safety card goes out through ``urgent`` the
moment danger is recognised, before anything else is decided; every other reply is returned to the
adapter only after the transaction committed (durable before acknowledged).

Feature modules export ``COMMANDS`` (command -> handler), ``MENU`` (menu entry -> handler) and
``BUTTONS`` (button-data prefix -> handler); ``FEATURES`` lists them, and only here are they joined.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from types import ModuleType

from bot import (
    admin,
    crew_actions,
    desk,
    dispatch,
    duty,
    flood,
    followup,
    intake,
    qa,
    relay,
    resident,
    sla,
    subscriptions,
)
from bot.clock import Clock
from bot.config import Settings
from bot.context import Ctx, Handler
from bot.detect import Danger, detect
from bot.events import Answer, Inbound, Kind, Outbound, Priority, Text
from bot.i18n import Lang, lang_from_code, t
from bot.menu import menu_item, menu_keyboard
from storage.conversations import ConversationsRepo
from storage.db import Conn, Database
from storage.people import PeopleRepo

logger = logging.getLogger(__name__)

Urgent = Callable[[Outbound], None]

FEATURES: tuple[ModuleType, ...] = (
    resident,
    intake,
    dispatch,
    duty,
    qa,
    followup,
    crew_actions,
    desk,
    relay,
    sla,
    subscriptions,
    admin,
)


def _joined(name: str) -> dict[str, Handler]:
    table: dict[str, Handler] = {}
    for module in FEATURES:
        for key, handler in getattr(module, name, {}).items():
            if key in table:
                raise RuntimeError(f"{name} entry {key!r} is claimed twice ({module.__name__})")
            table[key] = handler
    return table


def safety_cards(danger: Danger, lang: Lang, chat: str, hotline: str) -> list[Outbound]:
    """The advice to show before any question: fire, gas, CO first aid."""
    keys = []
    if danger.fire:
        keys.append("safety.fire_card")
    if danger.gas or not (danger.co or danger.co_symptoms or danger.fire):
        keys.append("safety.card")
    if danger.co or danger.co_symptoms:
        keys.append("safety.co_card")
    return [Text(chat=chat, text=t(lang, key, hotline=hotline), priority=Priority.EMERGENCY) for key in keys]


class Core:
    def __init__(self, settings: Settings, db: Database, clock: Clock, *, on_outbox: Callable[[], None]) -> None:
        self.settings = settings
        self.db = db
        self.clock = clock
        self.on_outbox = on_outbox
        self.commands = _joined("COMMANDS")
        self.menu = _joined("MENU")
        self.buttons = _joined("BUTTONS")
        self.flows = _joined("FLOWS")  # conversation flow name -> handler of the next message in it
        self.flood = flood.FloodLimiter()

    async def handle(self, ev: Inbound, urgent: Urgent) -> list[Outbound]:
        now = self.clock.now()
        danger = detect(ev.text) if ev.kind in (Kind.TEXT, Kind.PHOTO) and ev.text else None
        if ev.kind is Kind.TEXT and menu_item(ev.text) == "smell_gas":
            danger = Danger(gas=True)
        loop = asyncio.get_running_loop()

        def urgent_now(message: Outbound) -> None:  # called in the database's thread (Database.run)
            loop.call_soon_threadsafe(urgent, message)

        async def body(tx: Conn) -> Ctx:
            person = await PeopleRepo(tx).ensure(
                ev.channel, ev.user, name=ev.name, lang=lang_from_code(ev.lang_code).value, now=now
            )
            ctx = Ctx(ev=ev, now=now, person=person, tx=tx, settings=self.settings)
            await self._route(ctx, danger, urgent_now)
            return ctx

        ctx = await self.db.run(body)
        if ctx.outbox_rows:
            self.on_outbox()
        if ev.kind is Kind.BUTTON and ev.button_id and not any(isinstance(r, Answer) for r in ctx.replies):
            ctx.replies.insert(0, Answer(chat=ev.chat, button_id=ev.button_id))
        return ctx.replies

    async def _route(self, ctx: Ctx, danger: Danger | None, urgent: Urgent) -> None:
        ev = ctx.ev
        conv = await ConversationsRepo(ctx.tx).get(ev.channel, ev.user)
        ctx.conv, ctx.conv_read = conv, True
        in_report = conv is not None and conv.flow == intake.FLOW
        staff_at_work = ctx.person.is_staff and conv is not None and conv.flow in self.flows  # notes, relay
        if danger is not None and danger.any and not (conv and conv.data.get("card_shown")) and not staff_at_work:
            for card in safety_cards(danger, ctx.lang, ev.chat, self.settings.utility.hotline):
                urgent(card)
        if not flood.admit(ctx, danger, conv, self.flood):
            return
        if ev.kind is Kind.BUTTON:
            await self._button(ctx)
            return
        if not ev.private:
            if ev.kind is not Kind.COMMAND and not (danger is not None and danger.any):
                return  # a group's chatter is not for the bot
            # The card went to the group; the rest goes on in private (never an address or phone in a group).
            ctx.say("start.write_privately")
            ev = ctx.ev = ev.model_copy(update={"chat": ev.user, "private": True})
        if ev.kind is Kind.COMMAND:
            handler = self.commands.get(ev.command)
            if handler is None:
                ctx.say("start.unknown_command")
            else:
                await handler(ctx)
            return
        if ev.kind is Kind.TEXT and (item := menu_item(ev.text)) and item in self.menu:
            await self.menu[item](ctx)
            return
        if ev.kind is Kind.TEXT and ev.text.strip() == ctx.t("intake.cancel_key"):
            await intake.cancel(ctx)
            return
        if in_report and conv is not None:
            await intake.on_event(ctx, conv)
            return
        if conv is not None and conv.flow in self.flows:
            await self.flows[conv.flow](ctx)
            return
        if danger is not None and danger.any:
            category = "co" if (danger.co or danger.co_symptoms) and not danger.gas else "leak"
            await intake.start(ctx, category, card_shown=True, fire=danger.fire)
            return
        if ev.kind in (Kind.LOCATION, Kind.CONTACT, Kind.PHOTO):
            answers = {"location": {"lat": ev.latitude, "lon": ev.longitude}} if ev.kind is Kind.LOCATION else {}
            await intake.choose_category(ctx, answers)
            return
        if ev.kind is Kind.MEDIA:
            ctx.say("start.media_unsupported", keyboard=menu_keyboard(ctx.lang))
            return
        await qa.on_free_text(ctx, conv)

    async def _button(self, ctx: Ctx) -> None:
        data = ctx.ev.data or ""
        for prefix, handler in self.buttons.items():
            if data.startswith(prefix):
                await handler(ctx)
                return
        ctx.replies.append(Answer(chat=ctx.ev.chat, button_id=ctx.ev.button_id or "", text=ctx.t("start.stale_button")))
