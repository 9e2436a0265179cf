"""The fixtures every folder shares (a pytest plugin of tests/conftest.py): settings with two crews, a real
SQLite file per test, a fake clock, and the sandbox."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.config.settings import Settings, load_settings
from sandbox import Sandbox
from storage.db import Database
from storage.postgres.database import PostgresDatabase
from tests.kit import postgres, template
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
    return template.make_migrated(tmp_path_factory.mktemp("template") / "migrated.sqlite3")


@pytest.fixture
async def db(settings: Settings, migrated: Path) -> AsyncIterator[Database]:
    database = await template.fresh(migrated, settings.storage)
    yield database
    await database.close()


@pytest.fixture(scope="session")
def pg_server() -> postgres.Server:
    """The test PostgreSQL server (one for the session); the test skips with one line where it is not installed."""
    if postgres.bin_dir() is None:
        pytest.skip(postgres.MISSING)
    return postgres.server()


@pytest.fixture
async def pg(pg_server: postgres.Server) -> AsyncIterator[PostgresDatabase]:
    """A fresh, migrated database on the test PostgreSQL server, whatever engine the suite runs on."""
    database = await PostgresDatabase.connect(pg_server.new_database())
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
