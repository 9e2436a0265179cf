"""Telegram's webhook updates, stored before they are answered, when several instances share the database
(PostgreSQL): every instance behind the load balancer takes Telegram's POSTs and writes them here (a repeat of
an ``update_id`` is stored once); only the leader reads them, in ``update_id`` order, and hands them to the bot.
The table is made with the leader's lease (``storage.postgres.database``): it exists only on PostgreSQL."""

from __future__ import annotations

from datetime import datetime

from storage.db import Conn, to_db

DDL = (
    "CREATE TABLE IF NOT EXISTS telegram_inbox (update_id BIGINT PRIMARY KEY, body TEXT NOT NULL,"
    " received_at TEXT NOT NULL, handled_at TEXT)",
    "CREATE INDEX IF NOT EXISTS telegram_inbox_pending ON telegram_inbox (update_id) WHERE handled_at IS NULL",
)


class InboxRepo:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def add(self, update_id: int, body: str, now: datetime) -> bool:
        """Keep the update; False when this ``update_id`` is stored already (Telegram delivered it again)."""
        cursor = await self.conn.execute(
            "INSERT INTO telegram_inbox (update_id, body, received_at) VALUES (?, ?, ?)"
            " ON CONFLICT (update_id) DO NOTHING",
            (update_id, body, to_db(now)),
        )
        return cursor.rowcount == 1

    async def pending(self, limit: int) -> list[tuple[int, str]]:
        """(update_id, body) of the updates not yet handed to the bot, oldest first."""
        rows = await self.conn.execute_fetchall(
            "SELECT update_id, body FROM telegram_inbox WHERE handled_at IS NULL ORDER BY update_id LIMIT ?", (limit,)
        )
        return [(int(row[0]), str(row[1])) for row in rows]

    async def handled(self, update_ids: list[int], now: datetime) -> None:
        await self.conn.executemany(
            "UPDATE telegram_inbox SET handled_at = ? WHERE update_id = ?", [(to_db(now), u) for u in update_ids]
        )

    async def forget_before(self, before: datetime) -> int:
        """Drop handled updates received before ``before`` (the purge of what is no longer needed)."""
        cursor = await self.conn.execute(
            "DELETE FROM telegram_inbox WHERE handled_at IS NOT NULL AND received_at < ?", (to_db(before),)
        )
        return cursor.rowcount
