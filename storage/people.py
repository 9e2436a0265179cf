"""People: residents and staff accounts, and crews."""

from __future__ import annotations

from datetime import datetime

import aiosqlite
from pydantic import BaseModel

from storage.db import Conn, from_db, to_db
from storage.tickets import OPEN_STATUSES

STAFF_ROLES = frozenset({"crew", "lead", "dispatcher", "supervisor", "admin"})
CREW_ROLES = frozenset({"crew", "lead"})


class Person(BaseModel):
    id: int
    channel: str
    external_id: str
    name: str
    lang: str
    phone: str | None
    role: str
    crew_id: int | None
    tips: bool

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES


def _person(row: aiosqlite.Row) -> Person:
    return Person(
        id=row["id"],
        channel=row["channel"],
        external_id=row["external_id"],
        name=row["name"],
        lang=row["lang"],
        phone=row["phone"],
        role=row["role"],
        crew_id=row["crew_id"],
        tips=bool(row["tips"]),
    )


_COLUMNS = "id, channel, external_id, name, lang, phone, role, crew_id, tips"


class PeopleRepo:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def get(self, person_id: int) -> Person | None:
        rows = await self.conn.execute_fetchall(f"SELECT {_COLUMNS} FROM people WHERE id = ?", (person_id,))
        return _person(next(iter(rows))) if rows else None

    async def find(self, channel: str, external_id: str) -> Person | None:
        rows = await self.conn.execute_fetchall(
            f"SELECT {_COLUMNS} FROM people WHERE channel = ? AND external_id = ?", (channel, external_id)
        )
        return _person(next(iter(rows))) if rows else None

    async def ensure(self, channel: str, external_id: str, *, name: str, lang: str, now: datetime) -> Person:
        """The person behind an account, created as a resident on first contact."""
        person = await self.find(channel, external_id)
        if person is not None and (person.name or not name):
            return person
        if person is not None:  # the purge cleared the name of a resident who is back
            await self.conn.execute("UPDATE people SET name = ? WHERE id = ?", (name[:200], person.id))
            return person.model_copy(update={"name": name[:200]})
        await self.conn.execute(
            "INSERT INTO people (channel, external_id, name, lang, created_at) VALUES (?, ?, ?, ?, ?)",
            (channel, external_id, name[:200], lang, to_db(now)),
        )
        found = await self.find(channel, external_id)
        assert found is not None
        return found

    async def set_lang(self, person_id: int, lang: str) -> None:
        await self.conn.execute("UPDATE people SET lang = ? WHERE id = ?", (lang, person_id))

    async def set_tips(self, person_id: int, on: bool) -> None:
        await self.conn.execute("UPDATE people SET tips = ? WHERE id = ?", (int(on), person_id))

    async def set_staff(
        self,
        channel: str,
        external_id: str,
        *,
        name: str,
        role: str,
        crew_id: int | None,
        phone: str | None,
        lang: str,
        now: datetime,
    ) -> None:
        await self.conn.execute(
            "INSERT INTO people (channel, external_id, name, role, crew_id, phone, lang, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (channel, external_id) DO UPDATE SET name = excluded.name, role = excluded.role,"
            " crew_id = excluded.crew_id, phone = excluded.phone, lang = excluded.lang",
            (channel, external_id, name, role, crew_id, phone, lang, to_db(now)),
        )

    async def demote_missing_staff(self, channel: str, keep: set[str]) -> None:
        """Staff accounts no longer in the configuration become plain residents."""
        rows = await self.conn.execute_fetchall(
            "SELECT external_id FROM people WHERE channel = ? AND role != 'resident'", (channel,)
        )
        for row in rows:
            if row[0] not in keep:
                await self.conn.execute(
                    "UPDATE people SET role = 'resident', crew_id = NULL WHERE channel = ? AND external_id = ?",
                    (channel, row[0]),
                )

    async def crew_members(self, crew_id: int) -> list[Person]:
        rows = await self.conn.execute_fetchall(
            f"SELECT {_COLUMNS} FROM people WHERE crew_id = ? AND role IN ('crew', 'lead') ORDER BY id",
            (crew_id,),
        )
        return [_person(row) for row in rows]

    async def with_role(self, *roles: str) -> list[Person]:
        marks = ", ".join("?" for _ in roles)
        rows = await self.conn.execute_fetchall(
            f"SELECT {_COLUMNS} FROM people WHERE role IN ({marks}) ORDER BY id", roles
        )
        return [_person(row) for row in rows]

    async def staff(self, channel: str) -> list[Person]:
        """Every account on ``channel`` with a staff role, by id."""
        rows = await self.conn.execute_fetchall(
            f"SELECT {_COLUMNS} FROM people WHERE channel = ? AND role != 'resident' ORDER BY id", (channel,)
        )
        return [_person(row) for row in rows]

    async def set_role(self, person_id: int, role: str, crew_id: int | None) -> None:
        await self.conn.execute("UPDATE people SET role = ?, crew_id = ? WHERE id = ?", (role, crew_id, person_id))

    async def mark_unreachable(self, person_id: int, now: datetime) -> None:
        """The bot could not reach this person (kept from the first time until they are reached again)."""
        await self.conn.execute(
            "UPDATE people SET unreachable_at = COALESCE(unreachable_at, ?) WHERE id = ?", (to_db(now), person_id)
        )

    async def clear_unreachable(self, person_id: int) -> None:
        await self.conn.execute("UPDATE people SET unreachable_at = NULL WHERE id = ?", (person_id,))

    async def unreachable_ids(self) -> set[int]:
        rows = await self.conn.execute_fetchall("SELECT id FROM people WHERE unreachable_at IS NOT NULL")
        return {int(row[0]) for row in rows}

    async def unreachable_staff(self) -> list[tuple[Person, datetime]]:
        """Staff the bot cannot reach, with the moment it first failed, in id order."""
        marks = ", ".join("?" for _ in STAFF_ROLES)
        rows = await self.conn.execute_fetchall(
            f"SELECT {_COLUMNS}, unreachable_at FROM people WHERE unreachable_at IS NOT NULL"
            f" AND role IN ({marks}) ORDER BY id",
            tuple(sorted(STAFF_ROLES)),
        )
        found: list[tuple[Person, datetime]] = []
        for row in rows:
            since = from_db(row["unreachable_at"])
            if since is not None:
                found.append((_person(row), since))
        return found

    async def forget_phone(self, resident_id: int) -> bool:
        """Remove a resident's phone number unless they still have an open ticket; True if one was removed."""
        marks = ", ".join("?" for _ in OPEN_STATUSES)
        cur = await self.conn.execute(
            "UPDATE people SET phone = NULL WHERE id = ? AND role = 'resident' AND phone IS NOT NULL"
            f" AND NOT EXISTS (SELECT 1 FROM tickets WHERE resident_id = ? AND status IN ({marks}))",
            (resident_id, resident_id, *OPEN_STATUSES),
        )
        return cur.rowcount > 0


class Crew(BaseModel):
    id: int
    name: str
    group_chat: str | None
    group_channel: str
    """The channel the group chat is on (its messages go there, whatever channel a ticket came in on)."""


class CrewsRepo:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def upsert(self, name: str, group_chat: str | None, *, group_channel: str) -> int:
        await self.conn.execute(
            "INSERT INTO crews (name, group_chat, group_channel) VALUES (?, ?, ?)"
            " ON CONFLICT (name) DO UPDATE SET group_chat = excluded.group_chat,"
            " group_channel = excluded.group_channel",
            (name, group_chat, group_channel),
        )
        rows = await self.conn.execute_fetchall("SELECT id FROM crews WHERE name = ?", (name,))
        return int(next(iter(rows))[0])

    async def by_name(self, name: str) -> Crew | None:
        rows = await self.conn.execute_fetchall(
            "SELECT id, name, group_chat, group_channel FROM crews WHERE name = ?", (name,)
        )
        for row in rows:
            return Crew(id=row[0], name=row[1], group_chat=row[2], group_channel=row[3])
        return None

    async def get(self, crew_id: int) -> Crew | None:
        rows = await self.conn.execute_fetchall(
            "SELECT id, name, group_chat, group_channel FROM crews WHERE id = ?", (crew_id,)
        )
        for row in rows:
            return Crew(id=row[0], name=row[1], group_chat=row[2], group_channel=row[3])
        return None

    async def callout_strength(self) -> list[tuple[str, int]]:
        """(crew name, stored members who can take a call-out (crew or lead) plus one for a group chat)."""
        rows = await self.conn.execute_fetchall(
            "SELECT c.name, CASE WHEN c.group_chat IS NULL THEN 0 ELSE 1 END + COUNT(p.id) FROM crews c"
            " LEFT JOIN people p ON p.crew_id = c.id AND p.role IN ('crew', 'lead') GROUP BY c.id, c.name, c.group_chat"
        )
        return [(str(row[0]), int(row[1])) for row in rows]
