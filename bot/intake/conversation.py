"""The resident's report conversation: category, the category's questions, then either a summary and
confirm (service reports) or, for an emergency, nothing to confirm at all.

An emergency (leak, CO, fire, a pipe hit by works, or a report whose answers make it P1/P2) asks
*where* first; the moment it has a location the ticket is committed and dispatched
(``bot.intake.live_ticket``), the resident is told its number, and every later answer updates it. A resident
may stop at any point: what they answered is on the ticket. Until there is a location, the
``bot.intake.abandoned`` timer re-asks once and then tells the duty dispatcher.

State lives in the ``conversations`` table (flow ``intake``), so a restart resumes at the same step.
A ticket is committed in the same transaction as the answer that completes what it needs, and only
then is the resident told its number.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.context import Ctx
from bot.danger.detect import Danger, Outcome, detect
from bot.intake import abandoned, live_ticket
from bot.intake.asking import MAX_PHOTOS, MAX_TEXT, ask, clip, is_key, outside, parse
from bot.intake.buttons import BUTTON, CANCEL, SKIP, ReportPress, category_button, edit_button, summary_button
from bot.intake.forms import (
    BOOKABLE,
    CATEGORIES,
    EMERGENCY,
    FIELDS,
    HEATING_SEASON,
    Ask,
    Category,
    answered_fields,
    next_field,
)
from bot.intake.live_ticket import finish
from bot.intake.live_ticket import submit as submit  # the medical path files its desk ticket through it
from bot.intake.menu import fold, folded_key, menu_keyboard
from bot.intake.render import answer_lines
from bot.intake.triage import danger_category, heating_season, urgent
from bot.people.phone import normalise_phone
from bot.routes import Router
from common.events import Button, EventKind
from storage.conversations import Conversation, ConversationsRepo
from storage.db import to_db

logger = logging.getLogger(__name__)

FLOW = "intake"
CATEGORY_STEP = "category"
SUMMARY_STEP = "summary"
EDIT_STEP = "edit"


def _repo(ctx: Ctx) -> ConversationsRepo:
    return ConversationsRepo(ctx.tx)


async def _save(ctx: Ctx, step: str, data: dict[str, Any], started: Conversation | None = None) -> None:
    conv = Conversation(
        flow=FLOW,
        step=step,
        data=data,
        started_at=started.started_at if started else ctx.now,
        updated_at=ctx.now,
    )
    await _repo(ctx).put(ctx.ev.channel, ctx.ev.user, conv)


def _carried(ctx: Ctx, answers: dict[str, Any]) -> dict[str, Any]:
    """What the event that started a report already tells us (a pin, a photo, a contact): nothing is lost."""
    ev = ctx.ev
    if ev.kind is EventKind.LOCATION and ev.latitude is not None and ev.longitude is not None:
        if outside(ctx, ev.latitude, ev.longitude):
            answers.pop("location", None)
            return answers
        answers["location"] = {"lat": ev.latitude, "lon": ev.longitude}
    elif ev.kind is EventKind.PHOTO and ev.photo:
        answers["_photos"] = [*answers.get("_photos", []), ev.photo][:MAX_PHOTOS]
    elif ev.kind is EventKind.CONTACT and ev.phone:
        phone = normalise_phone(ev.phone, ctx.settings.utility.phone_region)
        if phone:
            answers["phone"] = phone
    return answers


async def choose_category(ctx: Ctx, answers: dict[str, Any] | None = None) -> None:
    """Offer every category as a button (the /report command and the menu's "report a problem")."""
    answers = _carried(ctx, dict(answers or {}))
    await _save(ctx, CATEGORY_STEP, {"answers": answers})
    buttons = [[Button(text=ctx.t(f"category.{cid}"), data=category_button(cid))] for cid in CATEGORIES]
    buttons.append([Button(text=ctx.t("intake.cancel_button"), data=summary_button("cancel"))])
    ctx.say("intake.choose_category", buttons=buttons)


async def _chase(ctx: Ctx, data: dict[str, Any], conv: Conversation | None) -> None:
    """An emergency without a location: the timer that re-asks, then tells the duty dispatcher."""
    if data["answers"].get("location") or data.get("ticket") is not None:
        return
    data["card_at"] = to_db(ctx.now)
    await abandoned.arm(
        ctx.tx,
        channel=ctx.ev.channel,
        user=ctx.ev.user,
        chat=ctx.ev.chat,
        started=conv.started_at if conv else ctx.now,
        card_at=ctx.now,
        settings=ctx.settings,
    )


async def start(ctx: Ctx, category: str, *, answers: dict[str, Any] | None = None, **flags: Any) -> None:
    data = {"category": category, "answers": dict(answers or {}), **flags}
    conv = await _repo(ctx).get(ctx.ev.channel, ctx.ev.user)
    current = conv if conv and conv.flow == FLOW else None
    if category == "no_gas":
        local = ctx.now.astimezone(ctx.settings.utility.tz)
        data["answers"][HEATING_SEASON] = heating_season(ctx.settings.intake.heating_months, local)
    if category == "inspection" and any(not plan.district for plan in ctx.settings.booking.plans):
        data["answers"][BOOKABLE] = True
    if category in EMERGENCY:
        data["home"] = await live_ticket.home_of(ctx)
        await _chase(ctx, data, current)
    await _advance(ctx, data, current)


async def cancel(ctx: Ctx) -> None:
    conv = ctx.conv if ctx.conv_read else await _repo(ctx).get(ctx.ev.channel, ctx.ev.user)
    ticket = conv.data.get("ticket") if conv is not None and conv.flow == FLOW else None
    await finish(ctx)
    if ticket is not None:  # a dispatched emergency is not called off by chat: the crew still comes
        ctx.say("intake.stopped_ticket_stays", ticket=ticket, keyboard=menu_keyboard(ctx.lang))
        return
    ctx.say("intake.cancelled", keyboard=menu_keyboard(ctx.lang))


def _dispatch_now(data: dict[str, Any]) -> bool:
    """Commit and dispatch now: a location is known and the report is (or may be) P1/P2."""
    if not data["answers"].get("location") or data.get("ticket") is not None:
        return False
    return data["category"] in EMERGENCY or urgent(live_ticket.severity_of(data))


async def _advance(ctx: Ctx, data: dict[str, Any], conv: Conversation | None, changed: list[str] | None = None) -> None:
    category = CATEGORIES[data["category"]]
    editing = data.pop("editing", False)
    nxt = None if editing else next_field(category, data["answers"])
    if not editing and _dispatch_now(data):
        if await live_ticket.commit(ctx, data) is None:  # added to the resident's open ticket instead
            await finish(ctx)
            return
        await abandoned.cancel(ctx.tx, channel=ctx.ev.channel, user=ctx.ev.user)
    elif data.get("ticket") is not None and changed:
        await live_ticket.update(ctx, data, changed, finished=nxt is None)
        if "location" in changed:
            await live_ticket.located(ctx, int(data["ticket"]))
    if data.get("ticket") is not None:
        await live_ticket.after_answer(ctx, data)
        if nxt is None:
            await finish(ctx)
            await live_ticket.thank(ctx, int(data["ticket"]))
            return
    if nxt is None:
        await _save(ctx, SUMMARY_STEP, data, conv)
        _summary(ctx, category, data["answers"])
        return
    await _save(ctx, nxt.name, data, conv)
    ask(ctx, nxt, category, data)


def summary_lines(ctx: Ctx, category: Category, answers: dict[str, Any]) -> list[str]:
    return [
        ctx.t("intake.summary_category", category=ctx.t(f"category.{category.id}")),
        *answer_lines(ctx.lang, category, answers),
    ]


def _summary(ctx: Ctx, category: Category, answers: dict[str, Any]) -> None:
    text = "\n".join(
        [
            ctx.t("intake.summary_title"),
            *summary_lines(ctx, category, answers),
            "",
            ctx.t("intake.summary_ask"),
        ]
    )
    buttons = [
        [Button(text=ctx.t("intake.confirm_button"), data=summary_button("ok"))],
        [
            Button(text=ctx.t("intake.edit_button"), data=summary_button("edit")),
            Button(text=ctx.t("intake.cancel_button"), data=summary_button("cancel")),
        ],
    ]
    ctx.say_text(text, buttons=buttons, remove_keyboard=False)


async def on_event(ctx: Ctx, conv: Conversation, press: ReportPress | None = None) -> None:
    """An event while a report is in progress (``press``: a report button's payload; a button event
    without one carried data no version reads, and is answered as a stale button)."""
    data = dict(conv.data)
    data["answers"] = dict(data.get("answers", {}))
    ev = ctx.ev
    if press == CANCEL:
        await cancel(ctx)
        return
    if conv.step == CATEGORY_STEP:
        await _on_category(ctx, data, press)
        return
    if conv.step == SUMMARY_STEP:
        await _on_summary(ctx, conv, data, press)
        return
    if conv.step == EDIT_STEP:
        await _on_edit(ctx, conv, data, press)
        return
    spec = FIELDS.get(conv.step)
    category = CATEGORIES.get(data.get("category", ""))
    if spec is None or category is None:
        logger.warning("conversation at unknown step %s; starting over", conv.step)
        await choose_category(ctx)
        return
    chosen = press.answers(spec.name) if press is not None else None
    if ev.kind is EventKind.BUTTON and chosen is None:
        ctx.say("intake.stale_button")
        ask(ctx, spec, category, data)
        return
    if ev.kind is EventKind.MEDIA:
        ctx.say("intake.media_unsupported")
        ask(ctx, spec, category, data)
        return
    if ev.edited:
        ctx.say("intake.edited_ignored")
        ask(ctx, spec, category, data)
        return
    if category.id not in EMERGENCY and ev.kind in (EventKind.TEXT, EventKind.PHOTO) and ev.text:
        danger = detect(ev.text)
        if danger.outcome is Outcome.NOW:
            await _retriage(ctx, conv, data, danger)
            return
    if spec.ask is Ask.LOCATION and await _location_extras(ctx, conv, data):
        return
    if ev.kind is EventKind.PHOTO and spec.ask is not Ask.PHOTOS and ev.photo:
        # a photo sent early is kept for the report, then the question is asked again
        data["answers"]["_photos"] = [*data["answers"].get("_photos", []), ev.photo][:MAX_PHOTOS]
        await _save(ctx, conv.step, data, conv)
        ctx.say("intake.photo_kept")
        ask(ctx, spec, category, data)
        return
    accepted, value = parse(ctx, spec, data, chosen)
    if not accepted:
        await _save(ctx, conv.step, data, conv)
        if not (spec.ask is Ask.PHOTOS and ev.kind is EventKind.PHOTO):
            ask(ctx, spec, category, data)  # the question again: its buttons may be lost (a restart, a long chat)
        return
    data["answers"][spec.name] = value
    await _advance(ctx, data, conv, [spec.name])


async def _location_extras(ctx: Ctx, conv: Conversation, data: dict[str, Any]) -> bool:
    """The location question's other keys: "type the address" and "call me instead" (a shared contact)."""
    ev = ctx.ev
    if ev.kind is EventKind.TEXT and is_key(ev.text, "intake.type_address_key"):
        ctx.say("intake.type_address")
        return True
    if ev.kind is EventKind.CONTACT and ev.phone:
        phone = normalise_phone(ev.phone, ctx.settings.utility.phone_region)
        if phone is None:
            ctx.say("intake.need_phone")
            return True
        data["answers"]["phone"] = phone
        await _save(ctx, conv.step, data, conv)
        await abandoned.call_me(ctx, data, conv)
        return True
    return False


async def _retriage(ctx: Ctx, conv: Conversation, data: dict[str, Any], danger: Danger) -> None:
    """Danger recognised in an answer of a service report: it becomes a leak, CO or fire report at once.

    The safety card was shown by the core (once); what was answered so far is kept, and the words
    that raised it are kept as the report's details.
    """
    text = ctx.ev.text.strip()
    new = danger_category(danger, text)
    logger.info("a %s report re-triaged as %s (danger recognised in an answer)", data["category"], new)
    data["category"], data["card_shown"] = new, True
    if danger.fire:
        data["fire"] = True
    data["answers"]["details"] = clip(ctx, text, MAX_TEXT)
    if new == "co" and danger.medical:
        data["answers"]["symptoms"] = "severe"
    if ctx.ev.kind is EventKind.PHOTO and ctx.ev.photo:
        data["answers"]["_photos"] = [*data["answers"].get("_photos", []), ctx.ev.photo][:MAX_PHOTOS]
    data["home"] = await live_ticket.home_of(ctx)
    await _chase(ctx, data, conv)
    await _advance(ctx, data, conv, ["category", "details"])


async def on_button(ctx: Ctx, press: ReportPress | None) -> None:
    """A report button: acts only on the presser's own report in progress."""
    conv = ctx.conv if ctx.conv_read else await _repo(ctx).get(ctx.ev.channel, ctx.ev.user)
    if conv is None or conv.flow != FLOW:
        ctx.say("intake.no_report_in_progress")
        return
    await on_event(ctx, conv, press)


async def _unreadable(ctx: Ctx) -> None:
    await on_button(ctx, None)  # the step's question again, as for any stale button


ROUTES = Router("intake")
ROUTES.button(BUTTON, on_button, unreadable=_unreadable)


async def _on_category(ctx: Ctx, data: dict[str, Any], press: ReportPress | None) -> None:
    ev = ctx.ev
    chosen = None
    if press is not None and press.step == "c":
        chosen = press.name
    elif ev.kind is EventKind.TEXT:
        folded = fold(ev.text)
        for cid in CATEGORIES:
            if folded in folded_key(f"category.{cid}"):
                chosen = cid
    if chosen not in CATEGORIES:
        if ev.kind is EventKind.MEDIA:
            ctx.say("intake.media_unsupported")
        await choose_category(ctx, data["answers"])
        return
    await start(ctx, str(chosen), answers=data["answers"])


async def _on_summary(ctx: Ctx, conv: Conversation, data: dict[str, Any], press: ReportPress | None) -> None:
    category = CATEGORIES[data["category"]]
    if press == ReportPress("s", "ok"):
        await submit(ctx, data)
        return
    if press == ReportPress("s", "edit"):
        await _save(ctx, EDIT_STEP, data, conv)
        buttons = [
            [Button(text=ctx.t(f"form.{spec.name}.label"), data=edit_button(spec.name))]
            for spec in answered_fields(category, data["answers"])
        ]
        buttons.append([Button(text=ctx.t("intake.back_button"), data=edit_button())])
        ctx.say("intake.edit_which", buttons=buttons)
        return
    ctx.say("intake.use_summary_buttons")
    _summary(ctx, category, data["answers"])


async def _on_edit(ctx: Ctx, conv: Conversation, data: dict[str, Any], press: ReportPress | None) -> None:
    category = CATEGORIES[data["category"]]
    name = press.name if press is not None and press.step == "e" and press.name != SKIP else None
    if name is not None and name in category.fields:
        data["answers"].pop(name, None)
        data["editing"] = True
        await _save(ctx, name, data, conv)
        ask(ctx, FIELDS[name], category, data)
        return
    await _save(ctx, SUMMARY_STEP, data, conv)
    _summary(ctx, category, data["answers"])
