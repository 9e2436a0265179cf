"""The outbox tests' rigs on the wall clock (tests/kit/outbox_rig.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import SystemClock
from tests.kit.outbox_rig import Factory, open_rigs


@pytest.fixture
async def make(tmp_path: Path) -> AsyncIterator[Factory]:
    async with open_rigs(tmp_path, SystemClock()) as factory:
        yield factory
