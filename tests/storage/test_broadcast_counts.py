"""A broadcast's running counts (sent, blocked, failed, uncertain on its row) follow its deliveries as they
finish, so its progress is one row read whatever the audience's size; they always equal the rows' counts."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.broadcast.audience import progress_on
from storage.broadcasts import BroadcastsRepo
from storage.db import Database, to_db
from tests.kit.broadcast import add_subscribers, fast_settings
from tests.kit.settings import T0


async def test_running_counts_equal_the_rows_counts(tmp_path: Path) -> None:
    settings = fast_settings(tmp_path / "c.sqlite3")
    db = await Database.open(settings.storage.path)
    try:
        await add_subscribers(db, 10, T0)
        async with db._transaction() as tx:
            repo = BroadcastsRepo(tx)
            bid = await repo.create(kind="tip", audience="subscribers", texts={"zh": "x"}, priority=4, urgent=False,
                                    now=T0, channel="telegram")  # fmt: skip
            found = await repo.candidates("subscribers", 0, 100)
            await repo.add_deliveries(bid, found, found[-1].id, complete=True, now=T0)
            claimed = await repo.claim(bid, T0, 7, ["telegram"])
            retry = to_db(T0 + timedelta(minutes=1))
            outcomes = [
                (bid, claimed[0].person_id, "sent", "1", None, T0),
                (bid, claimed[1].person_id, "sent", "2", None, T0),
                (bid, claimed[2].person_id, "blocked", "Blocked", None, T0),
                (bid, claimed[3].person_id, "failed", "Rejected", None, T0),
                (bid, claimed[4].person_id, "pending", "RetryLater", retry, T0),
            ]
            await repo.settle(outcomes)  # type: ignore[arg-type]
            assert await repo.mark_interrupted() == 2  # the two claimed and never settled
            counts = await repo.counts(bid)
            row = await repo.get(bid)
            assert row is not None
            assert (row.sent, row.blocked, row.failed, row.uncertain) == (2, 1, 1, 2)
            assert counts == {"sent": 2, "blocked": 1, "failed": 1, "uncertain": 2, "pending": 4}
            state = await progress_on(tx, settings, bid, T0)
            assert (state.audience, state.sent, state.blocked, state.failed, state.uncertain, state.pending) == (
                10, 2, 1, 1, 2, 4,
            )  # fmt: skip
            assert await repo.outstanding(bid)
    finally:
        await db.close()
