"""Conversation state per account: which flow, which step, what was answered so far."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from common import jsonfast
from storage.db import Conn, from_db, to_db


class Conversation(BaseModel):
    flow: str
    step: str
    data: dict[str, Any] = Field(default_factory=dict)
    started_at: datetime
    updated_at: datetime


class ConversationsRepo:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def get(self, channel: str, user_ref: str) -> Conversation | None:
        rows = await self.conn.execute_fetchall(
            "SELECT flow, step, data, started_at, updated_at FROM conversations WHERE channel = ? AND user_ref = ?",
            (channel, user_ref),
        )
        for row in rows:
            started, updated = from_db(row[3]), from_db(row[4])
            assert started is not None and updated is not None
            return Conversation(
                flow=row[0], step=row[1], data=jsonfast.loads(row[2]), started_at=started, updated_at=updated
            )
        return None

    async def put(self, channel: str, user_ref: str, conv: Conversation) -> None:
        await self.conn.execute(
            "INSERT INTO conversations (channel, user_ref, flow, step, data, started_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (channel, user_ref) DO UPDATE SET flow = excluded.flow, step = excluded.step,"
            " data = excluded.data, started_at = excluded.started_at, updated_at = excluded.updated_at",
            (
                channel,
                user_ref,
                conv.flow,
                conv.step,
                jsonfast.dumps_text(conv.data),
                to_db(conv.started_at),
                to_db(conv.updated_at),
            ),
        )

    async def clear(self, channel: str, user_ref: str) -> None:
        await self.conn.execute("DELETE FROM conversations WHERE channel = ? AND user_ref = ?", (channel, user_ref))
