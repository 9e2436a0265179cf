"""JSON on the hot paths (every Bot API call's body and answer, every update's conversation row) through
orjson, several times faster than the standard library; the standard library still does what orjson
refuses (integers beyond 64 bits, lone surrogates, NaN, non-text keys), so nothing that encoded or decoded
before fails now.

One difference remains, on reading only: orjson reads an integer beyond 64 bits as a float. Telegram's
ids are far below that; a field the bot reads that arrives so is refused by its type check
(handlers/convert.py), as any malformed field is."""

from __future__ import annotations

import json
from typing import Any

import orjson


def dumps(value: object) -> bytes:
    """Compact UTF-8 JSON."""
    try:
        return orjson.dumps(value)
    except TypeError:
        return json.dumps(value, separators=(",", ":")).encode()


def dumps_text(value: object) -> str:
    """Compact JSON text, non-ASCII kept as is (what the database stores)."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def loads(data: bytes | str) -> Any:
    """Raises ``ValueError`` (``json.JSONDecodeError``) for what neither library reads."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return json.loads(data)
