"""Campaign runs: each planned firing of a seasonal campaign is a row, fired at most once (timers are rows).

A run is keyed by (campaign, scheduled time); ``settle`` is the compare-and-set the runner does in the
transaction that adds the run's broadcast.
"""

from __future__ import annotations

from datetime import date, datetime

from storage.db import Conn, to_db


class CampaignRunsRepo:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def plan(self, campaign_id: str, scheduled_at: datetime, fire_at: datetime, local_date: date) -> None:
        """A pending run; a run already planned for (campaign, scheduled time) is kept as it is."""
        await self.conn.execute(
            "INSERT INTO campaign_runs (campaign_id, scheduled_at_utc, fire_at_utc, local_date)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (campaign_id, scheduled_at_utc) DO NOTHING",
            (campaign_id, to_db(scheduled_at), to_db(fire_at), local_date.isoformat()),
        )

    async def settle(
        self, campaign_id: str, scheduled_at: datetime, *, status: str, broadcast_id: int | None, now: datetime
    ) -> bool:
        """Move a pending run to ``status``; False if it was not pending (someone else settled it)."""
        cursor = await self.conn.execute(
            "UPDATE campaign_runs SET status = ?, broadcast_id = ?, fired_at = ?"
            " WHERE campaign_id = ? AND scheduled_at_utc = ? AND status = 'pending'",
            (status, broadcast_id, to_db(now), campaign_id, to_db(scheduled_at)),
        )
        return cursor.rowcount == 1

    async def cancel(self, campaign_id: str, scheduled_at: datetime) -> None:
        await self.conn.execute(
            "UPDATE campaign_runs SET status = 'cancelled' WHERE campaign_id = ? AND scheduled_at_utc = ?",
            (campaign_id, to_db(scheduled_at)),
        )
