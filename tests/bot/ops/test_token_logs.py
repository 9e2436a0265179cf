"""The bot token never reaches a log: each start-up failure (a bad base_url port, a wrong scheme, a missing
``/bot`` suffix answered 404, a token Telegram refuses) is run through ``hotline run`` and everything it
printed and logged is scanned for the token."""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli.demo import DEMO_TOKEN
from bot.cli.main import main
from bot.ops.logsafety import MASK, TokenFilter
from handlers.startup import with_retries
from sandbox import Sandbox
from tests.kit.botproc import toml_dump

# shaped like a real token (the bot's id, a colon, 35 characters)
TOKEN = (
    "7012345678:" + "AAHx9fQe_kVb2-3LmN0pQrStUvWxYz12345"
)  # token-shaped (joined: no token-shaped literal in the repository)
SECRET = TOKEN.split(":", 1)[1]


@pytest.fixture
def threaded_sandbox() -> Iterator[Sandbox]:
    """A sandbox on its own thread and event loop: ``main`` runs its own loop on the test's thread."""
    loop = asyncio.new_event_loop()
    started: list[Sandbox] = []
    ready = threading.Event()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        sb = Sandbox(DEMO_TOKEN)
        loop.run_until_complete(sb.start())
        started.append(sb)
        ready.set()
        loop.run_forever()
        loop.run_until_complete(sb.stop())
        loop.close()

    thread = threading.Thread(target=serve, name="sandbox")
    thread.start()
    assert ready.wait(10)
    yield started[0]
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_with(tmp_path: Path, base_url: str, monkeypatch: pytest.MonkeyPatch, token: str = TOKEN) -> int:
    monkeypatch.setenv("HOTLINE_TELEGRAM__TOKEN", token)
    # getMe's next try after a network error comes after 50 ms, not the product's first second
    monkeypatch.setitem(with_retries.__kwdefaults__, "first_delay_s", 0.05)
    config = tmp_path / "config.toml"
    telegram = {"base_url": base_url, "base_file_url": base_url.replace("/bot", "/file/bot"), "startup_attempts": 2}
    config.write_text(toml_dump({"telegram": telegram, "storage": {"path": str(tmp_path / "t.sqlite3")}}))
    return main(["run", "--init", "--config", str(config)])


def scan(token: str, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]) -> str:
    out = capsys.readouterr()
    text = "\n".join((caplog.text, out.out, out.err))
    secret = token.split(":", 1)[1]
    assert token not in text and secret not in text, text
    return text


@pytest.fixture(autouse=True)
def debug_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)


def test_bad_base_url_port(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = run_with(tmp_path, f"http://127.0.0.1:{closed_port()}/bot", monkeypatch)
    text = scan(TOKEN, caplog, capsys)
    assert code == 1 and "getMe failed (attempt 2 of 2)" in text and "Telegram unreachable at start" in text
    assert "Traceback" not in text


def test_wrong_scheme(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = run_with(tmp_path, "htps://api.telegram.org/bot", monkeypatch)
    text = scan(TOKEN, caplog, capsys)
    assert code == 2 and "telegram.base_url" in text


def test_missing_bot_suffix_is_a_404(
    threaded_sandbox: Sandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = run_with(tmp_path, threaded_sandbox.base_url.removesuffix("bot"), monkeypatch, token=DEMO_TOKEN)
    text = scan(DEMO_TOKEN, caplog, capsys)
    assert code == 1 and "does not end in '/bot'" in text and "Traceback" not in text


def test_refused_token(
    threaded_sandbox: Sandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = run_with(tmp_path, threaded_sandbox.base_url, monkeypatch)  # the sandbox knows only DEMO_TOKEN: 401
    text = scan(TOKEN, caplog, capsys)
    assert code == 1 and "Telegram refused the bot token" in text and "Traceback" not in text


def test_token_from_the_file_is_warned_about(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("HOTLINE_TELEGRAM__TOKEN", raising=False)
    config = tmp_path / "config.toml"
    port = closed_port()
    telegram = {
        "token": TOKEN,
        "base_url": f"http://127.0.0.1:{port}/bot",
        "base_file_url": f"http://127.0.0.1:{port}/file/bot",
        "startup_attempts": 1,
    }
    config.write_text(toml_dump({"telegram": telegram, "storage": {"path": str(tmp_path / "f.sqlite3")}}))
    assert main(["run", "--init", "--config", str(config)]) == 1
    text = scan(TOKEN, caplog, capsys)
    assert "the bot token comes from the configuration file" in text


def test_filter_masks_message_arguments_and_tracebacks() -> None:
    flt = TokenFilter((DEMO_TOKEN,))
    try:
        raise ValueError(f"GET http://x/bot{TOKEN}/getMe failed for {DEMO_TOKEN}")
    except ValueError as exc:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "url %s", (f"/bot{DEMO_TOKEN}/x",), None)
        record.exc_info = (type(exc), exc, exc.__traceback__)
    assert flt.filter(record)
    formatted = logging.Formatter().format(record)
    assert DEMO_TOKEN not in formatted and TOKEN not in formatted and SECRET not in formatted
    assert f"/bot{MASK}/x" in formatted and "Traceback" in formatted
