"""Channels' access tokens with their expiry (WeChat's ``stable_token``, WeCom's ``gettoken``): fetched once,
kept in the database for every process, dropped when the channel says the token no longer holds."""

from __future__ import annotations

from datetime import datetime, timedelta

from storage.db import Conn, from_db, to_db

MARGIN = timedelta(minutes=5)  # a token this close to its expiry is fetched again rather than used


class ChannelTokensRepo:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def valid(self, channel: str, *, now: datetime) -> str | None:
        """The channel's token if it holds for at least ``MARGIN`` more; else None (fetch a new one)."""
        rows = list(
            await self.conn.execute_fetchall(
                "SELECT token, expires_at FROM channel_tokens WHERE channel = ?", (channel,)
            )
        )
        if not rows:
            return None
        expires = from_db(str(rows[0][1]))
        if expires is None or expires - MARGIN <= now:
            return None
        return str(rows[0][0])

    async def keep(self, channel: str, token: str, *, expires_at: datetime, now: datetime) -> None:
        await self.conn.execute(
            "INSERT INTO channel_tokens (channel, token, expires_at, refreshed_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (channel) DO UPDATE SET token = excluded.token, expires_at = excluded.expires_at,"
            " refreshed_at = excluded.refreshed_at",
            (channel, token, to_db(expires_at), to_db(now)),
        )

    async def drop(self, channel: str, token: str) -> None:
        """The channel refused ``token`` (40001, 40014, 42001): forget it, unless another process already
        replaced it with a newer one."""
        await self.conn.execute("DELETE FROM channel_tokens WHERE channel = ? AND token = ?", (channel, token))
