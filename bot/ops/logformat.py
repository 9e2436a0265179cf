"""``[logging] level`` and ``format``: one readable line per record, or one JSON object per line.

The standard library's ``logging.Formatter`` rather than structlog: every library here (PTB, aiohttp,
aiosqlite, APScheduler) logs through the standard library, and the token mask (``bot.ops.logsafety``) is a
filter on the root logger's handlers that rewrites each record before any formatter sees it; a JSON
formatter on the same handlers inherits it, and everything else (library caps, levels) stays as it is.
structlog would add a dependency and a second pipeline (its ``ProcessorFormatter``) for the same output.

What a record carries is decided where it is logged (ids, counts, class names; never a token, phone
number, address or message text); this module only lays it out. The JSON object: ``ts`` (UTC, ISO 8601
with milliseconds), ``level``, ``logger``, ``message``, and ``exc`` when there is a traceback.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Literal

from bot.ops.logsafety import mask_tokens, quiet_libraries

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
Format = Literal["text", "json"]


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exc"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False)


def formatter_for(fmt: Format) -> logging.Formatter:
    return JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT)


class _OwnHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The handler ``apply_logging`` adds to stderr (others', e.g. a test runner's, are left alone)."""


def apply_logging(level: str = "INFO", fmt: Format = "text") -> None:
    """As ``logging.basicConfig``: when the root logger has no handler of its own, one to stderr is added
    and the root level set; when a handler of ours is there (a second call, once the configuration is read),
    its layout and the level change. Others' handlers (a test runner's) are left as they are. Then the
    chatty libraries are capped and tokens masked on every handler."""
    root = logging.getLogger()
    ours = [h for h in root.handlers if isinstance(h, _OwnHandler)]
    if not ours and not root.handlers:
        ours = [_OwnHandler()]
        root.addHandler(ours[0])
    for handler in ours:
        handler.setFormatter(formatter_for(fmt))
    if ours:
        root.setLevel(level)
    quiet_libraries()  # request URLs carry the bot token; PTB's DEBUG lines carry residents' messages
    mask_tokens()  # whatever still carries a token is masked on every handler of the root logger
