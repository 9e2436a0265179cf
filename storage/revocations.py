"""Taking staff access back: configured staff whose role was revoked (the start-up sync does not give it
back while the configuration lists them), and the record of every such change."""

from __future__ import annotations

from datetime import datetime

from storage.db import Conn, to_db


class RevocationsRepo:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def add(self, channel: str, external_id: str, *, role: str, by: str, now: datetime) -> None:
        await self.conn.execute(
            "INSERT INTO staff_revocations (channel, external_id, role, revoked_at, revoked_by) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (channel, external_id) DO UPDATE SET role = excluded.role,"
            " revoked_at = excluded.revoked_at, revoked_by = excluded.revoked_by",
            (channel, external_id, role, to_db(now), by[:100]),
        )

    async def accounts(self, channel: str) -> set[str]:
        rows = await self.conn.execute_fetchall(
            "SELECT external_id FROM staff_revocations WHERE channel = ?", (channel,)
        )
        return {str(row[0]) for row in rows}

    async def forget(self, channel: str, external_id: str) -> None:
        """The account was linked again (a new invite): its revocation no longer holds."""
        await self.conn.execute(
            "DELETE FROM staff_revocations WHERE channel = ? AND external_id = ?", (channel, external_id)
        )

    async def keep_only(self, channel: str, listed: set[str]) -> None:
        """Forget revocations of accounts the configuration no longer lists (listing them later is a new grant)."""
        for account in await self.accounts(channel) - listed:
            await self.forget(channel, account)


class StaffAuditRepo:
    """The record of changes to who is staff: revocations and cancelled invites (who, whom, when, what)."""

    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def add(self, *, actor: str, action: str, person_id: int | None, detail: str, now: datetime) -> None:
        await self.conn.execute(
            "INSERT INTO staff_audit (at, actor, action, person_id, detail) VALUES (?, ?, ?, ?, ?)",
            (to_db(now), actor[:100], action[:100], person_id, detail[:500]),
        )

    async def former_staff(self, channel: str) -> list[str]:
        """Accounts on ``channel`` whose role was revoked and who have none now (their staff menu is stale)."""
        rows = await self.conn.execute_fetchall(
            "SELECT DISTINCT p.external_id FROM staff_audit a JOIN people p ON p.id = a.person_id"
            " WHERE a.action = 'staff_revoke' AND p.channel = ? AND p.role = 'resident' ORDER BY p.external_id",
            (channel,),
        )
        return [str(row[0]) for row in rows]

    async def entries(self, person_id: int | None = None) -> list[tuple[str, str, str, int | None, str]]:
        """(at, actor, action, person id, detail), oldest first."""
        where, params = ("WHERE person_id = ?", (person_id,)) if person_id is not None else ("", ())
        rows = await self.conn.execute_fetchall(
            f"SELECT at, actor, action, person_id, detail FROM staff_audit {where} ORDER BY id", params
        )
        return [(str(r[0]), str(r[1]), str(r[2]), r[3], str(r[4])) for r in rows]
