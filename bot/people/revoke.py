"""Taking a staff role back, at once: ``hotline staff revoke USER`` and ``/revoke USER`` in chat.

Revoking makes the account a resident in the same transaction, so every button already on their screen
is refused from the next press (the checks read the stored role, ``bot.dispatch.authz``); what was still queued for
them as staff (cards, pins, desk alerts, residents' replies) is dropped; a note they were typing for a
ticket is forgotten; a ticket they were working on goes back to its crew as a fresh dispatch, and the desk
is told. The invites they used are marked revoked, and if the configuration lists them the next start
leaves them revoked (``bot.people.staff``). Every revocation is in ``staff_audit``; a refused ``/revoke`` in
``audit``.

In chat, supervisors and admins revoke; a supervisor only roles below their own (crew, lead,
dispatcher), an admin any role; nobody themselves.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from bot.config.settings import CONFIGURED_CHANNEL
from bot.context import Ctx
from bot.dispatch import escalation
from bot.dispatch.card_edits import withdraw_cards
from bot.dispatch.crew_actions import NOTE_FLOW
from bot.dispatch.offer import Scope, queue, tell_desk, tell_resident
from bot.i18n import Lang, t
from bot.operator_error import OperatorError
from bot.people.staff import configured, staff_entries
from bot.routes import Router
from common.events import Priority, Text
from storage.conversations import ConversationsRepo
from storage.desk import WORKING, DeskRepo
from storage.invites import InvitesRepo
from storage.outbox import OutboxRepo
from storage.people import CrewsRepo, PeopleRepo, Person
from storage.revocations import RevocationsRepo, StaffAuditRepo
from storage.tickets import TicketsRepo

logger = logging.getLogger(__name__)

RANK = {"crew": 0, "lead": 0, "dispatcher": 1, "supervisor": 2, "admin": 3}


class RevokeError(OperatorError, ValueError):
    """Nothing to revoke: no such account, or it has no staff role."""


@dataclass
class Revocation:
    person: Person
    role: str
    crew: str | None
    in_config: bool
    invites: list[int] = field(default_factory=list)
    dropped: int = 0
    tickets: list[int] = field(default_factory=list)


_WECOM_USERID = re.compile(r"[A-Za-z0-9_.@-]{1,64}")


def user_arg(text: str, channel: str = CONFIGURED_CHANNEL) -> str | None:
    """An account's id as typed, else None: a Telegram user id (ASCII digits), a WeCom userid (letters,
    digits and ``_.@-``)."""
    value = text.strip()
    if channel == "wecom":
        return value if _WECOM_USERID.fullmatch(value) else None
    return value if value.isascii() and value.isdigit() and len(value) <= 20 else None


async def find_staff(scope: Scope, channel: str, user_id: str) -> Person:
    person = await PeopleRepo(scope.tx).find(channel, user_id)
    if person is None:
        raise RevokeError("staff.no_account", user=user_id, channel=channel)
    if not person.is_staff:
        raise RevokeError("staff.not_staff", user=user_id, role=person.role)
    return person


async def revoke(scope: Scope, person: Person, *, by: str, channel: str) -> Revocation:
    """Take ``person``'s staff role back (see the module's description); ``by`` names who did it."""
    crew = await CrewsRepo(scope.tx).get(person.crew_id) if person.crew_id is not None else None
    done = Revocation(
        person,
        person.role,
        crew.name if crew else None,
        person.external_id in configured(scope.settings, person.channel),
    )
    await PeopleRepo(scope.tx).set_role(person.id, "resident", None)
    done.invites = await InvitesRepo(scope.tx).revoke_links(person.id, by=by, now=scope.now)
    if done.in_config:
        await RevocationsRepo(scope.tx).add(channel, person.external_id, role=person.role, by=by, now=scope.now)
    done.dropped = await OutboxRepo(scope.tx).drop_for_former_staff(person.id, scope.now)
    conversations = ConversationsRepo(scope.tx)
    conv = await conversations.get(channel, person.external_id)
    if conv is not None and conv.flow == NOTE_FLOW:
        await conversations.clear(channel, person.external_id)
    done.tickets = await _hand_back(scope, person)
    await StaffAuditRepo(scope.tx).add(
        actor=by,
        action="staff_revoke",
        person_id=person.id,
        detail=(
            f"user {person.external_id} role {done.role} crew {done.crew or '-'} config {done.in_config}"
            f" invites {done.invites} dropped {done.dropped} tickets {done.tickets}"
        ),
        now=scope.now,
    )
    lang = Lang(person.lang)
    note = Text(chat=person.external_id, text=t(lang, "staff.revoked_you"), priority=Priority.NOTICE)
    await queue(scope, note, ticket_id=None, purpose="staff_revoked", recipient_id=person.id)
    logger.info(
        "person %s: staff role %s revoked (%s tickets back to their crew)", person.id, done.role, len(done.tickets)
    )
    return done


async def _hand_back(scope: Scope, person: Person) -> list[int]:
    """The tickets ``person`` was working on go back to their crew as a fresh dispatch; the desk is told."""
    tickets, moved = TicketsRepo(scope.tx), []
    for ticket_id in await DeskRepo(scope.tx).held_by(person.id):
        ticket = await tickets.get(ticket_id)
        assert ticket is not None
        if not await DeskRepo(scope.tx).redispatch(
            ticket.id,
            from_statuses=WORKING,
            crew_id=ticket.crew_id,
            now=scope.now,
            actor_id=None,
            kind="holder_revoked",
        ):
            continue
        await withdraw_cards(scope, ticket, "crew.holder_revoked")
        fresh = await tickets.get(ticket.id)
        assert fresh is not None
        await escalation.redispatch(scope, fresh)
        await tell_desk(scope, fresh, "desk.holder_revoked", card=False, name=person.name)
        await tell_resident(scope, fresh, "resident.reassigned")
        moved.append(ticket.id)
    return moved


# --- /revoke ------------------------------------------------------------------------------------------


async def _refuse(ctx: Ctx, reason: str, key: str, role: str = "") -> None:
    await ctx.audit_refusal("revoke", f"{reason}: {' '.join(ctx.ev.args)[:40]}")
    logger.info("refused /revoke from person %s (%s)", ctx.person.id, reason)
    ctx.say(key, role=role)


async def _usage(ctx: Ctx) -> None:
    lines = [ctx.t("staff.usage")]
    for entry in await staff_entries(ctx.tx, ctx.settings, ctx.ev.channel):
        if entry.revoked:
            continue
        role = ctx.t(f"invites.role_{entry.role}")
        source = ctx.t("staff.source_config") if entry.in_config else ""
        if entry.invite is not None:
            source = (source + " + " if source else "") + ctx.t("staff.source_invite", invite=entry.invite.id)
        line = ctx.t("staff.line", user=entry.user_id, name=entry.name, role=role, crew=entry.crew or "-")
        lines.append(f"{line} ({source or ctx.t('staff.source_none')})")
    ctx.say_text("\n".join(lines))


async def revoke_command(ctx: Ctx) -> None:
    """``/revoke USER``: take a staff member's role back at once (supervisors and admins)."""
    me = ctx.person
    user = user_arg(ctx.ev.args[0], ctx.ev.channel) if len(ctx.ev.args) == 1 else None
    if user is None:
        await _usage(ctx)
        return
    try:
        target = await find_staff(ctx, ctx.ev.channel, user)
    except RevokeError:
        ctx.say("staff.not_staff", user=user)
        return
    if target.id == me.id:
        await _refuse(ctx, "self", "staff.not_yourself")
        return
    if me.role != "admin" and RANK.get(target.role, 3) >= RANK[me.role]:
        await _refuse(ctx, "outranked", "staff.outranked", role=ctx.t(f"invites.role_{target.role}"))
        return
    done = await revoke(ctx, target, by=f"{ctx.ev.channel}:{ctx.ev.user}", channel=ctx.ev.channel)
    ctx.say(
        "staff.revoked",
        name=target.name,
        user=user,
        role=ctx.t(f"invites.role_{done.role}"),
        tickets=", ".join(f"#{n}" for n in done.tickets) or "-",
    )
    if done.in_config:
        ctx.say("staff.revoked_in_config")


ROUTES = Router("revoke")
ROUTES.command("revoke", revoke_command, "supervisor")
