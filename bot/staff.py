"""Crews and staff from the configuration, mirrored into the database at start-up."""

from __future__ import annotations

from datetime import datetime

from bot.config import Member, Settings
from storage.db import Database
from storage.invites import InvitesRepo
from storage.people import CrewsRepo, PeopleRepo


async def sync_staff(db: Database, settings: Settings, now: datetime, channel: str = "telegram") -> None:
    async with db.transaction() as tx:
        crews, people = CrewsRepo(tx), PeopleRepo(tx)
        placed: list[tuple[Member, int | None]] = [(member, None) for member in settings.staff]
        for crew in settings.crews:
            row_id = await crews.upsert(crew.name, crew.group_chat_id)
            placed.extend((member, row_id) for member in crew.members)
        for member, crew_id in placed:
            await people.set_staff(
                channel,
                member.user_id,
                name=member.name,
                role=member.role,
                crew_id=crew_id,
                phone=member.phone,
                lang=member.lang,
                now=now,
            )
        linked = await InvitesRepo(tx).linked_accounts(channel)  # staff by invite are not the config's
        await people.demote_missing_staff(channel, {member.user_id for member, _ in placed} | linked)
