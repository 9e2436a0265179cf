"""Refused actions, kept for the archive and for spotting abuse."""

from __future__ import annotations

from datetime import datetime

from storage.db import Conn, to_db


class AuditRepo:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def refused(self, *, channel: str, actor: str, action: str, detail: str, now: datetime) -> None:
        await self.conn.execute(
            "INSERT INTO audit (at, channel, actor, action, detail) VALUES (?, ?, ?, ?, ?)",
            (to_db(now), channel, actor, action[:100], detail[:500]),
        )

    async def count(self, action: str | None = None) -> int:
        if action is None:
            rows = await self.conn.execute_fetchall("SELECT COUNT(*) FROM audit")
        else:
            rows = await self.conn.execute_fetchall("SELECT COUNT(*) FROM audit WHERE action = ?", (action,))
        return int(next(iter(rows))[0])
