"""Decode updates one by one, so that one malformed update can neither stall nor crash the bot.

PTB decodes a whole ``getUpdates`` answer at once: if one update does not decode, it logs the raw
batch at CRITICAL (residents' texts and numbers in the log) and raises, the offset never advances,
and polling fetches the same batch again forever. ``SafeUpdatesBot`` decodes each update of the answer
on its own, once, and replaces one that does not decode with an empty update of the same id: the
offset moves on, the bot ignores it, and only its id is logged. The webhook server uses
``decode_update`` for the same reason.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta

from telegram import Bot, Message, Update
from telegram._utils.defaultvalue import DEFAULT_NONE, DefaultValue
from telegram._utils.types import JSONDict, ODVInput, TimePeriod
from telegram.ext import ExtBot

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


def decode_batch(result: object, bot: Bot | None) -> tuple[Update, ...]:
    """Every update of a ``getUpdates`` answer, decoded once; one that does not decode becomes an empty
    update of the same id (the offset moves on past it, the bot ignores it); one without an id is dropped."""
    decoded: list[Update] = []
    for item in result if isinstance(result, list) else ():
        update_id = update_id_of(item)
        if update_id is None:
            logger.warning("dropped an update without a numeric update_id")
            continue
        update = decode_update(item, bot)
        decoded.append(update if update is not None else Update(update_id))
    return tuple(decoded)


class SafeUpdatesBot(ExtBot[None]):
    """PTB's ``ExtBot`` whose ``getUpdates`` decodes the answer update by update (``decode_batch``).

    ``Bot.get_updates`` decodes the whole answer in one go and, when one update fails, logs the raw batch
    and raises: this replaces only that last step. The call itself is made as PTB makes it (the long
    poll's ``timeout`` added to the read timeout)."""

    async def get_updates(
        self,
        offset: int | None = None,
        limit: int | None = None,
        timeout: TimePeriod | None = None,  # noqa: ASYNC109  # PTB's signature
        allowed_updates: Sequence[str] | None = None,
        *,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
        api_kwargs: JSONDict | None = None,
    ) -> tuple[Update, ...]:
        base = self._request[0].read_timeout if isinstance(read_timeout, DefaultValue) else read_timeout
        poll_s = timeout.total_seconds() if isinstance(timeout, timedelta) else (timeout or 0)
        result = await self._post(
            "getUpdates",
            {"timeout": timeout, "offset": offset, "limit": limit, "allowed_updates": allowed_updates},
            read_timeout=(base or 0) + poll_s,
            write_timeout=write_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
            api_kwargs=api_kwargs,
        )
        return decode_batch(result, self)
