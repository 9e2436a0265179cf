"""orjson on the hot paths, the standard library for what orjson refuses: nothing that encoded or
decoded before fails now."""

from __future__ import annotations

import json
import math

import pytest
from telegram.error import TelegramError

from common import jsonfast
from handlers.transport import AiohttpRequest

VALUES: list[object] = [
    {"chat_id": -1001234567890, "text": "燃气泄漏 — 请离开", "reply_markup": {"inline_keyboard": [[{"text": "✓"}]]}},
    [1, 2.5, None, True, "x"],
    {"big": 2**70},  # orjson refuses integers beyond 64 bits
    {"lone": "\ud800"},  # and lone surrogates
    {1: "not a text key"},
]


@pytest.mark.parametrize("value", VALUES)
def test_what_the_standard_library_writes_is_written_and_reads_back(value: object) -> None:
    expected = json.loads(json.dumps(value))
    assert json.loads(jsonfast.dumps(value)) == expected
    assert jsonfast.loads(jsonfast.dumps_text(value)) == expected


def test_text_keeps_non_ascii_as_is() -> None:
    assert jsonfast.dumps_text({"a": "燃气"}) == '{"a":"燃气"}'


def test_what_orjson_cannot_read_the_standard_library_reads() -> None:
    assert math.isnan(jsonfast.loads('{"a": NaN}')["a"])
    assert jsonfast.loads(b'{"a": "\\ud800"}') == {"a": "\ud800"}
    with pytest.raises(ValueError):
        jsonfast.loads(b"{not json")


def test_bot_api_answers_read_as_ptb_reads_them() -> None:
    parse = AiohttpRequest.parse_json_payload
    assert parse(b'{"ok": true, "result": [{"update_id": 7}]}') == {"ok": True, "result": [{"update_id": 7}]}
    assert parse(b'{"ok": true, "result": "caf\xff"}') == {"ok": True, "result": "caf\ufffd"}  # PTB: replaced
    assert parse(b'{"ok": true, "result": NaN}')["ok"] is True
    with pytest.raises(TelegramError, match="Invalid server response"):
        parse(b"<html>bad gateway</html>")
