"""The one catch-all at the update boundary: log with the traceback, tell the person kindly."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.i18n import lang_from_code, t

logger = logging.getLogger(__name__)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    update_id = update.update_id if isinstance(update, Update) else None
    logger.error("update %s failed", update_id, exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    user = update.effective_user
    lang = lang_from_code(user.language_code if user else None)
    hotline = context.bot_data.get("hotline", "")
    try:
        await context.bot.send_message(update.effective_chat.id, t(lang, "errors.sorry", hotline=hotline))
    except TelegramError:
        logger.warning("could not tell chat about the failure of update %s", update_id)
