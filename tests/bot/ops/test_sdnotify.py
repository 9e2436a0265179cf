"""systemd's notifications (bot/ops/sdnotify.py) received on a real unix datagram socket, as systemd receives
them: nothing without NOTIFY_SOCKET, the abstract namespace, the watchdog only while the health check
passes, and a real `hotline run` against the sandbox saying STATUS=, READY=1, WATCHDOG=1 and STOPPING=1."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli.demo import DEMO_TOKEN
from bot.ops.sdnotify import Keepalive, Notifier
from sandbox import Sandbox
from tests.kit.botproc import REPO, bot_config, toml_dump


class Receiver:
    """A bound unix datagram socket (a path, or a name in the abstract namespace), read without blocking."""

    def __init__(self, address: str) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(address)
        self.sock.setblocking(False)
        self.messages: list[str] = []

    def drain(self) -> list[str]:
        while True:
            try:
                self.messages.append(self.sock.recv(4096).decode("utf-8"))
            except BlockingIOError:
                return self.messages

    async def wait_for(self, line: str, *, count: int = 1, timeout_s: float = 30.0) -> list[str]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while sum(line in m.splitlines() for m in self.drain()) < count:
            assert loop.time() < deadline, (line, self.messages)
            await asyncio.sleep(0.02)
        return self.messages


@pytest.fixture
def short_dir() -> Iterator[Path]:
    """A short directory: a unix socket's path must fit in 108 bytes."""
    with tempfile.TemporaryDirectory(prefix="sdn") as name:
        yield Path(name)


@pytest.fixture
def receiver(short_dir: Path) -> Iterator[tuple[Receiver, str]]:
    address = str(short_dir / "notify")
    rx = Receiver(address)
    try:
        yield rx, address
    finally:
        rx.sock.close()


def test_without_notify_socket_nothing_is_sent() -> None:
    notifier = Notifier({})
    assert not notifier.enabled and notifier.watchdog_s is None
    assert notifier.ready("running") is False and notifier.send("WATCHDOG=1") is False


def test_a_socket_path_and_the_abstract_namespace_both_receive(receiver: tuple[Receiver, str]) -> None:
    rx, address = receiver
    assert Notifier({"NOTIFY_SOCKET": address}).ready("running: polling")
    assert rx.drain() == ["READY=1\nSTATUS=running: polling"]
    name = f"hotline-test-{os.getpid()}"
    abstract = Receiver("\0" + name)
    try:
        assert Notifier({"NOTIFY_SOCKET": "@" + name}).stopping()
        assert abstract.drain() == ["STOPPING=1\nSTATUS=stopping"]
    finally:
        abstract.sock.close()


def test_the_watchdog_interval_is_read_for_this_process_only() -> None:
    assert Notifier({"WATCHDOG_USEC": "30000000"}).watchdog_s == 30.0
    assert Notifier({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": str(os.getpid())}).watchdog_s == 30.0
    assert Notifier({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"}).watchdog_s is None  # meant for another
    assert Notifier({"WATCHDOG_USEC": "0"}).watchdog_s is None


def test_a_socket_nobody_listens_on_is_logged_once_and_never_raises(
    short_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    notifier = Notifier({"NOTIFY_SOCKET": str(short_dir / "nobody")})
    assert notifier.send("READY=1") is False and notifier.send("WATCHDOG=1") is False
    assert [r.levelname for r in caplog.records if "could not notify systemd" in r.getMessage()] == ["WARNING"]


async def test_the_keepalive_extends_the_start_then_pings_only_while_healthy(receiver: tuple[Receiver, str]) -> None:
    rx, address = receiver
    keepalive = Keepalive(Notifier({"NOTIFY_SOCKET": address, "WATCHDOG_USEC": "100000"}))  # pings every 0.05 s
    healthy = True

    async def check() -> bool:
        return healthy

    keepalive.start()
    try:
        await rx.wait_for("EXTEND_TIMEOUT_USEC=150000", count=2, timeout_s=10)  # before READY=1: the start goes on
        assert not any("WATCHDOG=1" in m for m in rx.drain())
        keepalive.ready("running", check)
        await rx.wait_for("READY=1")
        await rx.wait_for("WATCHDOG=1", count=3, timeout_s=10)
        healthy = False
        pings = keepalive.pings
        for _ in range(10):  # ten ticks (bounded): none pings while the check fails
            await asyncio.sleep(keepalive.period_s)
        assert keepalive.pings == pings
        healthy = True
        await rx.wait_for("WATCHDOG=1", count=pings + 1, timeout_s=10)
    finally:
        await keepalive.stop()


async def test_a_real_hotline_run_says_ready_pings_the_watchdog_and_says_stopping(
    sandbox: Sandbox, receiver: tuple[Receiver, str], tmp_path: Path
) -> None:
    rx, address = receiver
    config = tmp_path / "config.toml"
    config.write_text(toml_dump(bot_config(sandbox, tmp_path / "sd.sqlite3")), encoding="utf-8")
    command = Path(sys.executable).with_name("hotline")
    env = {
        **os.environ,
        "HOTLINE_TELEGRAM__TOKEN": DEMO_TOKEN,
        "NOTIFY_SOCKET": address,
        "WATCHDOG_USEC": "1000000",  # 1 s: a ping every 0.5 s
    }
    log = tmp_path / "bot.log"
    with log.open("wb") as out:
        proc = await asyncio.create_subprocess_exec(
            str(command), "run", "--init", "--config", str(config), cwd=REPO, env=env, stdout=out, stderr=out
        )
        try:
            messages = await rx.wait_for("READY=1", timeout_s=60)
            ready = next(m for m in messages if "READY=1" in m.splitlines())
            assert "STATUS=running: polling as @" in ready
            assert sandbox.calls("getMe") and sandbox.calls("deleteWebhook"), "READY=1 after Telegram answered"
            before = messages[: messages.index(ready)]
            assert "STATUS=opening the database" in before and "STATUS=connecting to Telegram (getMe)" in before
            await rx.wait_for("WATCHDOG=1", count=3, timeout_s=30)
            assert not any(line.startswith("STOPPING=1") for m in rx.drain() for line in m.splitlines())
        finally:
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(proc.wait(), timeout=30)
    assert code == 0, log.read_text(errors="replace")
    messages = rx.drain()
    stopping = [m for m in messages if "STOPPING=1" in m.splitlines()]
    assert stopping == ["STOPPING=1\nSTATUS=stopping"], messages
    assert DEMO_TOKEN not in "".join(messages)
