"""[logging] level and format: the JSON layout (one object per line, the token masked in the message and
the traceback), the level applied, and a real bot process at DEBUG in JSON through a report: every line
parses, and none carries the token, the resident's phone number, address or words."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot.cli.demo import DEMO_TOKEN
from bot.ops.logformat import JsonFormatter, _OwnHandler, apply_logging
from bot.ops.logsafety import TokenFilter
from sandbox import Sandbox
from tests.kit.botproc import BotProcess, bot_config, toml_dump
from tests.kit.chat import OPENING, file_report

TOKEN = (
    "123456789:" + "AAEhBP0av28ABCDEFGHIJKLMNOPQRSTUVWX"
)  # token-shaped (joined: no token-shaped literal in the repository)
RESIDENT = 7700


pytestmark = pytest.mark.people(RESIDENT)


def test_json_lines_with_the_token_masked_in_message_and_traceback() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(TokenFilter((TOKEN,)))
    handler.setFormatter(JsonFormatter())
    log = logging.getLogger("tests.json")
    log.addHandler(handler)
    log.propagate = False
    try:
        log.warning("call to %s failed for ticket %d", f"https://api.telegram.org/bot{TOKEN}/getMe", 12)
        try:
            raise ValueError(f"bad URL bot{TOKEN}")
        except ValueError:
            log.exception("start-up failed")
    finally:
        log.removeHandler(handler)
        log.propagate = True
    lines = stream.getvalue().splitlines()
    first, second = (json.loads(line) for line in lines)
    assert first["message"] == "call to https://api.telegram.org/bot<token>/getMe failed for ticket 12"
    assert first["level"] == "WARNING" and first["logger"] == "tests.json"
    assert first["ts"].endswith("+00:00") and "T" in first["ts"]
    assert second["message"] == "start-up failed" and "ValueError: bad URL bot<token>" in second["exc"]
    assert TOKEN not in stream.getvalue() and TOKEN.split(":")[1] not in stream.getvalue()


@contextmanager
def bare_root() -> Iterator[logging.Logger]:
    """The root logger without the test runner's handlers (as in a real process), restored afterwards."""
    root = logging.getLogger()
    saved, level = root.handlers[:], root.level
    root.handlers = []
    try:
        yield root
    finally:
        root.handlers = saved
        root.setLevel(level)


def test_apply_logging_sets_level_and_layout_and_keeps_the_caps() -> None:
    with bare_root() as root:
        apply_logging("INFO", "text")
        (handler,) = root.handlers
        assert isinstance(handler, _OwnHandler) and not isinstance(handler.formatter, JsonFormatter)
        apply_logging("DEBUG", "json")  # once the configuration is read: the same handler, re-laid out
        assert root.handlers == [handler] and isinstance(handler.formatter, JsonFormatter)
        assert root.level == logging.DEBUG
    assert logging.getLogger("telegram").level == logging.INFO  # PTB's DEBUG lines carry residents' messages
    assert logging.getLogger("httpx").level == logging.WARNING  # its URLs carry the token
    assert any(isinstance(f, TokenFilter) for f in handler.filters)


def test_apply_logging_leaves_others_handlers_alone() -> None:
    root = logging.getLogger()
    before = [(h, h.formatter) for h in root.handlers]
    apply_logging("DEBUG", "json")
    assert [(h, h.formatter) for h in root.handlers] == before


@pytest.mark.e2e  # a real process: the end-to-end suite (make test), not the inner loop
async def test_a_real_process_logs_json_at_debug_without_personal_data(sandbox: Sandbox, tmp_path: Path) -> None:
    sb = sandbox
    config = tmp_path / "config.toml"
    data = bot_config(sb, tmp_path / "logs.sqlite3", logging={"level": "debug", "format": "json"})
    config.write_text(toml_dump(data), encoding="utf-8")
    bot = BotProcess(config, tmp_path / "bot.log")
    await bot.start()
    try:
        outcome = await file_report(sb, RESIDENT, deadline=asyncio.get_running_loop().time() + 60)
        assert outcome.receipts, bot.log_text()
    finally:
        assert await bot.stop() == 0
    lines = [line for line in bot.log_text().splitlines() if line.strip()]
    entries = [json.loads(line) for line in lines]  # every line is one JSON object
    assert {"ts", "level", "logger", "message"} <= set(entries[0])
    assert any(e["level"] == "DEBUG" for e in entries)  # the configured level is in force
    assert any("polling for updates" in e["message"] for e in entries)
    text = bot.log_text()
    phone = f"138{RESIDENT % 100000000:08d}"
    for private in (DEMO_TOKEN, DEMO_TOKEN.split(":", 1)[1], phone, "Flat 700", OPENING):
        assert private not in text, private
