"""One-time invitation codes: only their SHA-256 is stored; a code is used once, before it expires."""

from __future__ import annotations

import hashlib
from datetime import datetime

import aiosqlite
from pydantic import BaseModel, ConfigDict

from storage.db import Conn, from_db, to_db
from storage.rows import insert_id

_COLUMNS = "id, role, crew, created_by, created_at, expires_at, used_at, used_by, revoked_at, revoked_by"


def hash_code(code: str) -> str:
    """Codes are random (128 bits), so a plain hash is enough to make a stolen table useless."""
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


class Invite(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    role: str
    crew: str | None
    created_by: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None
    used_by: int | None
    revoked_at: datetime | None = None
    revoked_by: str | None = None

    def state(self, now: datetime) -> str:
        """open, used, expired, cancelled (revoked before use) or revoked (the link it made was taken back)."""
        if self.revoked_at is not None:
            return "revoked" if self.used_at is not None else "cancelled"
        if self.used_at is not None:
            return "used"
        return "expired" if now >= self.expires_at else "open"


def _at(text: str) -> datetime:
    moment = from_db(text)
    assert moment is not None
    return moment


def _invite(row: aiosqlite.Row) -> Invite:
    return Invite(
        id=row["id"],
        role=row["role"],
        crew=row["crew"],
        created_by=row["created_by"],
        created_at=_at(row["created_at"]),
        expires_at=_at(row["expires_at"]),
        used_at=from_db(row["used_at"]),
        used_by=row["used_by"],
        revoked_at=from_db(row["revoked_at"]),
        revoked_by=row["revoked_by"],
    )


class InvitesRepo:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def create(
        self, code: str, *, role: str, crew: str | None, created_by: str, now: datetime, expires_at: datetime
    ) -> int:
        row_id = await insert_id(
            self.conn,
            "INSERT INTO invites (code_hash, role, crew, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
            (hash_code(code), role, crew, created_by[:100], to_db(now), to_db(expires_at)),
        )
        assert row_id is not None
        return row_id

    async def by_code(self, code: str) -> Invite | None:
        rows = await self.conn.execute_fetchall(
            f"SELECT {_COLUMNS} FROM invites WHERE code_hash = ?", (hash_code(code),)
        )
        return next((_invite(row) for row in rows), None)

    async def get(self, invite_id: int) -> Invite | None:
        rows = await self.conn.execute_fetchall(f"SELECT {_COLUMNS} FROM invites WHERE id = ?", (invite_id,))
        return next((_invite(row) for row in rows), None)

    async def all(self, limit: int = 200) -> list[Invite]:
        """The newest ``limit`` invites, newest first."""
        rows = await self.conn.execute_fetchall(f"SELECT {_COLUMNS} FROM invites ORDER BY id DESC LIMIT ?", (limit,))
        return [_invite(row) for row in rows]

    async def claim(self, invite_id: int, person_id: int, now: datetime) -> bool:
        """Mark the invite used by ``person_id``; False if it was used (or cancelled) meanwhile."""
        cursor = await self.conn.execute(
            "UPDATE invites SET used_at = ?, used_by = ? WHERE id = ? AND used_at IS NULL AND revoked_at IS NULL",
            (to_db(now), person_id, invite_id),
        )
        return cursor.rowcount == 1

    async def link_person(self, person_id: int, *, role: str, crew_id: int | None) -> None:
        await self.conn.execute("UPDATE people SET role = ?, crew_id = ? WHERE id = ?", (role, crew_id, person_id))

    async def cancel(self, invite_id: int, *, by: str, now: datetime) -> bool:
        """Withdraw an unused invite; False if it was used or withdrawn already."""
        cursor = await self.conn.execute(
            "UPDATE invites SET revoked_at = ?, revoked_by = ? WHERE id = ? AND used_at IS NULL AND revoked_at IS NULL",
            (to_db(now), by[:100], invite_id),
        )
        return cursor.rowcount == 1

    async def revoke_links(self, person_id: int, *, by: str, now: datetime) -> list[int]:
        """Take back the role every invite ``person_id`` used gave them; the ids of those invites."""
        rows = await self.conn.execute_fetchall(
            "SELECT id FROM invites WHERE used_by = ? AND revoked_at IS NULL ORDER BY id", (person_id,)
        )
        ids = [int(row[0]) for row in rows]
        await self.conn.execute(
            "UPDATE invites SET revoked_at = ?, revoked_by = ? WHERE used_by = ? AND revoked_at IS NULL",
            (to_db(now), by[:100], person_id),
        )
        return ids

    async def active_links(self, channel: str) -> dict[str, Invite]:
        """Per account on ``channel``, the newest invite it used that was not revoked: the role it gives."""
        rows = await self.conn.execute_fetchall(
            f"SELECT p.external_id, {', '.join('i.' + c for c in _COLUMNS.split(', '))} FROM invites i"
            " JOIN people p ON p.id = i.used_by WHERE p.channel = ? AND i.revoked_at IS NULL ORDER BY i.id",
            (channel,),
        )
        return {str(row[0]): _invite(row) for row in rows}

    async def active_link_of(self, person_id: int) -> Invite | None:
        rows = await self.conn.execute_fetchall(
            f"SELECT {_COLUMNS} FROM invites WHERE used_by = ? AND revoked_at IS NULL ORDER BY id DESC LIMIT 1",
            (person_id,),
        )
        return next((_invite(row) for row in rows), None)
