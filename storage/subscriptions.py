"""Subscription history and the district a resident chose (see migration 0004)."""

from __future__ import annotations

from datetime import datetime

from storage.db import Conn, to_db


class SubscriptionsRepo:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def record(self, person_id: int, action: str, source: str, now: datetime) -> None:
        await self.conn.execute(
            "INSERT INTO subscription_events (person_id, at, action, source) VALUES (?, ?, ?, ?)",
            (person_id, to_db(now), action, source),
        )

    async def was_notified(self, person_id: int) -> bool:
        rows = await self.conn.execute_fetchall(
            "SELECT 1 FROM subscription_events WHERE person_id = ? AND action = 'notified' LIMIT 1", (person_id,)
        )
        return bool(rows)

    async def set_tips(self, person_id: int, on: bool) -> None:
        await self.conn.execute("UPDATE people SET tips = ? WHERE id = ?", (int(on), person_id))

    async def chosen_district(self, person_id: int) -> str | None:
        rows = await self.conn.execute_fetchall(
            "SELECT district FROM person_districts WHERE person_id = ?", (person_id,)
        )
        return str(next(iter(rows))[0]) if rows else None

    async def choose_district(self, person_id: int, district: str, now: datetime) -> None:
        await self.conn.execute(
            "INSERT INTO person_districts (person_id, district, updated_at) VALUES (?, ?, ?)"
            " ON CONFLICT (person_id) DO UPDATE SET district = excluded.district, updated_at = excluded.updated_at",
            (person_id, district, to_db(now)),
        )

    async def latest_location(self, person_id: int) -> tuple[float, float] | None:
        rows = await self.conn.execute_fetchall(
            "SELECT latitude, longitude FROM tickets WHERE resident_id = ? AND latitude IS NOT NULL"
            " AND longitude IS NOT NULL ORDER BY created_at DESC, id DESC LIMIT 1",
            (person_id,),
        )
        for row in rows:
            return float(row[0]), float(row[1])
        return None
