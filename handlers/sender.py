"""The core's outbound messages -> Bot API calls, and Telegram's errors -> delivery errors."""

from __future__ import annotations

import logging
from typing import Any

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
from handlers.transport import JsonBody

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


def _inline_dict(buttons: list[list[Button]]) -> dict[str, Any]:
    return {"inline_keyboard": [[{"text": b.text, "callback_data": b.data} for b in row] for row in buttons]}


def markup_dict(message: Text) -> dict[str, Any] | None:
    """``text_markup(message).to_dict()``, without building PTB's objects."""
    if message.buttons:
        return _inline_dict(message.buttons)
    if message.keyboard:
        rows = [[_key_dict(k) for k in row] for row in message.keyboard]
        return {"keyboard": rows, "resize_keyboard": True, "is_persistent": True}
    if message.remove_keyboard:
        return {"remove_keyboard": True}
    return None


def _key_dict(key: Key) -> dict[str, Any]:
    out: dict[str, Any] = {"text": key.text}
    if key.location:
        out["request_location"] = True
    if key.contact:
        out["request_contact"] = True
    return out


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

    async def _call(self, endpoint: str, data: dict[str, Any]) -> Any:
        """One Bot API call; its raw JSON result.

        PTB's public ``send_message`` & co. turn every parameter into a ``RequestParameter``, send a form,
        and build a full ``Message`` from the answer (together about half the cost of a send under load);
        the bot needs only the message id. This posts one JSON body through the same transport with
        ``BaseRequest.post``, which maps Telegram's errors (``RetryAfter``, ``Forbidden``, ``BadRequest``,
        ``NetworkError``) exactly as the public methods do. tests/handlers/test_sender.py pins it."""
        return await self.bot.request.post(f"{self.bot.base_url}/{endpoint}", JsonBody(data))

    async def _send(self, message: Outbound) -> str | None:
        chat: int | str = (
            int(message.chat) if message.chat.isascii() and message.chat.lstrip("-").isdigit() else message.chat
        )
        if isinstance(message, Text):
            sent = await self._call(
                "sendMessage", {"chat_id": chat, "text": message.text, "reply_markup": markup_dict(message)}
            )
            return _message_id(sent)
        if isinstance(message, Edit):
            if message.message_id is None:
                raise Rejected("edit without a message id")
            await self._call(
                "editMessageText",
                {
                    "chat_id": chat,
                    "message_id": int(message.message_id),
                    "text": message.text,
                    "reply_markup": _inline_dict(message.buttons) if message.buttons else None,
                },
            )
            return message.message_id
        if isinstance(message, Location):
            point = {"chat_id": chat, "latitude": message.latitude, "longitude": message.longitude}
            if message.title and message.address:
                sent = await self._call("sendVenue", {**point, "title": message.title, "address": message.address})
            else:
                sent = await self._call("sendLocation", point)
            return _message_id(sent)
        if isinstance(message, Photo):
            sent = await self.bot.send_photo(chat, message.photo, caption=message.caption or None)
            return str(sent.message_id)
        if isinstance(message, Answer):
            await self._call(
                "answerCallbackQuery", {"callback_query_id": message.button_id, "text": message.text or None}
            )
            return None
        raise Rejected(f"unknown message type {type(message).__name__}")


def _message_id(result: Any) -> str:
    if isinstance(result, dict) and isinstance(result.get("message_id"), int):
        return str(result["message_id"])
    raise Rejected("the answer to a send carries no message id")
