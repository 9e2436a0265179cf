"""How many safety cards were sent as paid broadcasts (Telegram's ``allow_paid_broadcast``), per UTC day."""

from __future__ import annotations

from datetime import UTC, datetime

from storage.db import Conn


def _day(when: datetime) -> str:
    return when.astimezone(UTC).date().isoformat()


class PaidSendsRepo:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def add(self, when: datetime, messages: int) -> None:
        await self.conn.execute(
            "INSERT INTO paid_sends (day, messages) VALUES (?, ?)"
            " ON CONFLICT (day) DO UPDATE SET messages = paid_sends.messages + excluded.messages",
            (_day(when), messages),
        )

    async def since(self, when: datetime) -> int:
        rows = await self.conn.execute_fetchall(
            "SELECT COALESCE(SUM(messages), 0) FROM paid_sends WHERE day >= ?", (_day(when),)
        )
        return int(next(iter(rows))[0])
