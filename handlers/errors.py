"""The one catch-all at the update boundary: log with the traceback, tell the person kindly."""

from __future__ import annotations

import logging

from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.i18n import lang_from_code, t
from handlers.convert import TelegramUpdate

logger = logging.getLogger(__name__)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    update_id = update.update_id if isinstance(update, TelegramUpdate) else None
    logger.error("update %s failed", update_id, exc_info=context.error)
    if not isinstance(update, TelegramUpdate) or update.chat_id is None:
        return
    lang = lang_from_code(update.lang_code)
    hotline = context.bot_data.get("hotline", "")
    try:
        await context.bot.send_message(update.chat_id, t(lang, "errors.sorry", hotline=hotline))
    except TelegramError:
        logger.warning("could not tell chat about the failure of update %s", update_id)
