"""WeCom's stored state: the callback's inbox (keyed, written before WeCom is answered) and each template
card copy's response_code (single use, valid 72 h)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.db import Conn, to_db


@dataclass(frozen=True)
class InboxRow:
    id: int
    body: str  # the decrypted XML


class WeComInboxRepo:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def add(self, key: str, body: str, *, now: datetime) -> bool:
        """Keep what arrived under ``key``; False if that key arrived before (a retry: not acted on again)."""
        cursor = await self.conn.execute(
            "INSERT INTO wecom_inbox (dedupe_key, body, received_at) VALUES (?, ?, ?)"
            " ON CONFLICT (dedupe_key) DO NOTHING",
            (key[:300], body, to_db(now)),
        )
        return bool(cursor.rowcount)

    async def pending(self, limit: int = 100) -> list[InboxRow]:
        rows = await self.conn.execute_fetchall(
            "SELECT id, body FROM wecom_inbox WHERE handled_at IS NULL ORDER BY id LIMIT ?", (limit,)
        )
        return [InboxRow(int(row[0]), str(row[1])) for row in rows]

    async def handled(self, row_id: int, *, now: datetime) -> None:
        await self.conn.execute("UPDATE wecom_inbox SET handled_at = ? WHERE id = ?", (to_db(now), row_id))


@dataclass(frozen=True)
class CardCopy:
    task_id: str  # the newest copy (the one asked for, or the one that replaced it)
    userid: str
    payloads: str
    told: str  # a digest of the text the member last saw of this card


class WeComCardsRepo:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def sent(
        self, task_id: str, userid: str, code: str | None, payloads: str, told: str, *, now: datetime
    ) -> None:
        """A copy sent, with the code message/send gave it, its buttons and its text's digest."""
        await self.conn.execute(
            "INSERT INTO wecom_cards (task_id, userid, payloads, told) VALUES (?, ?, ?, ?)",
            (task_id, userid, payloads, told),
        )
        if code:
            await self._code(task_id, code, now)

    async def clicked(self, task_id: str, userid: str, code: str, *, now: datetime) -> None:
        """A copy clicked: one more code for it, and later edits go to that copy again."""
        await self.conn.execute(
            "INSERT INTO wecom_cards (task_id, userid) VALUES (?, ?)"
            " ON CONFLICT (task_id) DO UPDATE SET replaced_by = NULL",
            (task_id, userid),
        )
        await self._code(task_id, code, now)

    async def _code(self, task_id: str, code: str, now: datetime) -> None:
        await self.conn.execute(
            "INSERT INTO wecom_card_codes (code, task_id, issued_at) VALUES (?, ?, ?) ON CONFLICT (code) DO NOTHING",
            (code, task_id, to_db(now)),
        )

    async def updated(self, task_id: str, payloads: str, told: str) -> None:
        await self.conn.execute(
            "UPDATE wecom_cards SET payloads = ?, told = ? WHERE task_id = ?", (payloads, told, task_id)
        )

    async def replace(self, task_id: str, by: str) -> None:
        await self.conn.execute("UPDATE wecom_cards SET replaced_by = ? WHERE task_id = ?", (by, task_id))

    async def get(self, task_id: str) -> CardCopy | None:
        """The newest copy that followed ``task_id`` (itself if none did)."""
        for _ in range(100):  # a chain of replacements, bounded
            rows = list(
                await self.conn.execute_fetchall(
                    "SELECT userid, payloads, told, replaced_by FROM wecom_cards WHERE task_id = ?", (task_id,)
                )
            )
            if not rows:
                return None
            userid, payloads, told, replaced_by = rows[0]
            if replaced_by is None:
                return CardCopy(task_id, str(userid), str(payloads), str(told))
            task_id = str(replaced_by)
        return None

    async def spend(self, task_id: str, *, issued_after: datetime) -> str | None:
        """Take the oldest code of the copy still valid (issued after ``issued_after``), or None; it is gone
        from the database once taken (single use), and expired ones with it."""
        await self.conn.execute(
            "DELETE FROM wecom_card_codes WHERE task_id = ? AND issued_at <= ?", (task_id, to_db(issued_after))
        )
        rows = list(
            await self.conn.execute_fetchall(
                "SELECT code FROM wecom_card_codes WHERE task_id = ? ORDER BY issued_at, code LIMIT 1", (task_id,)
            )
        )
        if not rows:
            return None
        code = str(rows[0][0])
        await self.conn.execute("DELETE FROM wecom_card_codes WHERE code = ?", (code,))
        return code
