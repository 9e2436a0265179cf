"""The command list each client shows (``setMyCommands``): residents' per language, and each staff
member's own list in their private chat (by role, in their language). The lists come from the routes
(``Routes.command_menu``: every command a role may use), never from a list kept here."""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeChat
from telegram.error import BadRequest, Forbidden, InvalidToken, TelegramError

from bot.i18n import DEFAULT_LANG, Lang, t
from bot.people.staff import staff_menus
from bot.routes import RESIDENT, Routes
from handlers.channel import TELEGRAM
from storage.db import Database

logger = logging.getLogger(__name__)


def command_list(lang: Lang, names: list[str]) -> list[BotCommand]:
    return [BotCommand(name, t(lang, f"commands.{name}")) for name in names]


async def register_commands(bot: Bot, db: Database, routes: Routes) -> list[int]:
    """Set the menus; returns the staff whose chat Telegram does not know ("chat not found": they never
    opened the bot) or refuses (they blocked it): the bot cannot reach them yet."""
    unreachable: list[int] = []
    residents = routes.command_menu(RESIDENT)
    await bot.set_my_commands(command_list(DEFAULT_LANG, residents))
    for lang in Lang:
        await bot.set_my_commands(command_list(lang, residents), language_code=lang.value)
    menus = await staff_menus(db, TELEGRAM)
    for person in menus.staff:
        if person.channel != TELEGRAM or not (
            person.external_id.isascii() and person.external_id.lstrip("-").isdigit()
        ):
            continue
        try:
            await bot.set_my_commands(
                command_list(Lang(person.lang), routes.command_menu(person.role)),
                scope=BotCommandScopeChat(int(person.external_id)),
            )
        except InvalidToken:
            raise
        except TelegramError as exc:  # e.g. they never opened the bot: their menu comes with the next start
            logger.info("no command menu for staff member %s yet: %s", person.id, type(exc).__name__)
            if isinstance(exc, Forbidden) or (isinstance(exc, BadRequest) and "chat not found" in exc.message.lower()):
                unreachable.append(person.id)
    for account in menus.former:  # revoked: back to the residents' menu
        if account.isascii() and account.isdigit():
            try:
                await bot.delete_my_commands(scope=BotCommandScopeChat(int(account)))
            except TelegramError as exc:
                logger.info("staff menu of a former staff account not removed: %s", type(exc).__name__)
    return unreachable
