"""Telegram ``Update`` -> the core's ``Inbound`` event."""

from __future__ import annotations

from datetime import UTC, datetime

from telegram import Message, Update
from telegram.constants import ChatType

from bot.events import Inbound, Kind

MAX_TEXT = 4096


def _base(update: Update, now: datetime) -> dict[str, object] | None:
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None or user.is_bot:
        return None
    return {
        "user": str(user.id),
        "chat": str(chat.id),
        "private": chat.type == ChatType.PRIVATE,
        "lang_code": user.language_code,
        "name": user.full_name[:200],
        "at": now,
    }


def _message_kind(message: Message) -> dict[str, object]:
    if message.location is not None:
        return {
            "kind": Kind.LOCATION,
            "latitude": message.location.latitude,
            "longitude": message.location.longitude,
        }
    if message.contact is not None:
        return {"kind": Kind.CONTACT, "phone": message.contact.phone_number}
    if message.photo:
        return {
            "kind": Kind.PHOTO,
            "photo": message.photo[-1].file_id,
            "text": (message.caption or "")[:MAX_TEXT],
        }
    text = message.text
    if text is None:
        media = next(
            (
                name
                for name in ("sticker", "voice", "video", "video_note", "audio", "document", "animation")
                if getattr(message, name, None) is not None
            ),
            "other",
        )
        return {"kind": Kind.MEDIA, "media": media}
    text = text[:MAX_TEXT]
    if text.startswith("/"):
        head, _, rest = text[1:].partition(" ")
        command = head.split("@", 1)[0].lower()
        return {"kind": Kind.COMMAND, "command": command, "args": tuple(rest.split()), "text": text}
    return {"kind": Kind.TEXT, "text": text}


def to_inbound(update: Update, now: datetime | None = None) -> Inbound | None:
    """The core event for an update, or None for updates the bot does not act on."""
    now = now or datetime.now(UTC)
    base = _base(update, now)
    if base is None:
        return None
    query = update.callback_query
    if query is not None:
        message = query.message
        return Inbound(
            kind=Kind.BUTTON,
            data=(query.data or "")[:64],
            button_id=query.id,
            message_id=str(message.message_id) if message is not None else None,
            **base,
        )
    message = update.message or update.edited_message
    if message is None:
        return None
    return Inbound(edited=update.edited_message is not None, **_message_kind(message), **base)
