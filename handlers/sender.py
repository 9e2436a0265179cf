"""The core's outbound messages -> Bot API calls, and Telegram's errors -> delivery errors."""

from __future__ import annotations

import logging

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.delivery import Blocked, NotModified, Rejected, RetryLater, Transient
from bot.events import Answer, Button, Edit, Key, Location, Outbound, Photo, Text

logger = logging.getLogger(__name__)

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None


def _inline(buttons: list[list[Button]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(b.text, callback_data=b.data) for b in row] for row in buttons])


def _keys(rows: list[list[Key]]) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        [[KeyboardButton(k.text, request_location=k.location, request_contact=k.contact) for k in row] for row in rows],
        resize_keyboard=True,
        is_persistent=True,
    )


def text_markup(message: Text) -> Markup:
    if message.buttons:
        return _inline(message.buttons)
    if message.keyboard:
        return _keys(message.keyboard)
    if message.remove_keyboard:
        return ReplyKeyboardRemove()
    return None


class TelegramSender:
    """Implements ``bot.delivery.Sender`` with a PTB ``Bot``."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send(self, message: Outbound) -> str | None:
        try:
            return await self._send(message)
        except RetryAfter as exc:
            after = exc.retry_after
            raise RetryLater(after.total_seconds() if hasattr(after, "total_seconds") else float(after)) from exc
        except Forbidden as exc:
            raise Blocked(exc.message) from exc
        except BadRequest as exc:
            if "not modified" in exc.message.lower():
                raise NotModified(exc.message) from exc
            if "query is too old" in exc.message.lower() or "query id is invalid" in exc.message.lower():
                raise NotModified(exc.message) from exc
            raise Rejected(exc.message) from exc
        except NetworkError as exc:  # includes TimedOut
            raise Transient(str(exc)) from exc
        except TelegramError as exc:
            raise Rejected(str(exc)) from exc

    async def _send(self, message: Outbound) -> str | None:
        chat = int(message.chat) if message.chat.lstrip("-").isdigit() else message.chat
        if isinstance(message, Text):
            sent = await self.bot.send_message(chat, message.text, reply_markup=text_markup(message))
            return str(sent.message_id)
        if isinstance(message, Edit):
            if message.message_id is None:
                raise Rejected("edit without a message id")
            markup = _inline(message.buttons) if message.buttons else None
            await self.bot.edit_message_text(
                message.text, chat_id=chat, message_id=int(message.message_id), reply_markup=markup
            )
            return message.message_id
        if isinstance(message, Location):
            if message.title and message.address:
                sent = await self.bot.send_venue(
                    chat, message.latitude, message.longitude, title=message.title, address=message.address
                )
            else:
                sent = await self.bot.send_location(chat, message.latitude, message.longitude)
            return str(sent.message_id)
        if isinstance(message, Photo):
            sent = await self.bot.send_photo(chat, message.photo, caption=message.caption or None)
            return str(sent.message_id)
        if isinstance(message, Answer):
            await self.bot.answer_callback_query(message.button_id, text=message.text or None)
            return None
        raise Rejected(f"unknown message type {type(message).__name__}")
