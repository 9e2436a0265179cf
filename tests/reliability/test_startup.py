"""Start-up and running failures an operator meets: a corrupt or missing database, a database deleted while
running, a second instance, Telegram unreachable (502) at start, a 409 from getUpdates. Each ends in one
clear line (or a retry), never a hang or a traceback."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import aiohttp
import pytest

from bot.app import serve
from bot.cli.demo import DEMO_TOKEN, running_bot, sandbox_settings
from bot.cli.main import main
from bot.config.settings import Settings, load_settings
from bot.halt import Halted
from bot.ops import dbguard
from common.errors import StorageError
from sandbox import Sandbox
from storage.db import Database
from storage.instance import AlreadyRunning, InstanceLock
from tests.kit.botproc import REPO, toml_dump


def write_config(tmp_path: Path, db_path: Path | str, **telegram: object) -> Path:
    config = tmp_path / "config.toml"
    tg = {"base_url": "http://127.0.0.1:9/bot", "base_file_url": "http://127.0.0.1:9/file/bot", **telegram}
    config.write_text(toml_dump({"telegram": tg, "storage": {"path": str(db_path)}}), encoding="utf-8")
    return config


# --- the database at start ------------------------------------------------------------------------------


def test_corrupt_database_exits_at_once_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOTLINE_TELEGRAM__TOKEN", DEMO_TOKEN)
    db_path = tmp_path / "hotline.sqlite3"
    db_path.write_bytes(b"this is not a database, it was overwritten by a backup script gone wrong\n" * 100)
    # Telegram is unreachable (port 9): the database must be refused before any network retry
    assert main(["run", "--config", str(write_config(tmp_path, db_path, startup_attempts=1))]) == 1
    err = capsys.readouterr().err
    assert "not a SQLite database, or corrupt" in err and str(db_path) in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err


async def test_open_of_a_corrupt_file_closes_its_connection(tmp_path: Path) -> None:
    path = tmp_path / "bad.sqlite3"
    path.write_bytes(b"\0garbage" * 1000)

    def workers() -> set[int | None]:
        return {t.ident for t in threading.enumerate() if "_connection_worker_thread" in repr(t)}

    before = workers()
    with pytest.raises(StorageError, match="not a SQLite database"):
        await Database.open(path)
    # the connection's thread was closed: nothing keeps the process alive after the error
    for _ in range(100):  # bounded: the thread ends just after close() returns
        if not workers() - before:
            break
        await asyncio.sleep(0.01)
    assert not workers() - before


def test_missing_database_is_refused_unless_init(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOTLINE_TELEGRAM__TOKEN", DEMO_TOKEN)
    db_path = tmp_path / "hotlin.sqlite3"  # a typo: the directory exists, the database is elsewhere
    assert main(["run", "--config", str(write_config(tmp_path, db_path))]) == 1
    err = capsys.readouterr().err
    assert "no database there" in err and "--init" in err and "Traceback" not in err
    assert not db_path.exists(), "nothing created"


def test_missing_database_rules(tmp_path: Path) -> None:
    fresh = tmp_path / "new-install" / "data" / "hotline.sqlite3"
    assert dbguard.check_present(fresh, init=False) is True, "the data directory does not exist: a first run"
    typo = tmp_path / "hotline.sqlite3"
    with pytest.raises(StorageError, match="mistyped"):
        dbguard.check_present(typo, init=False)
    assert dbguard.check_present(typo, init=True) is True
    deleted = tmp_path / "gone.sqlite3"
    (tmp_path / "gone.sqlite3.lock").write_text("1\n")
    with pytest.raises(StorageError, match="deleted"):
        dbguard.check_present(deleted, init=False)
    deleted.write_bytes(b"")
    assert dbguard.check_present(deleted, init=False) is False


def test_relative_storage_path_is_relative_to_the_configuration_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    conf_dir = tmp_path / "etc"
    conf_dir.mkdir()
    config = conf_dir / "config.toml"
    config.write_text('[storage]\npath = "data/hotline.sqlite3"\n', encoding="utf-8")
    elsewhere = tmp_path / "somewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert load_settings(config).storage.path == conf_dir / "data" / "hotline.sqlite3"
    assert load_settings(Path(os.path.relpath(config))).storage.path == conf_dir / "data" / "hotline.sqlite3"
    config.write_text(f'[storage]\npath = "{tmp_path / "abs.sqlite3"}"\n', encoding="utf-8")
    assert load_settings(config).storage.path == tmp_path / "abs.sqlite3"


async def started(settings: Settings, sandbox: Sandbox) -> tuple[asyncio.Task[None], asyncio.Event]:
    """``serve`` in a task, once it polls."""
    stop = asyncio.Event()
    ready = asyncio.Event()

    async def on_ready(_: object) -> None:
        ready.set()

    task = asyncio.create_task(serve(settings, stop, on_ready=on_ready))
    await asyncio.wait_for(ready.wait(), timeout=20)
    return task, stop


async def test_database_deleted_while_running_stops_loudly(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(dbguard, "CHECK_EVERY_S", 0.05)
    settings = sandbox_settings(sandbox, tmp_path / "live.sqlite3", lang="en")
    task, _ = await started(settings, sandbox)
    (tmp_path / "live.sqlite3").unlink()
    with pytest.raises(Halted, match="deleted while the bot was running"):
        await asyncio.wait_for(task, timeout=20)  # bounded: the watch stops the bot within a few checks
    assert any(r.levelno == logging.CRITICAL and "deleted" in r.getMessage() for r in caplog.records)


# --- a second instance -------------------------------------------------------------------------------


def test_instance_lock_refuses_a_second_holder(tmp_path: Path) -> None:
    db_path = tmp_path / "one.sqlite3"
    with InstanceLock.acquire(db_path):
        assert InstanceLock.held(db_path)
        with pytest.raises(AlreadyRunning, match=f"pid {os.getpid()}"):
            InstanceLock.acquire(db_path)
    assert not InstanceLock.held(db_path)
    InstanceLock.acquire(db_path).release()  # free again once let go


async def test_second_instance_on_the_same_database_is_refused(sandbox: Sandbox, tmp_path: Path) -> None:
    settings = sandbox_settings(sandbox, tmp_path / "shared.sqlite3", lang="en")
    async with running_bot(settings):
        with pytest.raises(AlreadyRunning, match="another hotline process"):
            await serve(settings, asyncio.Event())


async def test_409_from_get_updates_stops_the_bot(
    sandbox: Sandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Another process (another database) polls the same token: the sandbox ends our poll with 409."""
    settings = sandbox_settings(sandbox, tmp_path / "mine.sqlite3", lang="en")
    task, _ = await started(settings, sandbox)
    async with aiohttp.ClientSession() as http:
        for _ in range(50):  # bounded: each of these ends the bot's waiting poll with 409
            if task.done():
                break
            url = f"{sandbox.base_url}{DEMO_TOKEN}/getUpdates"
            async with http.post(url, json={"timeout": 0, "offset": -1}) as res:
                await res.read()
            await asyncio.sleep(0.1)
    with pytest.raises(Halted, match="another instance is polling this token"):
        await asyncio.wait_for(task, timeout=20)
    critical = [r.getMessage() for r in caplog.records if r.levelno == logging.CRITICAL]
    assert any("another instance is polling this token" in m for m in critical), critical
    assert "Traceback" not in caplog.text


# --- Telegram unreachable at start ---------------------------------------------------------------------


async def test_502_at_start_is_retried_and_the_command_menu_is_best_effort(
    sandbox: Sandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    sandbox.set_faults(error_rate=1.0, methods=frozenset({"getme", "deletewebhook", "setmycommands"}))
    settings = sandbox_settings(sandbox, tmp_path / "retry.sqlite3", lang="en")
    stop = asyncio.Event()
    task = asyncio.create_task(serve(settings, stop))
    for method, still_failing in (("getMe", {"deletewebhook", "setmycommands"}), ("deleteWebhook", {"setmycommands"})):
        for _ in range(200):  # bounded wait for the first failed call
            if sandbox.calls(method):
                break
            await asyncio.sleep(0.02)
        sandbox.set_faults(error_rate=1.0, methods=frozenset(still_failing))  # it answers again
    for _ in range(400):  # bounded: polling starts although every setMyCommands fails
        if sandbox.calls("getUpdates"):
            break
        await asyncio.sleep(0.02)
    assert sandbox.calls("getUpdates"), "the bot started"
    stop.set()
    await asyncio.wait_for(task, timeout=20)
    messages = [r.getMessage() for r in caplog.records]
    assert any(m.startswith("getMe failed (attempt 1): NetworkError") for m in messages), messages
    assert any("connection to Telegram restored (getMe" in m for m in messages), messages
    assert any(m.startswith("deleteWebhook failed (attempt 1): NetworkError") for m in messages), messages
    assert any("connection to Telegram restored (deleteWebhook" in m for m in messages), messages
    assert any("command menu not set" in m for m in messages), messages
    assert "Traceback" not in caplog.text


async def test_get_updates_failures_are_one_line_each_and_recovery_is_logged(
    sandbox: Sandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    settings = sandbox_settings(sandbox, tmp_path / "poll.sqlite3", lang="en")
    async with running_bot(settings):
        sandbox.set_faults(error_rate=1.0, methods=frozenset({"getupdates"}))
        for _ in range(300):  # bounded: two failed polls (PTB backs off 1 s, then 1.5 s)
            if sum(1 for c in sandbox.calls("getUpdates") if c.status == 502) >= 2:
                break
            await asyncio.sleep(0.02)
        sandbox.set_faults()
        for _ in range(300):
            if any("connection to Telegram restored (getUpdates" in r.getMessage() for r in caplog.records):
                break
            await asyncio.sleep(0.02)
    failed = [r for r in caplog.records if r.getMessage().startswith("getUpdates failed")]
    assert len(failed) >= 2 and all(r.exc_info is None for r in failed)
    assert any("connection to Telegram restored (getUpdates" in r.getMessage() for r in caplog.records)
    assert "Traceback" not in caplog.text


def _can_mount() -> bool:
    if shutil.which("unshare") is None or shutil.which("mount") is None:
        return False
    probe = subprocess.run(["unshare", "-m", "sh", "-c", "mount -t tmpfs none /mnt"], capture_output=True, timeout=20)
    return probe.returncode == 0


@pytest.mark.skipif(not _can_mount(), reason="needs root and unshare/mount (util-linux) for a read-only bind mount")
def test_read_only_file_system_exits_at_once_with_one_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    db_path = data / "hotline.sqlite3"

    async def create() -> None:
        await (await Database.open(db_path)).close()

    asyncio.run(create())
    config = write_config(tmp_path, db_path, startup_attempts=1)
    script = (
        f"mount --bind '{data}' '{data}' && mount -o remount,ro,bind '{data}' && "
        f"exec '{sys.executable}' -m bot.cli run --config '{config}'"
    )
    env = {**os.environ, "HOTLINE_TELEGRAM__TOKEN": DEMO_TOKEN}
    done = subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, timeout=60, env=env, cwd=REPO)
    err = done.stderr.decode(errors="replace")
    assert done.returncode == 1, err
    assert "Read-only file system" in err or "read-only" in err, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err


async def test_502_to_set_webhook_is_retried(
    sandbox: Sandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from sandbox.ports import free_port
    from tests.kit.webhook import webhook_settings

    caplog.set_level(logging.INFO)
    settings = webhook_settings(sandbox, tmp_path / "hook.sqlite3", free_port())
    sandbox.set_faults(error_rate=1.0, methods=frozenset({"setwebhook"}))
    stop = asyncio.Event()
    task = asyncio.create_task(serve(settings, stop, webhook=True))
    for _ in range(300):  # bounded wait for the first failed setWebhook
        if sandbox.calls("setWebhook"):
            break
        await asyncio.sleep(0.02)
    sandbox.set_faults()
    for _ in range(300):  # bounded: registered on a later attempt
        if sandbox.webhook_info()["url"] == settings.telegram.webhook_url:
            break
        await asyncio.sleep(0.02)
    stop.set()
    await asyncio.wait_for(task, timeout=20)
    assert sandbox.webhook_info()["url"] == settings.telegram.webhook_url
    messages = [r.getMessage() for r in caplog.records]
    assert any(m.startswith("setWebhook failed (attempt 1): NetworkError") for m in messages), messages
    assert any("connection to Telegram restored (setWebhook" in m for m in messages), messages
