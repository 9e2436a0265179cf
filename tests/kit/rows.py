"""Rows written straight through the repositories, for the storage tests that need some to read."""

from __future__ import annotations

from storage.db import Conn
from storage.people import PeopleRepo
from storage.tickets import TicketsRepo
from tests.kit.settings import T0


async def dispatched_tickets(tx: Conn, count: int) -> list[int]:
    """``count`` dispatched P1 leak tickets of one resident, without a place, created at ``T0``."""
    resident = await PeopleRepo(tx).ensure("telegram", "5000", name="R", lang="zh", now=T0)
    tickets = TicketsRepo(tx)
    return [
        await tickets.create(
            resident_id=resident.id,
            channel="telegram",
            chat="5000",
            lang="zh",
            category="leak",
            severity="P1",
            status="dispatched",
            address=None,
            latitude=None,
            longitude=None,
            phone=None,
            details={},
            now=T0,
        )
        for _ in range(count)
    ]
