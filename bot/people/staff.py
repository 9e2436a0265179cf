"""Who is staff, and why: crews and staff from the configuration, mirrored into the database at start-up,
and accounts linked by an invite.

A role has a source: the configuration, an invite (``hotline invite``, then ``/start CODE``), or both.
At each start the configuration's members get the configuration's role; an account the configuration no
longer lists keeps a role only if an invite it used (and nobody revoked) gave one, and then it is that
invite's role; every other account is a resident again. A configured member whose role was revoked
(``hotline staff revoke``, ``/revoke``) stays revoked while the configuration still lists them: the start
logs it, and a new invite (or removing and re-adding them) gives a role again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from bot.config.settings import CONFIGURED_CHANNEL, Member, Settings
from storage.db import Conn, Database
from storage.invites import Invite, InvitesRepo
from storage.people import STAFF_ROLES, CrewsRepo, PeopleRepo, Person
from storage.revocations import RevocationsRepo, StaffAuditRepo
from storage.sync import SyncConnection

logger = logging.getLogger(__name__)


def configured(settings: Settings, channel: str = CONFIGURED_CHANNEL) -> dict[str, tuple[Member, str | None]]:
    """The configuration's staff on ``channel``: user id -> (member, crew name or None)."""
    listed: dict[str, tuple[Member, str | None]] = {
        member.user_id: (member, None) for member in settings.staff if member.channel == channel
    }
    for crew in settings.crews:
        listed.update({member.user_id: (member, crew.name) for member in crew.members if member.channel == channel})
    return listed


async def sync_staff(db: Database, settings: Settings, now: datetime) -> None:
    """The configuration's crews, then its staff on each channel (``Settings.staff_channels``)."""

    async def sync(tx: SyncConnection) -> None:
        crews = CrewsRepo(tx)
        crew_ids = {
            crew.name: await crews.upsert(crew.name, crew.group_chat_id, group_channel=crew.group_channel)
            for crew in settings.crews
        }
        for channel in settings.staff_channels():
            await _sync_channel(tx, settings, channel, crew_ids, now)

    await db.run(sync)


async def _sync_channel(
    tx: SyncConnection, settings: Settings, channel: str, crew_ids: dict[str, int], now: datetime
) -> None:
    people = PeopleRepo(tx)
    listed = configured(settings, channel)
    revocations = RevocationsRepo(tx)
    await revocations.keep_only(channel, set(listed))
    held_back = await revocations.accounts(channel)
    for user_id, (member, crew) in listed.items():
        if user_id in held_back:
            continue
        await people.set_staff(
            channel,
            user_id,
            name=member.name,
            role=member.role,
            crew_id=crew_ids[crew] if crew else None,
            phone=member.phone,
            lang=member.lang,
            now=now,
        )
    for user_id in sorted(held_back):
        logger.warning(
            "staff member %s (%s) is in the configuration but was revoked: not given the role again;"
            " remove them from the configuration, or invite them anew",
            user_id,
            listed[user_id][1] or listed[user_id][0].role,
        )
    keep = set(listed) - held_back
    for user_id, invite in (await InvitesRepo(tx).active_links(channel)).items():
        if user_id in listed:
            continue  # the configuration's role wins while it lists the account
        crew_id = crew_ids.get(invite.crew) if invite.crew else None
        if invite.crew and crew_id is None:
            logger.warning("invite %s names crew %s, which is no longer configured", invite.id, invite.crew)
            continue
        person = await people.find(channel, user_id)
        if person is not None and (person.role, person.crew_id) != (invite.role, crew_id):
            await people.set_role(person.id, invite.role, crew_id)
        keep.add(user_id)
    await people.demote_missing_staff(channel, keep)


@dataclass(frozen=True)
class StaffEntry:
    """A staff account (or a configured member held back by a revocation) and where its role comes from."""

    user_id: str
    name: str
    role: str
    crew: str | None
    in_config: bool
    invite: Invite | None  # the invite that gave the role (not revoked)
    revoked: bool = False  # listed in the configuration, but revoked
    person_id: int | None = None

    @property
    def source(self) -> str:
        if self.revoked:
            return "config (revoked: not restored at start)"
        parts = (["config"] if self.in_config else []) + ([f"invite #{self.invite.id}"] if self.invite else [])
        return " + ".join(parts) or "none (a resident again at the next start)"


async def staff_entries(tx: Conn, settings: Settings, channel: str = CONFIGURED_CHANNEL) -> list[StaffEntry]:
    """Every staff account on ``channel`` with the source of its role, then configured members revoked."""
    listed = configured(settings, channel)
    crews, invites = CrewsRepo(tx), InvitesRepo(tx)
    entries: list[StaffEntry] = []
    people: list[Person] = await PeopleRepo(tx).staff(channel)
    for person in people:
        crew = await crews.get(person.crew_id) if person.crew_id is not None else None
        entries.append(
            StaffEntry(
                user_id=person.external_id,
                name=person.name,
                role=person.role,
                crew=crew.name if crew else None,
                in_config=person.external_id in listed,
                invite=await invites.active_link_of(person.id),
                person_id=person.id,
            )
        )
    for user_id in sorted(await RevocationsRepo(tx).accounts(channel)):
        if user_id in listed:
            member, crew_name = listed[user_id]
            entries.append(StaffEntry(user_id, member.name, member.role, crew_name, True, None, revoked=True))
    return entries


@dataclass(frozen=True, slots=True)
class StaffMenus:
    """Who gets a staff command menu on a channel, and the accounts whose staff menu goes (revoked)."""

    staff: list[Person]
    former: list[str]


async def staff_menus(db: Database, channel: str = CONFIGURED_CHANNEL) -> StaffMenus:
    """Staff of every role with their chats and languages, and the former staff accounts on ``channel``."""
    staff = await db.read(lambda conn: PeopleRepo(conn).with_role(*sorted(STAFF_ROLES)))
    former = await db.read(lambda conn: StaffAuditRepo(conn).former_staff(channel))
    return StaffMenus(staff, former)
