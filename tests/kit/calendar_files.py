"""Campaign calendars written for a test, and local times in the utility's zone (tests/bot/broadcast)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(y: int, mo: int, d: int, h: int = 0, mi: int = 0, tz: ZoneInfo = SHANGHAI) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=tz)


def write(tmp_path: Path, body: str, name: str = "cal.toml") -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


def entry(cid: str, schedule: str, extra: str = "", zh: str = "提醒 {hotline}", en: str = "Note {hotline}") -> str:
    return f'[[campaign]]\nid = "{cid}"\n{schedule}\n{extra}\ntexts.zh = "{zh}"\ntexts.en = "{en}"\n'
