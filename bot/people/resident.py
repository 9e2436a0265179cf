"""The resident's own commands and menu: welcome, help, my reports, language."""

from __future__ import annotations

from bot.broadcast import subscriptions
from bot.context import Ctx, Handler
from bot.i18n import Lang, catalog
from bot.intake import conversation as intake
from bot.intake.menu import menu_keyboard
from bot.people import invites
from storage.people import PeopleRepo
from storage.tickets import TicketsRepo

TIMELINES = 2
MAX_MESSAGE = 4000


async def start(ctx: Ctx) -> None:
    if ctx.ev.args and await invites.on_start(ctx, ctx.ev.args[0]):
        return
    ctx.say("start.start", keyboard=menu_keyboard(ctx.lang))
    await subscriptions.on_start(ctx)


async def help_(ctx: Ctx) -> None:
    ctx.say("start.help", keyboard=menu_keyboard(ctx.lang))


async def set_lang(ctx: Ctx, lang: Lang) -> None:
    await PeopleRepo(ctx.tx).set_lang(ctx.person.id, lang.value)
    ctx.person = ctx.person.model_copy(update={"lang": lang.value})
    ctx.say("start.language_set", keyboard=menu_keyboard(lang))


async def toggle_lang(ctx: Ctx) -> None:
    await set_lang(ctx, Lang.EN if ctx.lang is Lang.ZH else Lang.ZH)


async def lang_button(ctx: Ctx) -> None:
    code = (ctx.ev.data or "")[len("m:lang:") :]
    if code in {lang.value for lang in Lang}:
        await set_lang(ctx, Lang(code))


async def status(ctx: Ctx) -> None:
    tickets = await TicketsRepo(ctx.tx).of_resident(ctx.person.id)
    if not tickets:
        ctx.say("status.none", keyboard=menu_keyboard(ctx.lang))
        return
    tz = ctx.settings.utility.tz
    repo = TicketsRepo(ctx.tx)
    lines = [ctx.t("status.title")]
    for number, ticket in enumerate(tickets):
        status_key = f"status.{ticket.status}"
        lines.append(
            ctx.t(
                "status.line",
                ticket=ticket.id,
                category=ctx.t(f"category.{ticket.category}"),
                status=ctx.t(status_key) if status_key in catalog(ctx.lang) else ticket.status,
                time=ticket.created_at.astimezone(tz).strftime("%m-%d %H:%M"),
            )
        )
        if ticket.is_open or number < TIMELINES:  # the timeline of open and the most recent reports
            for event in await repo.events(ticket.id):
                key = f"status.ev_{event.kind}"
                if key in catalog(ctx.lang):
                    when = event.at.astimezone(tz).strftime("%H:%M")
                    lines.append(ctx.t("status.timeline_line", time=when, event=ctx.t(key)))
    ctx.say_text("\n".join(lines)[:MAX_MESSAGE], keyboard=menu_keyboard(ctx.lang))


async def smell_gas(ctx: Ctx) -> None:
    await intake.start(ctx, "leak", card_shown=True)


COMMANDS: dict[str, Handler] = {
    "start": start,
    "help": help_,
    "report": intake.choose_category,
    "cancel": intake.cancel,
    "status": status,
    "language": toggle_lang,
}
MENU: dict[str, Handler] = {
    "smell_gas": smell_gas,
    "report": intake.choose_category,
    "status": status,
    "language": toggle_lang,
}
BUTTONS: dict[str, Handler] = {"m:lang:": lang_button}
