"""A channel's access token is kept with its expiry for every process, and dropped only if it is the one refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage.channel_tokens import MARGIN, ChannelTokensRepo
from storage.db import Database
from storage.sync import SyncConnection

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


async def test_a_token_holds_until_shortly_before_its_expiry(db: Database) -> None:
    async def keep(tx: SyncConnection) -> None:
        await ChannelTokensRepo(tx).keep("wechat", "t1", expires_at=NOW + timedelta(hours=2), now=NOW)

    await db.run(keep)

    async def valid_at(when: datetime) -> str | None:
        async def body(tx: SyncConnection) -> str | None:
            return await ChannelTokensRepo(tx).valid("wechat", now=when)

        return await db.read(body)

    assert await valid_at(NOW) == "t1"
    assert await valid_at(NOW + timedelta(hours=2) - MARGIN - timedelta(seconds=1)) == "t1"
    assert await valid_at(NOW + timedelta(hours=2) - MARGIN) is None
    assert await valid_at(NOW.replace(year=2027)) is None


async def test_a_refused_token_is_dropped_but_a_newer_one_is_kept(db: Database) -> None:
    async def body(tx: SyncConnection) -> tuple[str | None, str | None]:
        repo = ChannelTokensRepo(tx)
        await repo.keep("wecom", "old", expires_at=NOW + timedelta(hours=2), now=NOW)
        await repo.keep("wecom", "new", expires_at=NOW + timedelta(hours=2), now=NOW)
        await repo.drop("wecom", "old")  # another process refreshed it already
        kept = await repo.valid("wecom", now=NOW)
        await repo.drop("wecom", "new")
        return kept, await repo.valid("wecom", now=NOW)

    assert await db.run(body) == ("new", None)
