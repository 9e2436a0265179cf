"""The board's world: a database with one leak report, the bot's core on it, the board serving it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.board.serve import running_board
from bot.clock import FakeClock
from tests.kit import one_ticket
from tests.kit.board import World, board_settings
from tests.kit.forms import report_leak
from tests.kit.harness import Harness
from tests.kit.settings import T0


@pytest.fixture
async def world(tmp_path: Path, migrated: Path) -> AsyncIterator[World]:
    settings = board_settings(tmp_path)
    clock = FakeClock(T0)
    db = await one_ticket.open_copy(settings, migrated, seed=report_leak)  # a copy of the report made once
    try:
        h = await Harness(settings, db, clock).setup()
        ticket = await one_ticket.the_ticket(h, seed=report_leak)
        async with running_board(settings, clock=clock) as address:
            yield World(settings, db, clock, h, address, ticket)
    finally:
        await db.close()
