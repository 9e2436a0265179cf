"""Reports that belong to another department, and complaints: a one-working-day deadline each.

Occupation (占压), illegal connection and theft reports that stay follow-up rows (nothing happening now)
go to the inspection queue: the ``[casework] inspection_chat`` group and the ``inspection_roles``. The
card names no reporter (they may stay anonymous). Complaints go to the ``complaint_roles``. Buttons:
``cs:a:<ticket>`` acknowledge, ``cs:o:<ticket>:<outcome>`` the outcome, which the reporter is told (and
a complainant asked for a rating, ``cs:r:<ticket>:<stars>``). The deadline is the end of the next
working day (``bot.broadcast.holiday_dates.one_working_day``: the holidays calendar with its 调休 make-up
days); for an inspection report it is met by the acknowledgement, for a complaint by the answer. A missed
one goes to the supervisors (``escalate_missed``, run by ``bot.casework.deadlines``). Every step is a
ticket event (the audit trail).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, timedelta
from typing import Literal

from bot.broadcast.holiday_dates import one_working_day
from bot.config.settings import CONFIGURED_CHANNEL
from bot.context import Ctx
from bot.dispatch.authz import may_work_case
from bot.dispatch.offer import Scope, queue
from bot.i18n import Lang, t
from bot.routes import Codec, Router
from common.events import Button, Priority, Text
from storage.cases import Case, CasesRepo
from storage.desk import DeskRepo
from storage.people import PeopleRepo, Person
from storage.tickets import Ticket, TicketsRepo

logger = logging.getLogger(__name__)

INSPECTION_CATEGORIES = frozenset({"occupation", "illegal", "theft"})
OUTCOMES = {"inspection": ("dealt", "referred", "not_found"), "complaint": ("resolved", "explained")}


def kind_of(ticket: Ticket) -> str | None:
    if ticket.status != "followup":
        return None
    if ticket.category in INSPECTION_CATEGORIES:
        return "inspection"
    return "complaint" if ticket.category == "complaint" else None


def _roles(scope: Scope, kind: str) -> list[str]:
    work = scope.settings.casework
    return list(work.inspection_roles if kind == "inspection" else work.complaint_roles)


def _when(scope: Scope, case: Case) -> str:
    """The deadline's working day (it ends at local midnight after it)."""
    return (case.due_at_utc - timedelta(microseconds=1)).astimezone(scope.settings.utility.tz).strftime("%Y-%m-%d")


def _buttons(lang: Lang, case: Case) -> list[list[Button]]:
    rows = [] if case.acked_at else [[Button(text=t(lang, "casework.ack_button"), data=_button("a", case.ticket_id))]]
    for outcome in OUTCOMES[case.kind]:
        rows.append([Button(text=t(lang, f"casework.outcome_{outcome}"), data=_button("o", case.ticket_id, outcome))])
    return rows


def _card(scope: Scope, lang: Lang, ticket: Ticket, case: Case) -> str:
    """The queue's card: what and where, never who reported it."""
    details = ticket.details.get("details") or "-"
    return t(
        lang, f"casework.card_{case.kind}", ticket=ticket.id, category=t(lang, f"category.{ticket.category}"),
        address=ticket.address or "-", details=str(details)[:500], due=_when(scope, case),
    )  # fmt: skip


async def on_new_ticket(ctx: Ctx, ticket_id: int) -> None:
    """Hook after a service report became a ticket: open its case if it is one, and tell its queue."""
    ticket = await TicketsRepo(ctx.tx).get(ticket_id)
    kind = kind_of(ticket) if ticket is not None else None
    if ticket is None or kind is None:
        return
    work = ctx.settings.casework
    due = one_working_day(ctx.now, ctx.settings.utility.tz).astimezone(UTC)
    cases = CasesRepo(ctx.tx)
    if not await cases.open(ticket.id, kind, ctx.now, due):
        return
    case = await cases.get(ticket.id)
    assert case is not None
    await TicketsRepo(ctx.tx).event(
        ticket.id, "case_opened", now=ctx.now, actor_id=None, case_kind=kind, due=due.isoformat()
    )
    chats: list[tuple[str, int | None, Lang]] = [  # people on their own channel; the group on the configuration's
        (p.external_id, p.id, Lang(p.lang)) for p in await PeopleRepo(ctx.tx).with_role(*_roles(ctx, kind))
    ]
    if kind == "inspection" and work.inspection_chat:
        chats.append((work.inspection_chat, None, Lang.ZH))
    for chat, recipient, lang in chats:
        card = Text(
            chat=chat, text=_card(ctx, lang, ticket, case), buttons=_buttons(lang, case), priority=Priority.NOTICE
        )
        await queue(ctx, card, ticket_id=ticket.id, purpose="case", recipient_id=recipient, channel=CONFIGURED_CHANNEL)
    await _tell_reporter(ctx, ticket, f"casework.reporter_{kind}", due=_when(ctx, case))


async def _tell_reporter(
    scope: Scope, ticket: Ticket, key: str, buttons: list[list[Button]] | None = None, **values: object
) -> None:
    lang = Lang(ticket.lang)
    text = t(lang, key, ticket=ticket.id, hotline=scope.settings.utility.hotline, **values)
    message = Text(chat=ticket.chat, text=text, buttons=buttons or [], priority=Priority.NOTICE)
    await queue(
        scope,
        message,
        ticket_id=ticket.id,
        purpose="case_reporter",
        recipient_id=ticket.resident_id,
    )


async def _refuse(ctx: Ctx, reason: str) -> None:
    await ctx.audit_refusal("case_button", f"{reason}: {ctx.ev.data}")
    ctx.toast("casework.refused" if reason == "not_queue" else "start.stale_button")


@dataclass(frozen=True)
class CasePress:
    """``cs:<action>:<ticket>[:<arg>]``: acknowledge (a), give the outcome (o), rate it in stars (r)."""

    action: Literal["a", "o", "r"]
    ticket: int
    arg: str = ""

    def __post_init__(self) -> None:
        if (self.action == "a") != (self.arg == "") or (self.action == "r" and self.arg not in STARS):
            raise ValueError(f"cs:{self.action} does not take {self.arg!r}")


STARS = ("1", "2", "3", "4", "5")
BUTTON = Codec("cs:", CasePress, CasePress("o", 1, "not_found"))


def _button(action: Literal["a", "o", "r"], ticket_id: int, arg: str = "") -> str:
    return BUTTON.encode(CasePress(action, ticket_id, arg))


async def _forged(ctx: Ctx) -> None:
    await _refuse(ctx, "forged")


async def on_button(ctx: Ctx, press: CasePress) -> None:
    case = await CasesRepo(ctx.tx).get(press.ticket)
    ticket = await TicketsRepo(ctx.tx).get(case.ticket_id) if case else None
    if case is None or ticket is None:
        await _refuse(ctx, "forged")
        return
    action, arg = press.action, press.arg
    if action == "r":
        if ticket.resident_id != ctx.person.id:
            await _refuse(ctx, "not_yours")
            return
        await _rated(ctx, case, int(arg))
        return
    if not ctx.person.is_staff or not may_work_case(ctx.person, _roles(ctx, case.kind)):
        await _refuse(ctx, "not_queue")
        return
    if action == "a":
        await _ack(ctx, ticket, case)
    elif arg in OUTCOMES[case.kind]:
        await _outcome(ctx, ticket, case, arg)
    else:
        await _refuse(ctx, "forged")


async def _ack(ctx: Ctx, ticket: Ticket, case: Case) -> None:
    cases = CasesRepo(ctx.tx)
    if not await cases.ack(ticket.id, ctx.now, ctx.person.id):
        ctx.toast("casework.already_acked")
        return
    on_time = ctx.now <= case.due_at_utc
    await TicketsRepo(ctx.tx).event(
        ticket.id, "case_acknowledged", now=ctx.now, actor_id=ctx.person.id, on_time=on_time
    )
    fresh = await cases.get(ticket.id)
    assert fresh is not None
    ctx.toast("casework.acked_toast")
    ctx.edit_pressed(
        _card(ctx, ctx.lang, ticket, fresh) + "\n\n" + ctx.t("casework.acked_by", name=ctx.person.name),
        _buttons(ctx.lang, fresh),
    )
    await _tell_reporter(ctx, ticket, "casework.reporter_acked")


async def _outcome(ctx: Ctx, ticket: Ticket, case: Case, outcome: str) -> None:
    if not await CasesRepo(ctx.tx).close(ticket.id, outcome, ctx.now, ctx.person.id):
        ctx.toast("casework.already_closed")
        return
    on_time = ctx.now <= case.due_at_utc
    await TicketsRepo(ctx.tx).event(
        ticket.id, "case_outcome", now=ctx.now, actor_id=ctx.person.id, outcome=outcome, on_time=on_time
    )
    await DeskRepo(ctx.tx).close(ticket.id, now=ctx.now, actor_id=ctx.person.id, reason=f"case:{outcome}")
    ctx.toast("casework.closed_toast")
    lang = Lang(ticket.lang)
    ctx.edit_pressed(
        _card(ctx, ctx.lang, ticket, case)
        + "\n\n"
        + ctx.t("casework.closed_by", name=ctx.person.name, outcome=ctx.t(f"casework.outcome_{outcome}")),
    )
    stars = [Button(text="⭐" * n, data=_button("r", ticket.id, str(n))) for n in range(1, 6)]
    rating = [stars[:3], stars[3:]] if case.kind == "complaint" else None
    await _tell_reporter(
        ctx, ticket, f"casework.reporter_outcome_{case.kind}", rating, outcome=t(lang, f"casework.told_{outcome}")
    )


async def _rated(ctx: Ctx, case: Case, stars: int) -> None:
    if not await CasesRepo(ctx.tx).rate(case.ticket_id, stars):
        ctx.toast("followup.already_answered")
        return
    await TicketsRepo(ctx.tx).event(case.ticket_id, "case_rated", now=ctx.now, actor_id=ctx.person.id, stars=stars)
    ctx.edit_pressed(ctx.t("followup.rated", stars="⭐" * stars))
    ctx.say("followup.thanks")


async def _supervisors(scope: Scope) -> list[Person]:
    people = PeopleRepo(scope.tx)
    return await people.with_role("supervisor") or await people.with_role("admin")


async def escalate_missed(scope: Scope) -> int:
    """Every case past its deadline still owing its acknowledgement (or a complaint its answer): the
    supervisors are told, once. Returns how many were escalated."""
    cases, tickets = CasesRepo(scope.tx), TicketsRepo(scope.tx)
    done = 0
    for case in await cases.missed(scope.now):
        ticket = await tickets.get(case.ticket_id)
        if ticket is None or not await cases.escalated(case.ticket_id, scope.now):
            continue
        await tickets.event(case.ticket_id, "case_escalated", now=scope.now, actor_id=None, case_kind=case.kind)
        for person in await _supervisors(scope):
            lang = Lang(person.lang)
            text = (
                t(lang, f"casework.escalated_{case.kind}", ticket=ticket.id, due=_when(scope, case))
                + "\n\n"
                + _card(scope, lang, ticket, case)
            )
            message = Text(chat=person.external_id, text=text, buttons=_buttons(lang, case), priority=Priority.DISPATCH)
            await queue(
                scope,
                message,
                ticket_id=ticket.id,
                purpose="case_escalated",
                recipient_id=person.id,
            )
        logger.warning("case %s (%s) missed its one-working-day deadline: supervisors told", ticket.id, case.kind)
        done += 1
    return done


ROUTES = Router("casework")
ROUTES.button(BUTTON, on_button, unreadable=_forged)
