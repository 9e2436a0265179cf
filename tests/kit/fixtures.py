"""The fixtures every folder shares (a pytest plugin of tests/conftest.py): settings with two crews, a real
SQLite file per test, a fake clock, and the sandbox."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.config.settings import Settings, load_settings
from sandbox import Sandbox
from storage.db import Database
from tests.kit.sandbox import cast_sandbox
from tests.kit.settings import T0, settings_dict


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(None, settings_dict(tmp_path / "hotline.sqlite3"))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


@pytest.fixture(scope="session")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database file with every migration applied, made once per test process: a test's fresh database
    starts as a copy of it (a tenth of the time of migrating each one)."""
    path = tmp_path_factory.mktemp("template") / "migrated.sqlite3"

    async def make() -> None:
        await (await Database.open(path)).close()

    asyncio.run(make())
    return path


@pytest.fixture
async def db(settings: Settings, migrated: Path) -> AsyncIterator[Database]:
    if not settings.storage.path.exists():
        shutil.copyfile(migrated, settings.storage.path)
    database = await Database.open(settings.storage.path)
    yield database
    await database.close()


@pytest.fixture
async def sandbox(request: pytest.FixtureRequest) -> AsyncIterator[Sandbox]:
    """The cast's sandbox; a module or test marked ``people(*user_ids, zh=(user_ids))`` adds people and has
    some speak Chinese."""
    marker = request.node.get_closest_marker("people")
    others = tuple(marker.args) if marker else ()
    zh = tuple(marker.kwargs.get("zh", ())) if marker else ()
    async with cast_sandbox(*others, zh=zh) as sb:
        yield sb
