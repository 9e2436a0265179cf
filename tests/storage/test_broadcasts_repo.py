"""The broadcasts repository against a real SQLite file: each delivery on its recipient's own channel."""

from __future__ import annotations

from datetime import UTC, datetime

from storage.broadcasts import BroadcastsRepo
from storage.db import Database
from storage.people import PeopleRepo

T0 = datetime(2027, 3, 1, 2, 0, tzinfo=UTC)


async def test_recipients_of_every_channel_are_listed_and_claimed_only_where_this_process_sends(
    db: Database,
) -> None:
    async with db._transaction() as conn:
        people = PeopleRepo(conn)
        telegram = await people.ensure("telegram", "5001", name="Li", lang="zh", now=T0)
        wechat = await people.ensure("wechat", "wx-1", name="Zhang", lang="en", now=T0)
        repo = BroadcastsRepo(conn)
        broadcast_id = await repo.create(
            kind="tip", audience="subscribers", texts={"zh": "提示"}, priority=5, urgent=False, now=T0,
            status="queued", channel="telegram",
        )  # fmt: skip
        candidates = await repo.candidates("subscribers", 0, 100)
        assert [(c.id, c.channel, c.chat) for c in candidates] == [
            (telegram.id, "telegram", "5001"),
            (wechat.id, "wechat", "wx-1"),
        ]
        await repo.add_deliveries(broadcast_id, candidates, candidates[-1].id, complete=True, now=T0)
        assert [(d.person_id, d.channel, d.chat) for d in await repo.claim(broadcast_id, T0, 10, ["wechat"])] == [
            (wechat.id, "wechat", "wx-1")
        ]
        assert await repo.claim(broadcast_id, T0, 10, []) == []  # no channel runs here: nothing is taken
        assert await repo.counts(broadcast_id) == {"pending": 1, "sending": 1}
