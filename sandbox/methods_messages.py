"""Bot API methods that send, edit and delete messages, and answer callback queries."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sandbox.botworld import BotWorld, ChatMessage
from sandbox.errors import bad_request
from sandbox.keyboards import KEEP, Markup, parse_markup
from sandbox.markup import format_text
from sandbox.params import Params, Upload
from sandbox.world import FAKE_JPEG

JSON = dict[str, Any]
Handler = Callable[[BotWorld, Params], Awaitable[Any]]

MAX_TEXT = 4096
MAX_CAPTION = 1024
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)


def chat_id_param(p: Params) -> int | None:
    raw = p.get_str("chat_id")
    if raw is None or raw == "":
        return None
    if raw.startswith("@"):
        raise bad_request("chat not found")
    return p.get_int("chat_id")


def _reply_to(world: BotWorld, p: Params, chat_id: int) -> JSON | None:
    params = p.get_json("reply_parameters")
    if not isinstance(params, dict):
        message_id = p.get_int("reply_to_message_id")
        if message_id is None:
            return None
        params = {
            "message_id": message_id,
            "allow_sending_without_reply": p.get_bool("allow_sending_without_reply"),
        }
    source_chat = params.get("chat_id", chat_id)
    target = world.find_message(source_chat if isinstance(source_chat, int) else chat_id, params.get("message_id"))
    if target is None:
        if params.get("allow_sending_without_reply"):
            return None
        raise bad_request("message to be replied not found")
    replied = dict(target.data)
    replied.pop("reply_to_message", None)
    return replied


def _caption(body: JSON, p: Params) -> None:
    caption = p.get_str("caption")
    if not caption:
        return
    text, entities = format_text(caption, p.get_str("parse_mode"))
    if len(text) > MAX_CAPTION:
        raise bad_request("message caption is too long")
    body["caption"] = text
    if entities:
        body["caption_entities"] = entities


def _send(world: BotWorld, p: Params, body: JSON, markup: Markup | None = None) -> JSON:
    """Common part of every send method: checks, reply, thread, markup; store and return the JSON."""
    chat_id = chat_id_param(p)
    chat = world.target_chat(chat_id)
    assert chat_id is not None
    markup = markup if markup is not None else parse_markup(p.get_json("reply_markup"))
    reply = _reply_to(world, p, chat_id)
    if reply is not None:
        body["reply_to_message"] = reply
    thread_id = p.get_int("message_thread_id")
    if thread_id is not None and chat.get("is_forum"):
        body["message_thread_id"] = thread_id
        body["is_topic_message"] = True
    if markup.inline is not None:
        body["reply_markup"] = markup.inline
    if p.get_bool("protect_content"):
        body["has_protected_content"] = True
    stored = world.add_message(chat_id, body, from_bot=True)
    stored.sent_markup = markup.raw
    if markup.keyboard_change != KEEP:
        world.chat(chat_id).reply_keyboard = markup.keyboard_change  # type: ignore[assignment]
    return stored.data  # serialized at once by the server; no copy needed


async def send_message(world: BotWorld, p: Params) -> JSON:
    source = p.get_str("text") or ""
    if not source.strip():
        raise bad_request("message text is empty")
    entities_param = p.get_json("entities")
    if isinstance(entities_param, list):
        text, entities = source, entities_param
    else:
        text, entities = format_text(source, p.get_str("parse_mode"))
    if not text.strip():
        raise bad_request("message text is empty")
    if len(text) > MAX_TEXT:
        raise bad_request("message is too long")
    body: JSON = {"text": text}
    if entities:
        body["entities"] = entities
    return _send(world, p, body)


async def send_location(world: BotWorld, p: Params) -> JSON:
    latitude, longitude = p.get_float("latitude"), p.get_float("longitude")
    if latitude is None or longitude is None or not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise bad_request("wrong latitude or longitude specified")
    location: JSON = {"latitude": latitude, "longitude": longitude}
    for key in ("horizontal_accuracy", "live_period", "heading"):
        if key in p:
            location[key] = p.get_float(key)
    return _send(world, p, {"location": location})


async def send_venue(world: BotWorld, p: Params) -> JSON:
    latitude, longitude = p.get_float("latitude"), p.get_float("longitude")
    title, address = p.get_str("title"), p.get_str("address")
    if latitude is None or longitude is None:
        raise bad_request("wrong latitude or longitude specified")
    if not title or not address:
        raise bad_request("venue title and address must be non-empty")
    location = {"latitude": latitude, "longitude": longitude}
    venue: JSON = {"location": location, "title": title, "address": address}
    return _send(world, p, {"venue": venue, "location": location})


async def send_photo(world: BotWorld, p: Params) -> JSON:
    photo = p.get_file("photo")
    if isinstance(photo, Upload):
        sizes = world.files.photo_sizes(photo.data)
    elif isinstance(photo, str) and photo.startswith(("http://", "https://")):
        sizes = world.files.photo_sizes(FAKE_JPEG)
    elif isinstance(photo, str) and world.files.photo_set(photo):
        sizes = world.files.photo_set(photo) or []
    elif photo is None:
        raise bad_request("there is no photo in the request")
    else:
        raise bad_request("wrong file identifier/HTTP URL specified")
    body: JSON = {"photo": list(sizes)}
    _caption(body, p)
    return _send(world, p, body)


async def send_chat_action(world: BotWorld, p: Params) -> bool:
    world.target_chat(chat_id_param(p))
    if p.get_str("action") not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    return True


def _message_to_edit(world: BotWorld, p: Params) -> ChatMessage:
    if p.get_str("inline_message_id"):
        raise bad_request("inline messages are not supported by the sandbox")
    chat_id = chat_id_param(p)
    world.target_chat(chat_id)
    assert chat_id is not None
    stored = world.find_message(chat_id, p.get_int("message_id"))
    if stored is None:
        raise bad_request("message to edit not found")
    if not stored.from_bot:
        raise bad_request("message can't be edited")
    return stored


NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the same as a "
    "current content and reply markup of the message"
)


async def edit_message_text(world: BotWorld, p: Params) -> JSON:
    stored = _message_to_edit(world, p)
    if "text" not in stored.data:
        raise bad_request("there is no text in the message to edit")
    source = p.get_str("text") or ""
    if not source.strip():
        raise bad_request("message text is empty")
    text, entities = format_text(source, p.get_str("parse_mode"))
    if len(text) > MAX_TEXT:
        raise bad_request("message is too long")
    inline = parse_markup(p.get_json("reply_markup"), inline_only=True).inline
    current = (stored.data.get("text"), stored.data.get("entities") or [], stored.reply_markup)
    if current == (text, entities, inline):
        raise bad_request(NOT_MODIFIED)
    world.record_edit(stored, {"text": text, "entities": entities or None, "reply_markup": inline})
    return stored.data  # serialized at once by the server; no copy needed


async def edit_message_reply_markup(world: BotWorld, p: Params) -> JSON:
    stored = _message_to_edit(world, p)
    inline = parse_markup(p.get_json("reply_markup"), inline_only=True).inline
    if stored.reply_markup == inline:
        raise bad_request(NOT_MODIFIED)
    world.record_edit(stored, {"reply_markup": inline})
    return stored.data  # serialized at once by the server; no copy needed


async def delete_message(world: BotWorld, p: Params) -> bool:
    chat_id = chat_id_param(p)
    world.target_chat(chat_id)
    assert chat_id is not None
    stored = world.find_message(chat_id, p.get_int("message_id"))
    if stored is None:
        raise bad_request("message to delete not found")
    stored.deleted = True
    world.notify()
    return True


async def answer_callback_query(world: BotWorld, p: Params) -> bool:
    query = world.callback_queries.get(p.get_str("callback_query_id") or "")
    if query is None or query.answered:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    text = p.get_str("text")
    if text is not None and len(text) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    query.answered = True
    world.callback_answers.append(
        {
            "callback_query_id": query.id,
            "text": text,
            "show_alert": p.get_bool("show_alert"),
            "url": p.get_str("url"),
            "cache_time": p.get_int("cache_time", 0),
            "user_id": query.user_id,
            "chat_id": query.chat_id,
            "message_id": query.message_id,
            "data": query.data,
            "at": world.clock(),
        }
    )
    world.notify()
    return True


METHODS: dict[str, Handler] = {
    "sendmessage": send_message,
    "sendlocation": send_location,
    "sendvenue": send_venue,
    "sendphoto": send_photo,
    "sendchataction": send_chat_action,
    "editmessagetext": edit_message_text,
    "editmessagereplymarkup": edit_message_reply_markup,
    "deletemessage": delete_message,
    "answercallbackquery": answer_callback_query,
}
