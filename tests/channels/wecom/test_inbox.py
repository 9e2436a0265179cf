"""WeCom's inbox: a key is taken once; hotline purge deletes the handled callbacks older than its cutoff (they
hold what a member wrote) and keeps the pending ones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.cli.purge import purge
from storage.db import Database
from storage.wecom import WeComInboxRepo

T0 = datetime(2027, 3, 1, 2, 0, tzinfo=UTC)


async def test_a_key_is_taken_once_and_old_handled_callbacks_are_purged(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "inbox.sqlite3")
    try:
        added = [
            await db.run(lambda tx, key=key, text=text: WeComInboxRepo(tx).add(key, text, now=T0))  # type: ignore[misc]
            for key, text in (("m:1", "note: door code 4711"), ("m:1", "again"), ("m:2", "pending one"))
        ]
        assert added == [True, False, True]
        pending = await db.read(lambda conn: WeComInboxRepo(conn).pending())
        assert [row.body for row in pending] == ["note: door code 4711", "pending one"]
        await db.run(lambda tx: WeComInboxRepo(tx).handled(pending[0].id, now=T0))
        await db.run(lambda tx: WeComInboxRepo(tx).add("m:3", "recent", now=T0 + timedelta(days=39)))
        result = await purge(db, older_than_days=30, now=T0 + timedelta(days=40), pause_s=0)
        assert result.other_rows >= 1
        left = await db.fetchall("SELECT dedupe_key FROM wecom_inbox ORDER BY id")
        assert [str(r[0]) for r in left] == ["m:2", "m:3"]
    finally:
        await db.close()
