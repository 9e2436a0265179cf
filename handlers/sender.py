"""The core's outbound messages -> Bot API calls, and Telegram's errors -> delivery errors."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.error import (
    BadRequest,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.outbound.delivery import (
    Blocked,
    ChannelRefused,
    DeliveryError,
    NotModified,
    NotStarted,
    Rejected,
    RetryLater,
    Transient,
)
from common.events import Answer, Button, Edit, Key, Location, Outbound, Photo, Text
from common.media import PREFIX, stored_path
from handlers.long_text import split_text
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


_NOT_STARTED = ("chat not found", "peer_id_invalid", "user not found")
_HARMLESS = ("not modified", "query is too old", "query id is invalid")
# A later part of a long text that meets flood control waits here (the earlier parts are out already) when
# the wait is short; a longer one goes back to the caller, who sends the whole text again later.
_PART_WAIT_S = 10.0
_PART_PAUSES = 3


_CODES: tuple[tuple[type[TelegramError], str], ...] = (
    (RetryAfter, "429"),
    (Forbidden, "403"),
    (InvalidToken, "401"),
    (Conflict, "409"),
    (BadRequest, "400"),
    (TimedOut, "timeout"),
    (NetworkError, "network"),  # 5xx answers and dropped connections
)


def telegram_code(exc: BaseException) -> str:
    """Telegram's answer as a label: "400", "401", "403", "409", "429", "timeout", "network" or "other"."""
    return next((code for kind, code in _CODES if isinstance(exc, kind)), "other")


def delivery_error(exc: TelegramError, method: str) -> DeliveryError:
    """Telegram's error for one call as a delivery error: 400 is this message, 403 and 400 "chat not found"
    this recipient, 401/404 (PTB's ``InvalidToken``) our token or address, 409 another instance polling
    (not the message's fault: tried again), 429 flood control, 5xx and network faults transient."""
    code = telegram_code(exc)
    if isinstance(exc, RetryAfter):
        after = exc.retry_after
        seconds = after.total_seconds() if hasattr(after, "total_seconds") else float(after)
        return RetryLater(seconds, method=method, code=code)
    if isinstance(exc, Forbidden):
        return Blocked(exc.message, method=method, code=code)
    if isinstance(exc, InvalidToken):
        return ChannelRefused(exc.message, method=method, code=code)
    if isinstance(exc, Conflict):
        return Transient(exc.message, method=method, code=code)
    if isinstance(exc, BadRequest):  # before NetworkError: PTB's BadRequest is one
        reason = exc.message.lower()
        if any(mark in reason for mark in _HARMLESS):
            return NotModified(exc.message, method=method, code=code)
        if any(mark in reason for mark in _NOT_STARTED):
            return NotStarted(exc.message, method=method, code=code)
        return Rejected(exc.message, method=method, code=code)
    if isinstance(exc, NetworkError):  # includes TimedOut
        return Transient(str(exc), method=method, code=code)
    return Rejected(str(exc), method=method, code=code)


class TelegramSender:
    """Implements ``bot.outbound.delivery.Sender`` with a PTB ``Bot``.

    A text longer than Telegram's limit goes out in several messages (``handlers.long_text``), the buttons
    or keyboard on the last one, whose id is returned (so a later edit reaches the buttons). An edit that
    is too long changes the message to the first part (buttons kept) and sends the rest after it. If a
    later part fails, the send fails and is retried whole by the caller: the parts already out repeat."""

    def __init__(self, bot: Bot, *, media_root: Path | None = None) -> None:
        self.bot = bot
        self.media_root = media_root  # where photos kept by another channel are (``common.media``)

    async def send(self, message: Outbound) -> str | None:
        try:
            return await self._send(message)
        except TelegramError as exc:  # calls made through PTB's public methods
            raise delivery_error(exc, type(message).__name__) from exc

    async def _call(self, endpoint: str, data: dict[str, Any]) -> Any:
        """One Bot API call; its raw JSON result; Telegram's errors as delivery errors.

        PTB's public ``send_message`` & co. turn every parameter into a ``RequestParameter``, send a form,
        and build a full ``Message`` from the answer (together about half the cost of a send under load);
        the bot needs only the message id. This posts one JSON body through the same transport with
        ``BaseRequest.post``, which maps Telegram's errors (``RetryAfter``, ``Forbidden``, ``BadRequest``,
        ``NetworkError``) exactly as the public methods do. tests/handlers/test_sender.py pins it."""
        try:
            return await self.bot.request.post(f"{self.bot.base_url}/{endpoint}", JsonBody(data))
        except TelegramError as exc:
            raise delivery_error(exc, endpoint) from exc

    async def _later_part(self, endpoint: str, data: dict[str, Any]) -> Any:
        """A part after the first of a long text: short flood-control waits are waited out here."""
        for _ in range(_PART_PAUSES):
            try:
                return await self._call(endpoint, data)
            except RetryLater as exc:
                if exc.after_s > _PART_WAIT_S:
                    raise
                await asyncio.sleep(exc.after_s)
        return await self._call(endpoint, data)

    async def _send_text(self, chat: int | str, message: Text) -> str:
        parts = split_text(message.text)
        sent: Any = None
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            data = {"chat_id": chat, "text": part, "reply_markup": markup_dict(message) if last else None}
            if message.paid:  # a safety card beyond the free rate ([outbound] paid_safety_cards)
                data["allow_paid_broadcast"] = True
            sent = await (self._later_part if index else self._call)("sendMessage", data)
        return _message_id(sent)

    async def _send_edit(self, chat: int | str, message: Edit) -> str:
        if message.message_id is None:
            raise Rejected("edit without a message id", method="editMessageText")
        first, *rest = split_text(message.text)
        await self._call(
            "editMessageText",
            {
                "chat_id": chat,
                "message_id": int(message.message_id),
                "text": first,
                "reply_markup": _inline_dict(message.buttons) if message.buttons else None,
            },
        )
        for part in rest:
            await self._later_part("sendMessage", {"chat_id": chat, "text": part})
        return message.message_id

    async def _send(self, message: Outbound) -> str | None:
        chat: int | str = (
            int(message.chat) if message.chat.isascii() and message.chat.lstrip("-").isdigit() else message.chat
        )
        if isinstance(message, Text):
            return await self._send_text(chat, message)
        if isinstance(message, Edit):
            return await self._send_edit(chat, message)
        if isinstance(message, Location):
            point = {"chat_id": chat, "latitude": message.latitude, "longitude": message.longitude}
            if message.title and message.address:
                sent = await self._call("sendVenue", {**point, "title": message.title, "address": message.address})
            else:
                sent = await self._call("sendLocation", point)
            return _message_id(sent)
        if isinstance(message, Photo):
            kept = stored_path(self.media_root, message.photo)
            if message.photo.startswith(PREFIX) and (kept is None or not kept.is_file()):
                raise Transient("the photo is not in our storage yet", method="sendPhoto", code="stored")
            try:
                upload = InputFile(await asyncio.to_thread(kept.read_bytes), filename=kept.name) if kept else None
                photo = await self.bot.send_photo(chat, upload or message.photo, caption=message.caption or None)
            except TelegramError as exc:
                raise delivery_error(exc, "sendPhoto") from exc
            return str(photo.message_id)
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
