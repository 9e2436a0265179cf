"""One malformed update in a ``getUpdates`` batch becomes an empty update of the same id (the offset
moves on, the bot ignores it), so it can neither stall polling nor log residents' data."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from telegram import Update

from handlers.safe_updates import decode_batch, decode_update

GOOD: dict[str, Any] = {
    "update_id": 1,
    "message": {
        "message_id": 1,
        "date": 1790000000,
        "chat": {"id": 5, "type": "private"},
        "from": {"id": 5, "is_bot": False, "first_name": "A"},
        "text": "Building 3, Flat 501",
    },
}


@pytest.mark.parametrize(
    "bad",
    [
        {"update_id": 2, "message": {"chat": 5}},  # required fields missing
        {"update_id": 2, "message": "text"},
        {"update_id": 2, "callback_query": {"id": {"x": 1}, "from": GOOD["message"]["from"], "chat_instance": "c"}},
        {"update_id": 2, "message": {**GOOD["message"], "text": ["Flat 501"]}},
        {"update_id": 2, "message": {**GOOD["message"], "location": {"latitude": "x", "longitude": 1}}},
    ],
)
def test_a_malformed_update_becomes_an_empty_one(bad: dict[str, object], caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    decoded = decode_batch([GOOD, bad, {"no": "id"}, "junk"], None)
    assert [update.update_id for update in decoded] == [1, 2]
    assert decoded[0] == Update.de_json(GOOD, None)
    assert decoded[1].effective_user is None and decoded[1].message is None
    assert "Flat 501" not in caplog.text


def test_an_answer_that_is_not_a_list_gives_no_updates() -> None:
    assert decode_batch({"update_id": 1}, None) == ()


def test_unknown_update_types_pass_through() -> None:
    update = decode_update({"update_id": 3, "some_future_kind": {"a": 1}}, None)
    assert update is not None and update.effective_user is None
