"""The resident's verdict after resolution: is it fixed (1/0/None not answered), a 1-5 rating, a comment."""

from __future__ import annotations

from datetime import datetime

from storage.db import Conn, to_db


class FeedbackRepo:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def ask(self, ticket_id: int, now: datetime) -> None:
        """Record that the resident was asked (again: a reopened ticket's earlier answers are forgotten)."""
        await self.conn.execute(
            "INSERT INTO feedback (ticket_id, asked_at) VALUES (?, ?) ON CONFLICT (ticket_id) DO UPDATE SET"
            " asked_at = excluded.asked_at, fixed = NULL, stars = NULL, comment = NULL, answered_at = NULL",
            (ticket_id, to_db(now)),
        )

    async def state(self, ticket_id: int) -> tuple[int | None, int | None] | None:
        """(fixed, stars) of the ticket's feedback; None if the resident was never asked."""
        rows = list(
            await self.conn.execute_fetchall("SELECT fixed, stars FROM feedback WHERE ticket_id = ?", (ticket_id,))
        )
        return (rows[0][0], rows[0][1]) if rows else None

    async def answer_fixed(self, ticket_id: int, fixed: bool, now: datetime) -> None:
        await self.conn.execute(
            "UPDATE feedback SET fixed = ?, answered_at = ? WHERE ticket_id = ?", (int(fixed), to_db(now), ticket_id)
        )

    async def rate(self, ticket_id: int, stars: int) -> None:
        await self.conn.execute("UPDATE feedback SET stars = ? WHERE ticket_id = ?", (stars, ticket_id))

    async def comment(self, ticket_id: int, text: str) -> None:
        await self.conn.execute("UPDATE feedback SET comment = ? WHERE ticket_id = ?", (text, ticket_id))

    async def forget_comment(self, ticket_id: int) -> None:
        await self.conn.execute("UPDATE feedback SET comment = NULL WHERE ticket_id = ?", (ticket_id,))
