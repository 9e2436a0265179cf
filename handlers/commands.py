"""The command list each language's clients show (``setMyCommands`` per language)."""

from __future__ import annotations

from telegram import Bot, BotCommand

from bot.i18n import DEFAULT_LANG, Lang, t

RESIDENT_COMMANDS = ("start", "report", "status", "cancel", "tips", "district", "language", "help")


def command_list(lang: Lang) -> list[BotCommand]:
    return [BotCommand(name, t(lang, f"commands.{name}")) for name in RESIDENT_COMMANDS]


async def register_commands(bot: Bot) -> None:
    await bot.set_my_commands(command_list(DEFAULT_LANG))
    for lang in Lang:
        await bot.set_my_commands(command_list(lang), language_code=lang.value)
