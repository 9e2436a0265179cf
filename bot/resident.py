"""The resident's own commands and menu: welcome, help, my reports, language."""

from __future__ import annotations

from bot import intake
from bot.context import Ctx, Handler
from bot.i18n import Lang
from bot.menu import menu_keyboard
from storage.people import PeopleRepo
from storage.tickets import TicketsRepo


async def start(ctx: Ctx) -> None:
    ctx.say("start.start", keyboard=menu_keyboard(ctx.lang))


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
