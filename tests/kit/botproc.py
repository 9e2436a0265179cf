"""The bot as a real subprocess (``python -m bot.cli run --config FILE``) against a sandbox on 127.0.0.1."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from collections import Counter
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from bot.cli.demo import DEMO_TOKEN, DISPATCHER, LEAD, MEMBER, OTHER_CREW
from sandbox import Sandbox
from tests.kit import postgres

REPO = Path(__file__).resolve().parents[2]
ZONE = "Asia/Shanghai"


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list) and all(not isinstance(v, dict) for v in value):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r} as TOML")


def toml_dump(data: dict[str, Any], prefix: str = "") -> str:
    """Enough TOML for a settings dict: tables, arrays of tables, scalars and lists of scalars."""
    lines: list[str] = []
    nested: list[str] = []
    for key, value in data.items():
        name = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            nested.append(f"\n[{name}]\n" + toml_dump(value, name))
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for item in value:
                nested.append(f"\n[[{name}]]\n" + toml_dump(item, name))
        else:
            lines.append(f"{key} = {_scalar(value)}")
    return "\n".join(lines) + "".join(nested) + "\n"


def bot_config(sandbox: Sandbox, db_path: Path, **extra: Any) -> dict[str, Any]:
    """Settings like ``bot.cli.demo.sandbox_settings`` (crew A on duty, crew B off, one dispatcher), no token."""
    anchor = datetime.now(ZoneInfo(ZONE)).replace(tzinfo=None) - timedelta(hours=1)
    data: dict[str, Any] = {
        "telegram": {"base_url": sandbox.base_url, "base_file_url": sandbox.base_file_url, "poll_timeout_s": 1},
        "storage": {"path": str(db_path)},
        "outbound": {"private_burst": 20, "private_rate_per_s": 20.0},
        "utility": {"timezone": ZONE, "hotline": "96777"},
        "crews": [
            {
                "name": "A",
                "members": [
                    {"user_id": str(LEAD), "name": "Wang Qiang", "role": "lead", "lang": "en"},
                    {"user_id": str(MEMBER), "name": "Li Ming", "lang": "en"},
                ],
            },
            {"name": "B", "members": [{"user_id": str(OTHER_CREW), "name": "Zhao Lei", "role": "lead", "lang": "en"}]},
        ],
        "staff": [{"user_id": str(DISPATCHER), "name": "Desk", "role": "dispatcher", "lang": "en"}],
        "rota": {"crews": ["A", "B"], "shift_hours": 12, "anchor": anchor.isoformat(timespec="seconds")},
    }
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    return data


class BotProcess:
    """Start, ``kill -9`` and restart the bot; its output goes to ``log_path`` (appended). Each start passes
    ``--init`` (the database is created when missing) unless ``init=False``."""

    def __init__(
        self, config_path: Path, log_path: Path, *, env: dict[str, str] | None = None, init: bool = True
    ) -> None:
        self.config_path = config_path
        self.init = init
        self.log_path = log_path
        self.env = {**os.environ, "HOTLINE_TELEGRAM__TOKEN": DEMO_TOKEN, "PYTHONUNBUFFERED": "1", **(env or {})}
        self.proc: asyncio.subprocess.Process | None = None
        self.starts = 0
        self.kills = 0
        self._log: IO[bytes] | None = None

    async def start(self, *args: str) -> None:
        assert self.proc is None or self.proc.returncode is not None
        self._log = self._log or self.log_path.open("ab")
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.cli",
            "run",
            "--config",
            str(self.config_path),
            *(("--init",) if self.init else ()),
            *args,
            cwd=REPO,
            env=self.env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=self._log,
            stderr=self._log,
        )
        self.starts += 1

    async def kill9(self) -> None:
        """SIGKILL: no clean-up of any kind runs in the bot."""
        assert self.proc is not None
        if self.proc.returncode is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.kills += 1
        await asyncio.wait_for(self.proc.wait(), timeout=20)

    async def stop(self) -> int:
        """SIGTERM and wait for the clean shutdown; returns the exit code."""
        if self.proc is None:
            return 0
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            code = await asyncio.wait_for(self.proc.wait(), timeout=30)
        except TimeoutError:
            self.proc.kill()
            code = await self.proc.wait()
        if self._log is not None:
            self._log.close()
            self._log = None
        return code

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.returncode is None

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""


def cards(sb: Sandbox, chat: int) -> Counter[int]:
    seen: Counter[int] = Counter()
    for message in sb.messages(chat):
        for button in message.buttons():
            data = str(button.get("callback_data", ""))
            if data.startswith("t:acc:"):
                seen[int(data.split(":")[2])] += 1
    return seen


def query(db: Path | str, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    """Rows of ``sql`` on the bot's database: a SQLite file (read-only), or a PostgreSQL URL."""
    if isinstance(db, str):
        return postgres.query(db, sql, params)
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)) as conn, conn:
        return list(conn.execute(sql, params).fetchall())


async def wait_until(check: object, *, timeout_s: float, what: str) -> None:
    """Poll ``check()`` (sync, returns bool) every 0.2 s, at most ``timeout_s``."""
    assert callable(check)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not check():
        if loop.time() > deadline:
            raise TimeoutError(f"not reached within {timeout_s:.0f} s: {what}")
        await asyncio.sleep(0.2)
