"""The command list each client shows (``setMyCommands``): residents' per language, and each staff
member's own list in their private chat (by role, in their language)."""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeChat
from telegram.error import BadRequest, Forbidden, InvalidToken, TelegramError

from bot.i18n import DEFAULT_LANG, Lang, t
from bot.people.staff import staff_menus
from handlers.channel import TELEGRAM
from storage.db import Database

logger = logging.getLogger(__name__)

RESIDENT_COMMANDS = ("start", "report", "status", "cancel", "tips", "district", "language", "help")
CREW_COMMANDS = ("duty", "msg", "site", "today", "status", "language", "help")
DESK_COMMANDS = (
    "open", "ticket", "assign", "note", "close", "msg", "sla", "hazards", "today", "notice", "board", "drill", "site",
    "duty", "language", "help",
)  # fmt: skip
ROLE_COMMANDS: dict[str, tuple[str, ...]] = {
    "crew": CREW_COMMANDS,
    "lead": CREW_COMMANDS,
    "dispatcher": DESK_COMMANDS,
    "supervisor": (*DESK_COMMANDS[:-2], "revoke", "language", "help"),
    "admin": (*DESK_COMMANDS[:-2], "broadcast", "broadcasts", "revoke", "language", "help"),
}


def command_list(lang: Lang, names: tuple[str, ...] = RESIDENT_COMMANDS) -> list[BotCommand]:
    return [BotCommand(name, t(lang, f"commands.{name}")) for name in names]


async def register_commands(bot: Bot, db: Database) -> list[int]:
    """Set the menus; returns the staff whose chat Telegram does not know ("chat not found": they never
    opened the bot) or refuses (they blocked it): the bot cannot reach them yet."""
    unreachable: list[int] = []
    await bot.set_my_commands(command_list(DEFAULT_LANG))
    for lang in Lang:
        await bot.set_my_commands(command_list(lang), language_code=lang.value)
    menus = await staff_menus(db, TELEGRAM)
    for person in menus.staff:
        if person.channel != TELEGRAM or not (
            person.external_id.isascii() and person.external_id.lstrip("-").isdigit()
        ):
            continue
        try:
            await bot.set_my_commands(
                command_list(Lang(person.lang), ROLE_COMMANDS[person.role]),
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
