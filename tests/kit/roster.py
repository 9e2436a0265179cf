"""The rota from the command line: a config, the stored rota, the rota files in tests/bot/data/rota."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.cli.main import main
from bot.config.settings import StorageConfig, load_settings
from bot.rota.duty import crews_on_duty
from storage.engines import open_database
from tests.kit import template

ZONE = ZoneInfo("Asia/Shanghai")
CREWS = ("A", "B", "C", "D", "E")
DATA = Path(__file__).parents[1] / "bot" / "data" / "rota"


def write_config(
    tmp_path: Path, *, rota: str = "", username: str | None = "GasHotlineTestBot", migrated: Path | None = None
) -> Path:
    """A config for the rota commands; with ``migrated`` (the fixture: tests/kit/template.py) its database starts
    as a copy of that file, as the first command would leave a new one after migrating it (a tenth of the CPU):
    for the tests about the rota, not about migrating."""
    parts = [
        "[telegram]",
        'token = "123456:TEST-TOKEN-not-real"',
        *([f'bot_username = "{username}"'] if username else []),
        "[storage]",
        f'path = "{tmp_path / "roster.sqlite3"}"',
        "[utility]",
        'timezone = "Asia/Shanghai"',
    ]
    for index, crew in enumerate(CREWS):
        parts += ["[[crews]]", f'name = "{crew}"', "[[crews.members]]", f"user_id = {3000 + index}", 'name = "M"']
    parts += ["[[staff]]", "user_id = 4001", 'name = "Admin"', 'role = "admin"']
    if rota:
        parts += ["[rota]", rota]
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "config.toml"
    path.write_text("\n".join(parts) + "\n", encoding="utf-8")
    if migrated is not None:
        template.start_from(migrated, StorageConfig(path=tmp_path / "roster.sqlite3"))
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def section(out: str, title: str) -> list[tuple[str, str, str]]:
    """(crew, start, end) of each line under ``title`` in ``roster show``'s output."""
    lines = out.splitlines()
    rows = []
    for line in lines[lines.index(title) + 1 :]:
        if not line.startswith("  "):
            break
        parts = line.split()
        if parts[0] != "nobody":
            rows.append((parts[0], f"{parts[1]} {parts[2]}", f"{parts[4]} {parts[5]}"))
    return rows


def stored_on_duty(config: Path, when: str) -> list[str]:
    return stored_on_duty_at(config, [when])[0]


def stored_on_duty_at(config: Path, whens: list[str]) -> list[list[str]]:
    """The crews on duty at each of ``whens`` by the stored rota, read over one connection (another process, as
    far as the database can tell): settings and database opened once, not once per instant (that was a quarter
    to a half of the rota CLI tests' CPU)."""
    settings = load_settings(config)

    async def read() -> list[list[str]]:
        db = await open_database(settings.storage)
        found = []
        try:
            for when in whens:
                async with db._transaction() as tx:
                    at = datetime.fromisoformat(when).replace(tzinfo=ZONE)
                    found.append(await crews_on_duty(tx, settings, at))
        finally:
            await db.close()
        return found

    return asyncio.run(read())


TABLE = [
    ("2027-01-04 07:59", None, ("A", "2027-01-04 08:00")),
    ("2027-01-04 08:00", ("A", "2027-01-04 08:00", "2027-01-04 20:00"), ("B", "2027-01-04 20:00")),
    ("2027-01-04 19:59", ("A", "2027-01-04 08:00", "2027-01-04 20:00"), ("B", "2027-01-04 20:00")),
    ("2027-01-04 20:00", ("B", "2027-01-04 20:00", "2027-01-05 08:00"), ("C", "2027-01-05 08:00")),
    ("2027-01-05 03:00", ("B", "2027-01-04 20:00", "2027-01-05 08:00"), ("C", "2027-01-05 08:00")),
    ("2027-01-05 08:00", ("C", "2027-01-05 08:00", "2027-01-05 20:00"), ("D", "2027-01-05 20:00")),
    ("2027-01-05 23:59", ("D", "2027-01-05 20:00", "2027-01-06 08:00"), ("A", "2027-01-06 08:00")),
    ("2027-01-06 08:00", ("A", "2027-01-06 08:00", "2027-01-06 20:00"), ("B", "2027-01-06 20:00")),
    ("2027-01-10 14:00", ("A", "2027-01-10 08:00", "2027-01-10 20:00"), ("B", "2027-01-10 20:00")),
    ("2027-01-17 21:30", ("D", "2027-01-17 20:00", "2027-01-18 08:00"), ("A", "2027-01-18 08:00")),
    ("2027-01-31 19:59", ("C", "2027-01-31 08:00", "2027-01-31 20:00"), ("D", "2027-01-31 20:00")),
    ("2027-02-01 00:00", ("D", "2027-01-31 20:00", "2027-02-01 08:00"), ("A", "2027-02-01 08:00")),
    ("2027-02-01 08:00", ("A", "2027-02-01 08:00", "2027-02-01 20:00"), ("B", "2027-02-01 20:00")),
]
