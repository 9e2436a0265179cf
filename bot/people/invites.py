"""Linking a chat account to a staff role with a one-time code.

An admin runs ``hotline invite --role crew --crew A``, which prints a code (and a deep link
``https://t.me/<bot>?start=<code>``). Whoever opens the bot with it in a private chat (``/start <code>``)
becomes a member of that crew. A code works once and until it expires or is cancelled (``hotline invite
cancel``); only its hash is stored; every refused attempt is audited (without the code).
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.config.settings import Settings
from bot.context import Ctx
from bot.operator_error import OperatorError
from storage.db import Database
from storage.invites import Invite, InvitesRepo
from storage.people import CREW_ROLES, STAFF_ROLES, CrewsRepo
from storage.revocations import RevocationsRepo, StaffAuditRepo
from storage.sync import SyncConnection

logger = logging.getLogger(__name__)

PREFIX = "inv_"
_CODE = re.compile(r"^inv_[A-Za-z0-9_-]{16,40}$")  # Telegram deep links allow A-Z a-z 0-9 _ - (64 chars)
MAX_EXPIRY_H = 24 * 30


class InviteError(OperatorError, ValueError):
    """An invite cannot be made as asked (unknown role or crew, crew missing, bad expiry)."""


@dataclass(frozen=True)
class NewInvite:
    code: str
    role: str
    crew: str | None
    expires_at: datetime
    link: str | None


def new_code() -> str:
    return PREFIX + secrets.token_urlsafe(16)


def looks_like_code(text: str) -> bool:
    return bool(_CODE.match(text))


def deep_link(settings: Settings, code: str) -> str | None:
    username = settings.telegram.bot_username
    return f"https://t.me/{username.lstrip('@')}?start={code}" if username else None


def check_request(settings: Settings, role: str, crew: str | None, expires_h: float) -> None:
    if role not in STAFF_ROLES:
        raise InviteError("invite.bad_role", role=repr(role), roles=", ".join(sorted(STAFF_ROLES)))
    if role in CREW_ROLES and not crew:
        raise InviteError("invite.needs_crew", role=role, crews=", ".join(c.name for c in settings.crews) or "-")
    if crew and role not in CREW_ROLES:
        raise InviteError("invite.crew_only_for", roles=", ".join(sorted(CREW_ROLES)))
    if crew and crew not in {c.name for c in settings.crews}:
        raise InviteError("invite.no_such_crew", crew=repr(crew))
    if not 0 < expires_h <= MAX_EXPIRY_H:
        raise InviteError("invite.bad_expiry", hours=expires_h, most=MAX_EXPIRY_H)


async def create_invite(
    db: Database,
    settings: Settings,
    *,
    role: str,
    crew: str | None,
    expires_h: float,
    now: datetime,
    created_by: str = "cli",
) -> NewInvite:
    """A new one-time code for ``role`` (and ``crew``); the code itself is returned once, never stored."""
    check_request(settings, role, crew, expires_h)
    code, expires_at = new_code(), now + timedelta(hours=expires_h)
    invite_id = await db.run(
        lambda tx: InvitesRepo(tx).create(
            code, role=role, crew=crew, created_by=created_by, now=now, expires_at=expires_at
        )
    )
    logger.info("invite %s made for role %s, crew %s", invite_id, role, crew or "-")
    return NewInvite(code=code, role=role, crew=crew, expires_at=expires_at, link=deep_link(settings, code))


async def find_invite(repo: InvitesRepo, ref: str) -> Invite:
    """The invite named by its number (as ``hotline invite list`` shows it) or by the code itself."""
    ref = ref.strip().lstrip("#")
    found = None
    if ref.isascii() and ref.isdigit() and len(ref) <= 12:
        found = await repo.get(int(ref))
    elif looks_like_code(ref):
        found = await repo.by_code(ref)
    if found is None:
        raise InviteError("invite.not_found", ref=repr(ref))
    return found


async def cancel_invite(db: Database, ref: str, *, now: datetime, by: str = "cli") -> Invite:
    """Withdraw an unused invite, so its code links nobody; recorded in the staff audit."""

    async def cancel(tx: SyncConnection) -> Invite:
        repo = InvitesRepo(tx)
        invite = await find_invite(repo, ref)
        state = invite.state(now)
        if state in ("used", "revoked"):
            raise InviteError("invite.already_used", id=invite.id, person=invite.used_by)
        if not await repo.cancel(invite.id, by=by, now=now):
            raise InviteError("invite.not_open", id=invite.id, state=state)
        detail = f"invite #{invite.id} role {invite.role} crew {invite.crew or '-'} was {state}"
        await StaffAuditRepo(tx).add(actor=by, action="invite_cancel", person_id=None, detail=detail, now=now)
        return invite

    invite = await db.run(cancel)
    logger.info("invite %s cancelled", invite.id)
    return invite


async def _refuse(ctx: Ctx, reason: str, invite_id: int | None) -> None:
    detail = reason if invite_id is None else f"{reason} invite={invite_id}"
    await ctx.audit_refusal("invite", detail)
    ctx.say(f"invites.refused_{reason}")


async def on_start(ctx: Ctx, arg: str) -> bool:
    """``/start <code>``: link this account if ``arg`` is a valid invite. False if ``arg`` is no invite code."""
    if not looks_like_code(arg):
        return False
    invites = InvitesRepo(ctx.tx)
    invite = await invites.by_code(arg)
    person = ctx.person
    if invite is None:
        await _refuse(ctx, "unknown", None)
    elif invite.revoked_at is not None:
        await _refuse(ctx, "cancelled" if invite.used_at is None else "used", invite.id)
    elif invite.used_by == person.id:
        ctx.say("invites.already_linked", role=ctx.t(f"invites.role_{person.role}"))
    elif person.is_staff:
        await _refuse(ctx, "already_staff", invite.id)
    elif invite.used_at is not None:
        await _refuse(ctx, "used", invite.id)
    elif ctx.now >= invite.expires_at:
        await _refuse(ctx, "expired", invite.id)
    else:
        await _link(ctx, invite.id, invite.role, invite.crew)
    return True


async def _link(ctx: Ctx, invite_id: int, role: str, crew_name: str | None) -> None:
    invites = InvitesRepo(ctx.tx)
    crew = await CrewsRepo(ctx.tx).by_name(crew_name) if crew_name else None
    if crew_name and crew is None:
        await _refuse(ctx, "crew_gone", invite_id)
        return
    if not await invites.claim(invite_id, ctx.person.id, ctx.now):
        await _refuse(ctx, "used", invite_id)
        return
    crew_id = crew.id if crew is not None else None
    await invites.link_person(ctx.person.id, role=role, crew_id=crew_id)
    await RevocationsRepo(ctx.tx).forget(ctx.ev.channel, ctx.ev.user)  # a new invite is a new grant
    ctx.person = ctx.person.model_copy(update={"role": role, "crew_id": crew_id})
    logger.info("invite %s: person %s linked as %s", invite_id, ctx.person.id, role)
    role_text = ctx.t(f"invites.role_{role}")
    if crew is not None:
        ctx.say("invites.linked_crew", role=role_text, crew=crew.name)
    else:
        ctx.say("invites.linked", role=role_text)
