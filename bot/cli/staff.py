"""``hotline invite`` (make, list, cancel one-time codes) and ``hotline staff`` (list, revoke), wired into
:mod:`bot.cli.main`. They work on the database while the bot runs: a revocation counts from the bot's next
update, and what it queues (the desk's alert, a re-dispatch) goes out with the outbox's next poll.

Exit codes: 0 done; 2 bad input (an unknown role, crew, invite or account; nothing to cancel or revoke).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import datetime

from bot.cli.text import Kit, Say
from bot.clock import SystemClock
from bot.config.settings import Settings
from bot.dispatch.offer import JobScope
from bot.outbound.delivery import DeliveryError
from bot.people.invites import InviteError, cancel_invite, create_invite
from bot.people.revoke import Revocation, RevokeError, find_staff, revoke, user_arg
from bot.people.staff import StaffEntry, staff_entries
from channels.wechat.check import invite_qr
from storage.db import Database
from storage.engines import open_database
from storage.invites import Invite, InvitesRepo
from storage.people import STAFF_ROLES, PeopleRepo, Person
from storage.sync import SyncConnection

EXIT_BAD_INPUT = 2
COMMANDS = ("invite", "staff")


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser], kit: Kit) -> None:
    invite = kit.add(sub, "invite", "help.invite", description=kit.say("help.invite_description"))
    invite.add_argument("action", nargs="?", choices=("list", "cancel"), help=kit.say("help.invite_action"))
    invite.add_argument("ref", nargs="?", metavar="N|CODE", help=kit.say("help.invite_ref"))
    invite.add_argument("--role", choices=sorted(STAFF_ROLES), help=kit.say("help.invite_role"))
    invite.add_argument("--crew", help=kit.say("help.invite_crew"))
    invite.add_argument("--expires-h", type=float, default=72.0, help=kit.say("help.invite_expires"))
    invite.add_argument(
        "--channel", choices=("telegram", "wechat", "wecom"), default="telegram", help=kit.say("help.invite_channel")
    )
    kit.with_config(invite)

    staff = kit.add(sub, "staff", "help.staff")
    staff_sub = kit.commands(staff, "staff_command")
    listing = kit.add(staff_sub, "list", "help.staff_list")
    rev = kit.add(staff_sub, "revoke", "help.staff_revoke")
    rev.add_argument("user", help=kit.say("help.staff_user"))
    for parser in (listing, rev):
        parser.add_argument(
            "--channel", choices=("telegram", "wecom"), default="telegram", help=kit.say("help.staff_channel")
        )
        kit.with_config(parser)


def _local(settings: Settings, when: datetime) -> str:
    return when.astimezone(settings.utility.tz).strftime("%Y-%m-%d %H:%M")


async def _new_invite(db: Database, settings: Settings, args: argparse.Namespace, say: Say) -> str:
    if args.role is None:
        raise InviteError("invite.needs_role")
    made = await create_invite(
        db, settings, role=args.role, crew=args.crew, expires_h=args.expires_h, now=SystemClock().now()
    )
    lines = [
        say("invite.code", code=made.code),
        say("invite.role", role=made.role)
        + (say("invite.crew", crew=made.crew) if made.crew else "")
        + say("invite.expires", at=_local(settings, made.expires_at), zone=settings.utility.timezone),
    ]
    if args.channel == "wechat":
        expires_s = min(int(args.expires_h * 3600), 2_592_000)  # a temporary QR code lives at most 30 days
        lines.append(say("invite.wechat_qr", code=made.code, expires_s=expires_s))
        if settings.wechat.enabled:  # WeChat can make the code itself
            try:
                lines.append(say("invite.wechat_qr_made", url=await invite_qr(settings, db, made.code, expires_s)))
            except DeliveryError as exc:
                lines.append(say("invite.wechat_qr_failed", reason=exc.reason))
    elif args.channel == "wecom":
        lines.append(say("invite.wecom", code=made.code))
    else:
        lines.append(say("invite.link", link=made.link) if made.link else say("invite.start", code=made.code))
    return "\n".join(lines)


async def _list_invites(db: Database, settings: Settings, say: Say) -> str:
    now = SystemClock().now()

    async def listed(conn: SyncConnection) -> tuple[list[Invite], dict[int, Person | None]]:
        invites, people = await InvitesRepo(conn).all(), PeopleRepo(conn)
        return invites, {i.used_by: await people.get(i.used_by) for i in invites if i.used_by is not None}

    invites, users = await db.read(listed)
    if not invites:
        return say("invite.none")
    lines = [say("invite.header", zone=settings.utility.timezone)]
    for item in invites:
        user = users.get(item.used_by) if item.used_by is not None else None
        used = f"{user.external_id} {user.name}" if user is not None else "-"
        lines.append(
            f"{item.id:<5} {item.state(now):<10} {item.role:<11} {item.crew or '-':<5} "
            f"{_local(settings, item.created_at)}  {_local(settings, item.expires_at)}  {used}"
        )
    return "\n".join(lines)


async def _invite(args: argparse.Namespace, settings: Settings, say: Say) -> str:
    db = await open_database(settings.storage)
    try:
        if args.action == "list":
            return await _list_invites(db, settings, say)
        if args.action == "cancel":
            if not args.ref:
                raise InviteError("invite.which")
            cancelled = await cancel_invite(db, args.ref, now=SystemClock().now())
            return say("invite.cancelled", id=cancelled.id, role=cancelled.role)
        return await _new_invite(db, settings, args, say)
    finally:
        await db.close()


def _entry_line(entry: StaffEntry) -> str:
    return f"{entry.user_id:<12} {entry.role:<11} {entry.crew or '-':<5} {entry.source:<26} {entry.name}"


async def _staff(args: argparse.Namespace, settings: Settings, say: Say) -> str:
    db = await open_database(settings.storage)
    try:
        if args.staff_command == "list":
            entries = await db.read(lambda conn: staff_entries(conn, settings, args.channel))
            return "\n".join([say("staff.header"), *map(_entry_line, entries)]) if entries else say("staff.none")
        user = user_arg(args.user, args.channel)
        if user is None:
            raise RevokeError("staff.not_a_user", user=repr(args.user))
        now = SystemClock().now()

        async def revoke_user(tx: SyncConnection) -> Revocation:
            scope = JobScope(tx, settings, now)
            return await revoke(scope, await find_staff(scope, args.channel, user), by="cli", channel=args.channel)

        done = await db.run(revoke_user)
    finally:
        await db.close()
    tickets = ", ".join(f"#{n}" for n in done.tickets) or say("staff.no_tickets")
    lines = [
        say("staff.revoked", user=user, name=done.person.name, role=done.role)
        + (say("staff.of_crew", crew=done.crew) if done.crew else ""),
        say("staff.dropped", count=done.dropped, tickets=tickets),
    ]
    if done.in_config:
        lines.append(say("staff.in_config"))
    if done.crew:
        lines.append(say("staff.group_chat", crew=done.crew))
    return "\n".join(lines)


def run(args: argparse.Namespace, settings: Settings, say: Say) -> int:
    try:
        print(asyncio.run(_invite(args, settings, say) if args.command == "invite" else _staff(args, settings, say)))
    except (InviteError, RevokeError) as exc:
        print(say.error(exc), file=sys.stderr)
        return EXIT_BAD_INPUT
    return 0
