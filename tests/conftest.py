"""Shared fixtures: settings with two crews, a real SQLite file per test, a fake clock."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.clock import FakeClock
from bot.config.settings import Settings, load_settings
from storage.db import Database

# PTB 22 gives retry_after as a timedelta only when asked to; the old int form warns (and warnings fail).
os.environ["PTB_TIMEDELTA"] = "true"
# The suite reads the `hotline` command's English messages whatever the machine's locale (bot/cli/text.py);
# tests/test_cli_lang.py sets its own. LC_MESSAGES changes no character handling, and LC_ALL would win over it.
os.environ.pop("LC_ALL", None)
os.environ["LC_MESSAGES"] = "en_US.UTF-8"

TESTS = Path(__file__).parent
# Suites that run the whole bot against the sandbox or a browser: `pytest -m "not e2e and not reliability"`
# (make test-fast) is the inner loop; `make test` runs everything.
_MARK_BY_FOLDER = {"e2e": "e2e", "reliability": "reliability"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        parts = item.path.relative_to(TESTS).parts
        if parts[0] in _MARK_BY_FOLDER:
            item.add_marker(_MARK_BY_FOLDER[parts[0]])
        elif item.path.name in ("test_browser.py", "test_sdnotify.py", "test_process.py"):
            item.add_marker("e2e")


T0 = datetime(2027, 3, 1, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai: crew A's day shift

RESIDENT = "5001"
CREW_A = ("1001", "1002")
CREW_B = ("1003",)
DISPATCHER = "2001"


def settings_dict(db_path: Path, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "telegram": {"token": "123456:TEST-TOKEN-not-real"},
        "storage": {"path": str(db_path)},
        "utility": {"hotline": "96777", "timezone": "Asia/Shanghai"},
        "crews": [
            {
                "name": "A",
                "members": [
                    {"user_id": CREW_A[0], "name": "Wang Qiang", "role": "lead"},
                    {"user_id": CREW_A[1], "name": "Li Ming"},
                ],
            },
            {"name": "B", "members": [{"user_id": CREW_B[0], "name": "Zhao Lei", "role": "lead"}]},
        ],
        "staff": [{"user_id": DISPATCHER, "name": "Desk", "role": "dispatcher"}],
        "rota": {"crews": ["A", "B"], "shift_hours": 12, "anchor": "2027-01-04T08:00:00"},
    }
    data.update(extra)
    return data


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(None, settings_dict(tmp_path / "hotline.sqlite3"))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


@pytest.fixture
async def db(settings: Settings) -> AsyncIterator[Database]:
    database = await Database.open(settings.storage.path)
    yield database
    await database.close()
