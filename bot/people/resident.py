"""The resident's own commands and menu: welcome, help, my reports, language."""

from __future__ import annotations

from dataclasses import dataclass

from bot.broadcast import subscriptions
from bot.context import Ctx
from bot.i18n import Lang, catalog
from bot.intake import conversation as intake
from bot.intake.menu import menu_keyboard
from bot.people import invites
from bot.routes import Codec, Router
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


@dataclass(frozen=True)
class LangChoice:
    """``m:lang:<code>``: a language button (on the older welcome messages)."""

    lang: str

    def __post_init__(self) -> None:
        Lang(self.lang)  # ValueError: not a language of the catalogs


LANG_BUTTON = Codec("m:lang:", LangChoice, LangChoice(Lang.EN.value))


async def lang_button(ctx: Ctx, choice: LangChoice) -> None:
    await set_lang(ctx, Lang(choice.lang))


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


ROUTES = Router("resident")
ROUTES.command("start", start)  # in the order of the command menu (Routes.command_menu)
ROUTES.command("report", intake.choose_category)
ROUTES.command("status", status)
ROUTES.command("cancel", intake.cancel)
ROUTES.command("language", toggle_lang)
ROUTES.command("help", help_)
ROUTES.menu("smell_gas", smell_gas)
ROUTES.menu("report", intake.choose_category)
ROUTES.menu("status", status)
ROUTES.menu("language", toggle_lang)
ROUTES.button(LANG_BUTTON, lang_button)
