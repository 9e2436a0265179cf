"""``hotline invite`` (make, list, cancel one-time codes) and ``hotline staff`` (list, revoke), wired into
:mod:`bot.cli.main`. They work on the database while the bot runs: a revocation counts from the bot's next
update, and what it queues (the desk's alert, a re-dispatch) goes out with the outbox's next poll.

Exit codes: 0 done; 2 bad input (an unknown role, crew, invite or account; nothing to cancel or revoke).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from datetime import datetime

from bot.clock import SystemClock
from bot.config.settings import Settings
from bot.dispatch.offer import JobScope
from bot.people.invites import InviteError, cancel_invite, create_invite
from bot.people.revoke import RevokeError, find_staff, revoke, user_arg
from bot.people.staff import StaffEntry, staff_entries
from storage.db import Database
from storage.invites import InvitesRepo
from storage.people import STAFF_ROLES, PeopleRepo

EXIT_BAD_INPUT = 2
COMMANDS = ("invite", "staff")


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser], with_config: Callable[..., None]) -> None:
    invite = sub.add_parser(
        "invite",
        help="a one-time code that links a chat account to a staff role; `invite list`, `invite cancel N`",
        description="hotline invite --role ROLE [--crew NAME]: a new code. hotline invite list: every invite and"
        " its state. hotline invite cancel N|CODE: withdraw an unused invite.",
    )
    invite.add_argument("action", nargs="?", choices=("list", "cancel"), help="default: make a new code")
    invite.add_argument("ref", nargs="?", metavar="N|CODE", help="for cancel: the invite's number, or the code")
    invite.add_argument("--role", choices=sorted(STAFF_ROLES))
    invite.add_argument("--crew", help="the crew (for the roles crew and lead)")
    invite.add_argument("--expires-h", type=float, default=72.0, help="hours the code is valid (default 72)")
    with_config(invite)

    staff = sub.add_parser("staff", help="staff accounts and where their role comes from; revoke one")
    staff_sub = staff.add_subparsers(dest="staff_command", required=True)
    with_config(staff_sub.add_parser("list", help="every staff account, its role and its source"))
    rev = staff_sub.add_parser("revoke", help="take a staff role back at once (the bot may be running)")
    rev.add_argument("user", help="the Telegram user id (as `hotline staff list` shows it)")
    with_config(rev)


def _local(settings: Settings, when: datetime) -> str:
    return when.astimezone(settings.utility.tz).strftime("%Y-%m-%d %H:%M")


async def _new_invite(db: Database, settings: Settings, args: argparse.Namespace) -> str:
    if args.role is None:
        raise InviteError("--role is needed to make an invite (or: hotline invite list | cancel N)")
    made = await create_invite(
        db, settings, role=args.role, crew=args.crew, expires_h=args.expires_h, now=SystemClock().now()
    )
    lines = [
        f"invite code: {made.code}",
        f"role: {made.role}"
        + (f", crew {made.crew}" if made.crew else "")
        + f"; single use, expires {_local(settings, made.expires_at)} {settings.utility.timezone}",
        f"link: {made.link}" if made.link else f"the new member opens the bot and sends: /start {made.code}",
    ]
    return "\n".join(lines)


async def _list_invites(db: Database, settings: Settings) -> str:
    now = SystemClock().now()
    async with db.lock:
        invites = await InvitesRepo(db.conn).all()
        people = PeopleRepo(db.conn)
        users = {i.used_by: await people.get(i.used_by) for i in invites if i.used_by is not None}
    if not invites:
        return "no invites"
    zone = settings.utility.timezone
    lines = [f"#     state      role        crew  made              expires           used by   (times: {zone})"]
    for item in invites:
        user = users.get(item.used_by) if item.used_by is not None else None
        used = f"{user.external_id} {user.name}" if user is not None else "-"
        lines.append(
            f"{item.id:<5} {item.state(now):<10} {item.role:<11} {item.crew or '-':<5} "
            f"{_local(settings, item.created_at)}  {_local(settings, item.expires_at)}  {used}"
        )
    return "\n".join(lines)


async def _invite(args: argparse.Namespace, settings: Settings) -> str:
    db = await Database.open(settings.storage.path)
    try:
        if args.action == "list":
            return await _list_invites(db, settings)
        if args.action == "cancel":
            if not args.ref:
                raise InviteError("which invite? hotline invite cancel N (from `hotline invite list`) or CODE")
            cancelled = await cancel_invite(db, args.ref, now=SystemClock().now())
            return f"invite #{cancelled.id} ({cancelled.role}) cancelled: its code links nobody now"
        return await _new_invite(db, settings, args)
    finally:
        await db.close()


def _entry_line(entry: StaffEntry) -> str:
    return f"{entry.user_id:<12} {entry.role:<11} {entry.crew or '-':<5} {entry.source:<26} {entry.name}"


async def _staff(args: argparse.Namespace, settings: Settings) -> str:
    db = await Database.open(settings.storage.path)
    try:
        if args.staff_command == "list":
            async with db.lock:
                entries = await staff_entries(db.conn, settings)
            head = f"{'user':<12} {'role':<11} {'crew':<5} {'source':<26} name"
            return "\n".join([head, *map(_entry_line, entries)]) if entries else "no staff accounts"
        user = user_arg(args.user)
        if user is None:
            raise RevokeError(f"{args.user!r}: expected a Telegram user id (digits)")
        async with db.transaction() as tx:
            scope = JobScope(tx, settings, SystemClock().now())
            done = await revoke(scope, await find_staff(scope, "telegram", user), by="cli", channel="telegram")
    finally:
        await db.close()
    lines = [
        f"revoked: {user} {done.person.name} is no longer {done.role}" + (f" of crew {done.crew}" if done.crew else ""),
        f"dropped {done.dropped} queued message(s) to them; tickets back to their crew: "
        + (", ".join(f"#{n}" for n in done.tickets) or "none"),
    ]
    if done.in_config:
        lines.append("still listed in the configuration: they stay revoked at the next start; remove them there too")
    if done.crew:
        lines.append(f"if they are in crew {done.crew}'s group chat, remove them there too: the bot cannot")
    return "\n".join(lines)


def run(args: argparse.Namespace, settings: Settings) -> int:
    try:
        print(asyncio.run(_invite(args, settings) if args.command == "invite" else _staff(args, settings)))
    except (InviteError, RevokeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return 0
