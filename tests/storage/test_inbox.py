"""The webhook inbox on PostgreSQL: an update is stored once whatever the repeats, read back oldest first while
not handled, and gone from the pending ones once handled."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.clock import FakeClock
from handlers.inbox import InboxFeeder
from storage.inbox import InboxRepo
from storage.postgres.database import PostgresDatabase

NOW = datetime(2027, 3, 1, 2, 0, tzinfo=UTC)


async def test_stored_once_read_in_order_and_handled(pg: PostgresDatabase) -> None:
    assert await pg.run(lambda tx: InboxRepo(tx).add(7, '{"update_id": 7}', NOW))
    assert await pg.run(lambda tx: InboxRepo(tx).add(5, '{"update_id": 5}', NOW))
    assert not await pg.run(lambda tx: InboxRepo(tx).add(7, '{"update_id": 7}', NOW)), "a repeat is stored once"
    assert [u for u, _ in await pg.read(lambda tx: InboxRepo(tx).pending(10))] == [5, 7]
    await pg.run(lambda tx: InboxRepo(tx).handled([5], NOW))
    assert [u for u, _ in await pg.read(lambda tx: InboxRepo(tx).pending(10))] == [7]
    assert await pg.run(lambda tx: InboxRepo(tx).forget_before(NOW + timedelta(days=1))) == 1, "only handled ones"


async def test_the_leader_forgets_handled_updates_after_a_day(pg: PostgresDatabase) -> None:
    clock = FakeClock(NOW)
    await pg.run(lambda tx: InboxRepo(tx).add(1, "{}", NOW))
    await pg.run(lambda tx: InboxRepo(tx).add(2, "{}", NOW))
    await pg.run(lambda tx: InboxRepo(tx).handled([1], NOW))
    feeder = InboxFeeder(None, pg, clock)  # type: ignore[arg-type]  # forgetting needs no bot
    assert await feeder.forget_old() == 0
    clock.advance(24 * 3600 + 1)
    assert await feeder.forget_old() == 1
    assert [u for u, _ in await pg.read(lambda tx: InboxRepo(tx).pending(10))] == [2], "pending ones are kept"
