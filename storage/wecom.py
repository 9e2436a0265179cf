"""WeCom's stored state: the callback's inbox (keyed, written before WeCom is answered) and each template
card copy's response_code (single use, valid 72 h)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.db import Conn, from_db, to_db


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
class CardCode:
    task_id: str
    userid: str
    response_code: str | None
    code_at: datetime | None
    payloads: str = ""


class WeComCardsRepo:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def sent(self, task_id: str, userid: str, code: str | None, payloads: str, *, now: datetime) -> None:
        """A copy sent, with the code message/send gave it and its buttons."""
        await self.conn.execute(
            "INSERT INTO wecom_cards (task_id, userid, response_code, code_at, payloads) VALUES (?, ?, ?, ?, ?)",
            (task_id, userid, code, to_db(now) if code else None, payloads),
        )

    async def clicked(self, task_id: str, userid: str, code: str, *, now: datetime) -> None:
        """A copy clicked: the callback's fresh code, and later edits go to that copy again."""
        await self.conn.execute(
            "INSERT INTO wecom_cards (task_id, userid, response_code, code_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (task_id) DO UPDATE SET response_code = excluded.response_code, code_at = excluded.code_at,"
            " replaced_by = NULL",
            (task_id, userid, code, to_db(now)),
        )

    async def updated(self, task_id: str, payloads: str) -> None:
        await self.conn.execute("UPDATE wecom_cards SET payloads = ? WHERE task_id = ?", (payloads, task_id))

    async def get(self, task_id: str) -> CardCode | None:
        """The newest copy that followed ``task_id`` (itself if none did), with its code."""
        for _ in range(100):  # a chain of replacements, bounded
            rows = list(
                await self.conn.execute_fetchall(
                    "SELECT userid, response_code, code_at, replaced_by, payloads FROM wecom_cards WHERE task_id = ?",
                    (task_id,),
                )
            )
            if not rows:
                return None
            row = rows[0]
            if row[3] is None:
                code_at = from_db(str(row[2])) if row[2] is not None else None
                return CardCode(task_id, str(row[0]), None if row[1] is None else str(row[1]), code_at, str(row[4]))
            task_id = str(row[3])
        return None

    async def replace(self, task_id: str, by: str) -> None:
        await self.conn.execute("UPDATE wecom_cards SET replaced_by = ? WHERE task_id = ?", (by, task_id))

    async def spend(self, task_id: str, response_code: str) -> bool:
        """Take the copy's code for one update (False if another update took it first)."""
        cursor = await self.conn.execute(
            "UPDATE wecom_cards SET response_code = NULL, code_at = NULL WHERE task_id = ? AND response_code = ?",
            (task_id, response_code),
        )
        return bool(cursor.rowcount)
