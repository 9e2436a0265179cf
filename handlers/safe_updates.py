"""Decode updates one by one, so that one malformed update can neither stall nor crash the bot.

PTB decodes a whole ``getUpdates`` answer at once: if one update does not decode, it logs the raw
batch at CRITICAL (residents' texts and numbers in the log) and raises, the offset never advances,
and polling fetches the same batch again forever. ``SafeUpdatesRequest`` (the transport of the
``getUpdates`` call) checks each update first and replaces one that does not decode with an empty
update of the same id: the offset moves on, the bot ignores it, and only its id is logged. The
webhook server uses ``decode_update`` for the same reason.
"""

from __future__ import annotations

import json
import logging
from http import HTTPStatus
from typing import Any

from telegram import Bot, Message, Update
from telegram._utils.types import JSONDict, ODVInput
from telegram.request import BaseRequest, RequestData

from handlers.transport import AiohttpRequest

logger = logging.getLogger(__name__)

# What decoding arbitrary JSON into PTB's classes raises for wrong shapes and values.
DECODE_ERRORS = (TypeError, ValueError, KeyError, AttributeError, IndexError, OverflowError, RecursionError)


def update_id_of(data: object) -> int | None:
    if not isinstance(data, dict):
        return None
    value = data.get("update_id")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def decode_update(data: object, bot: Bot | None) -> Update | None:
    """The update, or None (logged with its id and the error's type only) when it does not decode."""
    update_id = update_id_of(data)
    if update_id is None or not isinstance(data, dict):
        logger.warning("dropped an update without a numeric update_id")
        return None
    try:
        update = Update.de_json(data, bot)
    except DECODE_ERRORS as exc:
        logger.warning("update %s does not decode (%s); ignored", update_id, type(exc).__name__)
        return None
    if not well_typed(update):
        logger.warning("update %s does not decode (fields of the wrong type); ignored", update_id)
        return None
    return update


def _is(value: object, *types: type) -> bool:
    return isinstance(value, types) and not isinstance(value, bool)


def well_typed(update: Update) -> bool:
    """PTB builds objects without checking field types: check those the adapter reads."""
    user, chat, query = update.effective_user, update.effective_chat, update.callback_query
    if user is not None and not (_is(user.id, int) and _is(user.first_name, str)):
        return False
    if chat is not None and not (_is(chat.id, int) and _is(chat.type, str)):
        return False
    if query is not None and not (_is(query.id, str) and (query.data is None or _is(query.data, str))):
        return False
    message = update.message or update.edited_message
    if query is not None and isinstance(query.message, Message):
        message = query.message
    if message is None:
        return True
    if not all(value is None or _is(value, str) for value in (message.text, message.caption)):
        return False
    if message.contact is not None and not _is(message.contact.phone_number, str):
        return False
    if message.location is not None and not all(
        _is(v, int, float) for v in (message.location.latitude, message.location.longitude)
    ):
        return False
    return all(_is(size.file_id, str) for size in message.photo or ())


def sanitise_batch(result: list[Any]) -> list[JSONDict]:
    """Every decodable update as it is; an undecodable one as ``{"update_id": N}``; one without an id dropped."""
    clean: list[JSONDict] = []
    for item in result:
        update_id = update_id_of(item)
        if update_id is None:
            logger.warning("dropped an update without a numeric update_id")
            continue
        clean.append(item if decode_update(item, None) is not None else {"update_id": update_id})
    return clean


class SafeUpdatesRequest(AiohttpRequest):
    """``AiohttpRequest`` for the ``getUpdates`` call, answering only updates PTB can decode."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        status, body = await super().do_request(
            url,
            method,
            request_data,
            read_timeout=read_timeout,
            write_timeout=write_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
        )
        if status != HTTPStatus.OK or not url.endswith("/getUpdates"):
            return status, body
        try:
            answer = json.loads(body)
        except ValueError:
            return status, body  # PTB reports an answer that is not JSON itself
        if isinstance(answer, dict) and isinstance(answer.get("result"), list):
            answer["result"] = sanitise_batch(answer["result"])
            return status, json.dumps(answer).encode()
        return status, body
