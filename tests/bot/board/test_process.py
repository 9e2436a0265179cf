"""`hotline board` as an operator meets it: its configuration, its own process, its read-only connection."""

from __future__ import annotations

import asyncio
import signal
import socket
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest

from common.errors import ConfigError, StorageError
from storage.db import Database
from storage.engines import open_database
from tests.kit.board import SECRET, board_settings


@pytest.mark.sqlite_only("SQLite's read-only connection (on PostgreSQL the board shares the pool)")
async def test_the_boards_reading_connection_cannot_write(tmp_path: Path) -> None:
    settings = board_settings(tmp_path)
    db = await open_database(settings.storage)
    reader = await Database.open_read_only(settings.storage.path)
    try:
        with pytest.raises(StorageError, match="readonly"):
            await reader.run(lambda tx: tx.execute("DELETE FROM tickets"))
    finally:
        await reader.close()
        await db.close()


def test_secret_shorter_than_32_characters_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="board.secret"):
        board_settings(tmp_path, board={"secret": "short", "public_url": "https://x.example/board/"})
    https = board_settings(tmp_path, board={"secret": SECRET, "public_url": "https://x.example/board/"})
    assert https.board.secure and https.board.prefix == "/board"


def test_hotline_board_without_a_secret_exits_with_a_clear_error(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[storage]\npath = "db.sqlite3"\n[board]\npublic_url = "https://x.example/board/"\n')
    done = subprocess.run(
        [sys.executable, "-m", "bot", "board", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 2 and "HOTLINE_BOARD__SECRET" in done.stderr


async def test_hotline_board_runs_as_its_own_process_and_stops_on_sigterm(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "db.sqlite3")
    await db.close()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = tmp_path / "config.toml"
    config.write_text(
        f'[storage]\npath = "db.sqlite3"\n[board]\nlisten = "127.0.0.1:{port}"\npublic_url = "http://127.0.0.1/"\n'
    )
    env = {"PATH": "/usr/bin:/bin", "HOTLINE_BOARD__SECRET": SECRET}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "board", "--config", str(config), env=env, stderr=asyncio.subprocess.PIPE
    )
    try:
        async with aiohttp.ClientSession() as session:
            for _ in range(200):  # up to 20 s for the process to start
                try:
                    async with session.get(f"http://127.0.0.1:{port}/", allow_redirects=False) as resp:
                        assert resp.status == 302 and resp.headers["Location"] == "/signin"
                        break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.1)
            else:
                raise AssertionError("the board did not start")
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 30) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
