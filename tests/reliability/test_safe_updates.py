"""Updates are decoded one by one from Telegram's JSON: one malformed update in a ``getUpdates`` batch becomes
an empty update of the same id (the offset moves on, the bot ignores it), so it can neither stall polling nor
log residents' data; a well-formed one gives exactly the event PTB's own decoding would lead to."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import pytest

from common.events import EventKind
from handlers.convert import TelegramUpdate, decode_update
from handlers.processor import SHARED_KEY, chat_key
from handlers.safe_updates import decode_batch

NOW = datetime(2027, 1, 5, 8, 0, tzinfo=UTC)
RESIDENT = {"id": 5, "is_bot": False, "first_name": "A", "last_name": "Li", "language_code": "zh-hans"}
MESSAGE: dict[str, Any] = {
    "message_id": 1,
    "date": 1790000000,
    "chat": {"id": 5, "type": "private"},
    "from": RESIDENT,
    "text": "Building 3, Flat 501",
}
GOOD: dict[str, Any] = {"update_id": 1, "message": MESSAGE}


@pytest.mark.parametrize(
    "bad",
    [
        {"update_id": 2, "message": {"chat": 5}},  # required fields missing
        {"update_id": 2, "message": "text"},
        {
            "update_id": 2,
            "callback_query": {"id": {"x": 1}, "from": RESIDENT, "chat_instance": "c", "message": MESSAGE},
        },
        {"update_id": 2, "message": {**MESSAGE, "text": ["Flat 501"]}},
        {"update_id": 2, "message": {**MESSAGE, "location": {"latitude": "x", "longitude": 1}}},
        {"update_id": 2, "message": {**MESSAGE, "from": {**RESIDENT, "id": True}}},
        {"update_id": 2, "message": {**MESSAGE, "photo": [{"file_id": 7}]}},
    ],
)
def test_a_malformed_update_becomes_an_empty_one(bad: dict[str, object], caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    decoded = decode_batch([GOOD, bad, {"no": "id"}, "junk"])
    assert [update.update_id for update in decoded] == [1, 2]
    assert decoded[1] == TelegramUpdate(2) and decoded[1].inbound(NOW) is None
    assert "Flat 501" not in caplog.text


def test_an_answer_that_is_not_a_list_gives_no_updates() -> None:
    assert decode_batch({"update_id": 1}) == ()


def test_unknown_update_types_pass_through_and_are_ignored() -> None:
    update = decode_update({"update_id": 3, "some_future_kind": {"a": 1}})
    assert update == TelegramUpdate(3) and chat_key(update) == SHARED_KEY


def test_a_text_message() -> None:
    update = decode_update(GOOD)
    assert update is not None and chat_key(update) == 5
    event = update.inbound(NOW)
    assert event is not None
    assert (event.kind, event.text, event.user, event.chat, event.private) == (
        EventKind.TEXT,
        MESSAGE["text"],
        "5",
        "5",
        True,
    )
    assert (event.name, event.lang_code, event.edited, event.at) == ("A Li", "zh-hans", False, NOW)


@pytest.mark.parametrize(
    ("extra", "kind", "expected"),
    [
        (
            {"text": "/Report@HotlineBot now please"},
            EventKind.COMMAND,
            {"command": "report", "args": ("now", "please")},
        ),
        ({"text": None, "location": {"latitude": 31.2, "longitude": 121}}, EventKind.LOCATION, {"longitude": 121}),
        ({"text": None, "contact": {"phone_number": "+8613812345678"}}, EventKind.CONTACT, {"phone": "+8613812345678"}),
        (
            {"text": None, "caption": "pipe", "photo": [{"file_id": "small"}, {"file_id": "big"}]},
            EventKind.PHOTO,
            {"photo": "big", "text": "pipe"},
        ),
        ({"text": None, "voice": {"file_id": "v"}}, EventKind.MEDIA, {"media": "voice"}),
        ({"text": None}, EventKind.MEDIA, {"media": "other"}),
        ({"text": "x" * 5000}, EventKind.TEXT, {"text": "x" * 4096}),
    ],
)
def test_each_kind_of_message(extra: dict[str, Any], kind: EventKind, expected: dict[str, object]) -> None:
    message = {key: value for key, value in {**MESSAGE, **extra}.items() if value is not None}
    update = decode_update({"update_id": 4, "message": message})
    assert update is not None
    event = update.inbound(NOW)
    assert event is not None and event.kind is kind
    assert {key: getattr(event, key) for key in expected} == expected


def test_an_edited_message_in_a_group() -> None:
    group = {**MESSAGE, "chat": {"id": -100, "type": "supergroup"}}
    update = decode_update({"update_id": 5, "edited_message": group})
    assert update is not None and chat_key(update) == -100
    event = update.inbound(NOW)
    assert event is not None and event.edited and not event.private and event.chat == "-100"


def test_a_button() -> None:
    query = {"id": "q1", "from": RESIDENT, "chat_instance": "c", "data": "i:s:ok", "message": MESSAGE}
    update = decode_update({"update_id": 6, "callback_query": query})
    assert update is not None and chat_key(update) == 5
    event = update.inbound(NOW)
    assert event is not None
    assert (event.kind, event.data, event.button_id, event.message_id) == (EventKind.BUTTON, "i:s:ok", "q1", "1")


@pytest.mark.parametrize(
    "update",
    [
        {"update_id": 7, "message": {**MESSAGE, "from": {**RESIDENT, "is_bot": True}}},  # another bot
        {"update_id": 7, "message": {key: v for key, v in MESSAGE.items() if key != "from"}},  # a channel post
        {"update_id": 7, "callback_query": {"id": "q", "from": RESIDENT, "chat_instance": "c"}},  # inline message
    ],
)
def test_what_the_bot_does_not_act_on(update: dict[str, Any]) -> None:
    decoded = decode_update(update)
    assert decoded is not None and decoded.inbound(NOW) is None
