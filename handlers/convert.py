"""A Bot API update, as Telegram sends it (JSON) -> the core's ``Inbound`` event.

PTB would build an object for every part of an update (the message with all its fields, its chat, its
sender, the keyboard of the message a button sits on); the bot reads a dozen fields. ``decode_update``
reads those straight from the JSON, once, and checks the type of each (PTB does not check types): an
update with a field of the wrong type is ignored (logged with its id only), never half-read.

Three kinds of update need care: a command addressed to another bot (``/status@OtherBot`` in a group)
is not ours and is ignored; a message from an anonymous group admin (``from`` is Telegram's
GroupAnonymousBot, ``sender_chat`` the group) is an event of the group, marked ``anonymous``, so that
a danger message still gets the safety card in the group; a button under an inline message (no
``message``, an ``inline_message_id``) is an event marked ``inline``, answered with a short "not here".
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from common.events import EventKind, Inbound
from handlers.channel import TELEGRAM

logger = logging.getLogger(__name__)

MAX_TEXT = 4096
MEDIA = ("sticker", "voice", "video", "video_note", "audio", "document", "animation")


class Malformed(ValueError):
    """A field the bot reads is missing or of the wrong type."""


@dataclass(frozen=True, slots=True)
class TelegramUpdate:
    """One update as the adapter needs it: its id, the chat and person (for ordering and for an apology
    if handling fails), and the event's fields (None: nothing for the bot to act on)."""

    update_id: int
    chat_id: int | None = None
    user_id: int | None = None
    lang_code: str | None = None
    fields: dict[str, Any] | None = field(default=None, repr=False)  # no residents' words in reprs

    def inbound(self, now: datetime | None = None) -> Inbound | None:
        """The core event for this update, or None for updates the bot does not act on."""
        if self.fields is None:
            return None
        return Inbound(channel=TELEGRAM, at=now or datetime.now(UTC), **self.fields)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _get(data: dict[str, Any], key: str, *types: type, optional: bool = False) -> Any:
    value = data.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, types) or isinstance(value, bool):  # a JSON true is no number
        raise Malformed(key)
    return value


def _obj(data: dict[str, Any], key: str) -> dict[str, Any] | None:
    value = data.get(key)
    if value is not None and not isinstance(value, dict):
        raise Malformed(key)
    return value


def _addressed_elsewhere(head: str, bot_username: str | None) -> bool:
    """``status@OtherBot``: a command for another bot (unknowable until our own username is known)."""
    _, at, name = head.partition("@")
    return bool(at and bot_username and name.lower() != bot_username.lstrip("@").lower())


def _message_kind(message: dict[str, Any], bot_username: str | None = None) -> dict[str, Any] | None:
    """The event's kind and fields; None for a command addressed to another bot."""
    if (location := _obj(message, "location")) is not None:
        return {
            "kind": EventKind.LOCATION,
            "latitude": _get(location, "latitude", int, float),
            "longitude": _get(location, "longitude", int, float),
        }
    if (contact := _obj(message, "contact")) is not None:
        return {"kind": EventKind.CONTACT, "phone": _get(contact, "phone_number", str)}
    caption = _get(message, "caption", str, optional=True)
    photo = message.get("photo")
    if photo:
        if not isinstance(photo, list) or not all(isinstance(size, dict) for size in photo):
            raise Malformed("photo")
        file_ids = [_get(size, "file_id", str) for size in photo]
        return {"kind": EventKind.PHOTO, "photo": file_ids[-1], "text": (caption or "")[:MAX_TEXT]}
    text = _get(message, "text", str, optional=True)
    if text is None:
        media = next((name for name in MEDIA if message.get(name) is not None), "other")
        return {"kind": EventKind.MEDIA, "media": media}
    text = text[:MAX_TEXT]
    if text.startswith("/"):
        head, _, rest = text[1:].partition(" ")
        if _addressed_elsewhere(head, bot_username):
            return None
        command = head.split("@", 1)[0].lower()
        return {"kind": EventKind.COMMAND, "command": command, "args": tuple(rest.split()), "text": text}
    return {"kind": EventKind.TEXT, "text": text}


def _decode(update_id: int, data: dict[str, Any], bot_username: str | None = None) -> TelegramUpdate:
    query = _obj(data, "callback_query")
    edited = _obj(data, "edited_message")
    message = _obj(data, "message") or edited
    if query is None and message is None:
        return TelegramUpdate(update_id)  # a kind of update the bot does not act on
    source = query if query is not None else message
    assert source is not None
    user = _obj(source, "from")
    if query is not None:
        message = _obj(query, "message")  # None: a button under an inline message, which has no chat
    chat = _obj(message, "chat") if message is not None else None
    chat_id = _get(chat, "id", int) if chat is not None else None
    if user is None:
        return TelegramUpdate(update_id, chat_id=chat_id)
    user_id = _get(user, "id", int)
    first = _get(user, "first_name", str)
    last = _get(user, "last_name", str, optional=True)
    lang_code = _get(user, "language_code", str, optional=True)
    is_bot = user.get("is_bot")
    plain = TelegramUpdate(update_id, chat_id=chat_id, user_id=user_id, lang_code=lang_code)
    name = f"{first} {last}"[:200] if last else first[:200]
    if query is not None and message is None and is_bot is not True:
        if _get(query, "inline_message_id", str, optional=True) is None:
            return plain
        inline = {
            "kind": EventKind.BUTTON,
            "inline": True,
            "data": (_get(query, "data", str, optional=True) or "")[:64],
            "button_id": _get(query, "id", str),
        }  # answered "not here" by the core; its chat is the presser's own
        base = {"user": str(user_id), "chat": str(user_id), "lang_code": lang_code, "name": name}
        return TelegramUpdate(update_id, user_id, user_id, lang_code, {**inline, **base})
    sender_chat = _obj(message, "sender_chat") if query is None and message is not None else None
    if chat is None or (is_bot is True and sender_chat is None):
        return plain
    private = _get(chat, "type", str) == "private"
    base = {"user": str(user_id), "chat": str(chat_id), "private": private, "lang_code": lang_code, "name": name}
    if is_bot is True:  # an anonymous group admin, or a channel posting in the group: the group speaks
        if private or sender_chat is None:
            return plain
        sender_id = _get(sender_chat, "id", int)
        title = _get(sender_chat, "title", str, optional=True) or ""
        base |= {"user": str(sender_id), "name": title[:200], "anonymous": True}
        plain = TelegramUpdate(update_id, chat_id=chat_id, user_id=sender_id, lang_code=lang_code)
    if query is not None:
        assert message is not None
        button = {
            "kind": EventKind.BUTTON,
            "data": (_get(query, "data", str, optional=True) or "")[:64],
            "button_id": _get(query, "id", str),
            "message_id": str(_get(message, "message_id", int)),
        }
        return TelegramUpdate(update_id, chat_id, user_id, lang_code, {**button, **base})
    assert message is not None
    kind = _message_kind(message, bot_username)
    if kind is None:
        return plain
    return TelegramUpdate(update_id, chat_id, plain.user_id, lang_code, {"edited": edited is not None, **kind, **base})


def update_id_of(data: object) -> int | None:
    if not isinstance(data, dict):
        return None
    value = data.get("update_id")
    return value if _is_int(value) else None


def decode_update(data: object, bot_username: str | None = None) -> TelegramUpdate | None:
    """The update; one with a field of the wrong type as an empty update of its id (ignored, logged with
    its id only); None for something without a numeric ``update_id``. ``bot_username``: ours, to tell
    commands addressed to another bot (None: every command is taken as ours)."""
    update_id = update_id_of(data)
    if update_id is None or not isinstance(data, dict):
        logger.warning("dropped an update without a numeric update_id")
        return None
    try:
        return _decode(update_id, data, bot_username)
    except (Malformed, TypeError, ValueError, KeyError, RecursionError) as exc:
        logger.warning("update %s does not decode (%s); ignored", update_id, type(exc).__name__)
        return TelegramUpdate(update_id)
