"""The channel-neutral core: one inbound event in, replies out.

Each event is handled in one database transaction. The safety card goes out through ``urgent`` the
moment danger is recognised, before anything is read or written; every other reply is returned to
the adapter only after the transaction committed (durable before acknowledged).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot import dispatch, intake
from bot.clock import Clock
from bot.config import Settings
from bot.context import Ctx
from bot.detect import Danger, detect
from bot.events import Answer, Inbound, Kind, Outbound, Priority, Text
from bot.i18n import Lang, lang_from_code, t
from bot.menu import menu_item, menu_keyboard
from storage.conversations import ConversationsRepo
from storage.db import Database
from storage.people import PeopleRepo
from storage.tickets import TicketsRepo

logger = logging.getLogger(__name__)

Urgent = Callable[[Outbound], None]


def safety_cards(danger: Danger, lang: Lang, chat: str, hotline: str) -> list[Outbound]:
    """The advice to show before any question: gas first, CO first aid, fire."""
    keys = []
    if danger.fire:
        keys.append("safety.fire_card")
    if danger.gas or (not danger.co and not danger.co_symptoms and not danger.fire):
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

    async def handle(self, ev: Inbound, urgent: Urgent) -> list[Outbound]:
        now = self.clock.now()
        danger = detect(ev.text) if ev.kind in (Kind.TEXT, Kind.COMMAND) and ev.text else None
        async with self.db.transaction() as tx:
            person = await PeopleRepo(tx).ensure(
                ev.channel, ev.user, name=ev.name, lang=lang_from_code(ev.lang_code).value, now=now
            )
            ctx = Ctx(ev=ev, now=now, person=person, tx=tx, settings=self.settings)
            await self._route(ctx, danger, urgent)
        if ctx.outbox_rows:
            self.on_outbox()
        if ev.kind is Kind.BUTTON and ev.button_id and not any(isinstance(r, Answer) for r in ctx.replies):
            ctx.replies.insert(0, Answer(chat=ev.chat, button_id=ev.button_id))
        return ctx.replies

    async def _route(self, ctx: Ctx, danger: Danger | None, urgent: Urgent) -> None:
        ev = ctx.ev
        conv = await ConversationsRepo(ctx.tx).get(ev.channel, ev.user)
        in_report = conv is not None and conv.flow == intake.FLOW
        card_shown = bool(conv and conv.data.get("card_shown"))
        if danger is not None and danger.any and not card_shown:
            for card in safety_cards(danger, ctx.lang, ev.chat, self.settings.utility.hotline):
                urgent(card)
        if ev.kind is Kind.BUTTON:
            await self._button(ctx, in_report)
            return
        if not ev.private:
            if danger is not None and danger.any:
                ctx.say("start.write_privately")
            return
        if ev.kind is Kind.COMMAND and await self._command(ctx):
            return
        if ev.kind is Kind.TEXT and (item := menu_item(ev.text)) and await self._menu(ctx, item, danger):
            return
        if ev.kind is Kind.TEXT and ev.text.strip() in (ctx.t("intake.cancel_key"), "/cancel"):
            await intake.cancel(ctx)
            return
        if in_report and conv is not None:
            await intake.on_event(ctx, conv)
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
        ctx.say("start.not_understood", keyboard=menu_keyboard(ctx.lang))

    async def _button(self, ctx: Ctx, in_report: bool) -> None:
        data = ctx.ev.data or ""
        if data.startswith("t:"):
            await dispatch.on_button(ctx)
        elif data.startswith("i:") and in_report:
            conv = await ConversationsRepo(ctx.tx).get(ctx.ev.channel, ctx.ev.user)
            assert conv is not None
            await intake.on_event(ctx, conv)
        elif data.startswith("m:lang:") and data[7:] in {lang.value for lang in Lang}:
            await self._set_lang(ctx, Lang(data[7:]))
        else:
            ctx.replies.append(
                Answer(chat=ctx.ev.chat, button_id=ctx.ev.button_id or "", text=ctx.t("start.stale_button"))
            )

    async def _command(self, ctx: Ctx) -> bool:
        command = ctx.ev.command
        if command in ("start", "help"):
            ctx.say(f"start.{command}", keyboard=menu_keyboard(ctx.lang))
        elif command == "report":
            await intake.choose_category(ctx)
        elif command == "cancel":
            await intake.cancel(ctx)
        elif command == "status":
            await self._status(ctx)
        elif command == "language":
            await self._menu(ctx, "language", None)
        else:
            return False
        return True

    async def _menu(self, ctx: Ctx, item: str, danger: Danger | None) -> bool:
        if item == "smell_gas":
            await intake.start(ctx, "leak", card_shown=True)
        elif item == "report":
            await intake.choose_category(ctx)
        elif item == "status":
            await self._status(ctx)
        elif item == "language":
            other = Lang.EN if ctx.lang is Lang.ZH else Lang.ZH
            await self._set_lang(ctx, other)
        else:
            return False
        return True

    async def _set_lang(self, ctx: Ctx, lang: Lang) -> None:
        await PeopleRepo(ctx.tx).set_lang(ctx.person.id, lang.value)
        ctx.person = ctx.person.model_copy(update={"lang": lang.value})
        ctx.say("start.language_set", keyboard=menu_keyboard(lang))

    async def _status(self, ctx: Ctx) -> None:
        tickets = await TicketsRepo(ctx.tx).of_resident(ctx.person.id)
        if not tickets:
            ctx.say("status.none", keyboard=menu_keyboard(ctx.lang))
            return
        tz = self.settings.utility.tz
        lines = [ctx.t("status.title")]
        for ticket in tickets:
            lines.append(
                ctx.t(
                    "status.line",
                    ticket=ticket.id,
                    category=ctx.t(f"category.{ticket.category}"),
                    status=ctx.t(f"status.{ticket.status}"),
                    time=ticket.created_at.astimezone(tz).strftime("%m-%d %H:%M"),
                )
            )
        ctx.say_text("\n".join(lines), keyboard=menu_keyboard(ctx.lang))
