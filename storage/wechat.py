"""The WeChat Official Account's rows: the callback's inbox, each resident's customer-service window, the
numbered choices last shown to them, and template messages with their outcome."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from common.jsonfast import dumps_text, loads
from storage.db import Conn, from_db, to_db


@dataclass(frozen=True, slots=True)
class InboxRow:
    key: str
    openid: str
    body: str
    received_at: datetime
    handled: bool
    reply: str | None


@dataclass(frozen=True, slots=True)
class Window:
    """A resident's customer-service window as last recorded (None: never opened)."""

    openid: str
    message_at: datetime | None = None
    message_sends: int = 0
    event_at: datetime | None = None
    event_sends: int = 0
    followed: bool = True


@dataclass(frozen=True, slots=True)
class Choices:
    message_id: str
    choices: list[list[str]]  # [kind, value, label]
    shown_at: datetime


class WechatInboxRepo:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def get(self, key: str) -> InboxRow | None:
        rows = list(
            await self.conn.execute_fetchall(
                "SELECT inbox_key, openid, body, received_at, handled_at, reply FROM wechat_inbox WHERE inbox_key = ?",
                (key,),
            )
        )
        return _inbox(rows[0]) if rows else None

    async def take(self, key: str, openid: str, body: str, *, now: datetime) -> bool:
        """Record an inbound before anything is done with it; False if it was taken already (a retry)."""
        cursor = await self.conn.execute(
            "INSERT INTO wechat_inbox (inbox_key, openid, body, received_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (inbox_key) DO NOTHING",
            (key, openid, body, to_db(now)),
        )
        return cursor.rowcount == 1

    async def handled(self, key: str, reply: str, *, now: datetime) -> None:
        """Handled: keep the passive reply (a retry gets it again), forget the body."""
        await self.conn.execute(
            "UPDATE wechat_inbox SET handled_at = ?, reply = ?, body = '' WHERE inbox_key = ?", (to_db(now), reply, key)
        )

    async def unhandled(self) -> list[InboxRow]:
        """Taken but not handled (the process stopped in between), oldest first."""
        rows = list(
            await self.conn.execute_fetchall(
                "SELECT inbox_key, openid, body, received_at, handled_at, reply FROM wechat_inbox"
                " WHERE handled_at IS NULL ORDER BY received_at, inbox_key"
            )
        )
        return [_inbox(row) for row in rows]

    async def forget_before(self, when: datetime) -> int:
        """Drop handled rows older than ``when`` (WeChat retries within seconds)."""
        cursor = await self.conn.execute(
            "DELETE FROM wechat_inbox WHERE handled_at IS NOT NULL AND received_at < ?", (to_db(when),)
        )
        return cursor.rowcount


def _inbox(row: Sequence[Any]) -> InboxRow:
    key, openid, body, received, handled, reply = row
    received_at = from_db(str(received))
    assert received_at is not None
    return InboxRow(str(key), str(openid), str(body), received_at, handled is not None, reply)


class WechatWindowsRepo:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def get(self, openid: str) -> Window:
        rows = list(
            await self.conn.execute_fetchall(
                "SELECT message_at, message_sends, event_at, event_sends, followed FROM wechat_windows"
                " WHERE openid = ?",
                (openid,),
            )
        )
        if not rows:
            return Window(openid)
        message_at, message_sends, event_at, event_sends, followed = rows[0]
        return Window(
            openid,
            from_db(message_at),
            int(message_sends),
            from_db(event_at),
            int(event_sends),
            bool(followed),
        )

    async def put(self, window: Window) -> None:
        await self.conn.execute(
            "INSERT INTO wechat_windows (openid, message_at, message_sends, event_at, event_sends, followed)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (openid) DO UPDATE SET message_at = excluded.message_at,"
            " message_sends = excluded.message_sends, event_at = excluded.event_at,"
            " event_sends = excluded.event_sends, followed = excluded.followed",
            (
                window.openid,
                to_db(window.message_at) if window.message_at else None,
                window.message_sends,
                to_db(window.event_at) if window.event_at else None,
                window.event_sends,
                int(window.followed),
            ),
        )


class WechatChoicesRepo:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def get(self, openid: str) -> Choices | None:
        rows = list(
            await self.conn.execute_fetchall(
                "SELECT message_id, choices, shown_at FROM wechat_choices WHERE openid = ?", (openid,)
            )
        )
        if not rows:
            return None
        shown_at = from_db(str(rows[0][2]))
        assert shown_at is not None
        return Choices(str(rows[0][0]), loads(str(rows[0][1])), shown_at)

    async def put(self, openid: str, message_id: str, choices: list[list[str]], *, now: datetime) -> None:
        await self.conn.execute(
            "INSERT INTO wechat_choices (openid, message_id, choices, shown_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (openid) DO UPDATE SET message_id = excluded.message_id, choices = excluded.choices,"
            " shown_at = excluded.shown_at",
            (openid, message_id, dumps_text(choices), to_db(now)),
        )


class WechatTemplatesRepo:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def sent(self, client_msg_id: str, openid: str, msg_id: str, *, now: datetime) -> None:
        await self.conn.execute(
            "INSERT INTO wechat_templates (client_msg_id, openid, msg_id, sent_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (client_msg_id) DO UPDATE SET msg_id = excluded.msg_id",
            (client_msg_id, openid, msg_id, to_db(now)),
        )

    async def finished(self, msg_id: str, status: str) -> int:
        cursor = await self.conn.execute("UPDATE wechat_templates SET status = ? WHERE msg_id = ?", (status, msg_id))
        return cursor.rowcount

    async def status(self, msg_id: str) -> str | None:
        rows = list(await self.conn.execute_fetchall("SELECT status FROM wechat_templates WHERE msg_id = ?", (msg_id,)))
        return str(rows[0][0]) if rows and rows[0][0] is not None else None
