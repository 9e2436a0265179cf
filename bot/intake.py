"""The resident's report conversation: category, the category's questions, summary, confirm.

State lives in the ``conversations`` table (flow ``intake``), so a restart resumes at the same step.
The ticket is committed in the same transaction that clears the conversation, and only then is the
resident told its number.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from bot import abandoned, dispatch, duplicates
from bot.area import in_service_area
from bot.context import Ctx
from bot.events import Button, Key, Kind, Priority, Text
from bot.forms import CATEGORIES, FIELDS, Ask, Category, Field, Severity, answered_fields, next_field
from bot.i18n import Lang
from bot.i18n import t as translate
from bot.menu import fold, menu_keyboard
from bot.phone import letters_in_number, normalise_phone
from bot.render import answer_lines
from bot.triage import routing, triage
from storage.conversations import Conversation, ConversationsRepo
from storage.tickets import TicketsRepo

logger = logging.getLogger(__name__)

FLOW = "intake"
MAX_TEXT = 1000
MAX_ADDRESS = 300
MAX_PHOTOS = 10
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
    if ev.kind is Kind.LOCATION and ev.latitude is not None and ev.longitude is not None:
        if _outside(ctx, ev.latitude, ev.longitude):
            answers.pop("location", None)
            return answers
        answers["location"] = {"lat": ev.latitude, "lon": ev.longitude}
    elif ev.kind is Kind.PHOTO and ev.photo:
        answers["_photos"] = [*answers.get("_photos", []), ev.photo][:MAX_PHOTOS]
    elif ev.kind is Kind.CONTACT and ev.phone:
        phone = normalise_phone(ev.phone, ctx.settings.utility.phone_region)
        if phone:
            answers["phone"] = phone
    return answers


def _outside(ctx: Ctx, lat: float, lon: float) -> bool:
    """A pin outside the service area: say so (with the hotline) and do not keep it."""
    if in_service_area(ctx.settings.intake, lat, lon):
        return False
    ctx.say("intake.outside_area", priority=Priority.EMERGENCY)
    return True


async def choose_category(ctx: Ctx, answers: dict[str, Any] | None = None) -> None:
    """Offer every category as a button (the /report command and the menu's "report a problem")."""
    answers = _carried(ctx, dict(answers or {}))
    await _save(ctx, CATEGORY_STEP, {"answers": answers})
    buttons = [[Button(text=ctx.t(f"category.{cid}"), data=f"i:c:{cid}")] for cid in CATEGORIES]
    buttons.append([Button(text=ctx.t("intake.cancel_button"), data="i:s:cancel")])
    ctx.say("intake.choose_category", buttons=buttons)


async def start(ctx: Ctx, category: str, *, answers: dict[str, Any] | None = None, **flags: Any) -> None:
    data = {"category": category, "answers": answers or {}, **flags}
    conv = await _repo(ctx).get(ctx.ev.channel, ctx.ev.user)
    current = conv if conv and conv.flow == FLOW else None
    if category in abandoned.EMERGENCY:
        await abandoned.arm(
            ctx.tx,
            channel=ctx.ev.channel,
            user=ctx.ev.user,
            chat=ctx.ev.chat,
            started=current.started_at if current else ctx.now,
            due=ctx.now + timedelta(seconds=ctx.settings.intake.abandoned_after_s),
        )
    await _advance(ctx, data, current)


async def cancel(ctx: Ctx) -> None:
    await _repo(ctx).clear(ctx.ev.channel, ctx.ev.user)
    await abandoned.cancel(ctx.tx, channel=ctx.ev.channel, user=ctx.ev.user)
    ctx.say("intake.cancelled", keyboard=menu_keyboard(ctx.lang))


async def _advance(ctx: Ctx, data: dict[str, Any], conv: Conversation | None) -> None:
    category = CATEGORIES[data["category"]]
    nxt = None if data.pop("editing", False) else next_field(category, data["answers"])
    if nxt is None:
        await _save(ctx, SUMMARY_STEP, data, conv)
        _summary(ctx, category, data["answers"])
        return
    await _save(ctx, nxt.name, data, conv)
    ask(ctx, nxt, category)


def ask(ctx: Ctx, spec: Field, category: Category) -> None:
    key = f"form.{spec.name}.ask"
    skip = [Button(text=ctx.t("intake.skip_button"), data=f"i:f:{spec.name}:-")]
    if spec.ask is Ask.LOCATION:
        keyboard = [
            [Key(text=ctx.t("intake.share_location"), location=True)],
            [Key(text=ctx.t("intake.cancel_key"))],
        ]
        ctx.say(key, keyboard=keyboard)
    elif spec.ask is Ask.PHONE:
        keyboard = [
            [Key(text=ctx.t("intake.share_contact"), contact=True)],
            [Key(text=ctx.t("intake.cancel_key"))],
        ]
        ctx.say(key, keyboard=keyboard, buttons=[skip] if spec.optional else None)
    elif spec.ask is Ask.CHOICE:
        buttons = [
            [Button(text=ctx.t(f"form.{spec.name}.{opt}"), data=f"i:f:{spec.name}:{opt}")] for opt in spec.options
        ]
        ctx.say(key, buttons=buttons)
    elif spec.ask is Ask.PHOTOS:
        ctx.say(key, buttons=[[Button(text=ctx.t("intake.photos_done"), data=f"i:f:{spec.name}:-")]])
    else:
        ctx.say(key, buttons=[skip] if spec.optional else None)


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
        [Button(text=ctx.t("intake.confirm_button"), data="i:s:ok")],
        [
            Button(text=ctx.t("intake.edit_button"), data="i:s:edit"),
            Button(text=ctx.t("intake.cancel_button"), data="i:s:cancel"),
        ],
    ]
    ctx.say_text(text, buttons=buttons, remove_keyboard=False)


def _choice_from_text(ctx: Ctx, spec: Field, text: str) -> str | None:
    folded = fold(text)
    if not folded:
        return None
    for number, opt in enumerate(spec.options, start=1):
        if folded == str(number):
            return opt
        if any(fold(translate(lang, f"form.{spec.name}.{opt}")) == folded for lang in Lang):
            return opt
    return None


def _clip(ctx: Ctx, text: str, limit: int) -> str:
    """Keep what fits and say so (a very long message is not refused)."""
    if len(text) <= limit:
        return text
    ctx.say("intake.text_shortened", limit=limit)
    return text[:limit]


def _parse(ctx: Ctx, spec: Field, data: dict[str, Any]) -> tuple[bool, Any]:
    """(accepted, value) for the current question; a refusal has already said why (the caller asks again)."""
    ev = ctx.ev
    button_skip = ev.kind is Kind.BUTTON and ev.data == f"i:f:{spec.name}:-"
    if spec.ask is Ask.LOCATION:
        if ev.kind is Kind.LOCATION and ev.latitude is not None and ev.longitude is not None:
            if _outside(ctx, ev.latitude, ev.longitude):
                return False, None
            return True, {"lat": ev.latitude, "lon": ev.longitude}
        if ev.kind is Kind.TEXT and len(fold(ev.text)) >= 2:
            return True, {"address": _clip(ctx, ev.text.strip(), MAX_ADDRESS)}
        ctx.say("intake.need_location")
        return False, None
    if spec.ask is Ask.PHONE:
        if spec.optional and button_skip:
            return True, None
        raw = ev.phone if ev.kind is Kind.CONTACT else ev.text if ev.kind is Kind.TEXT else None
        phone = normalise_phone(raw, ctx.settings.utility.phone_region) if raw else None
        if phone is None:
            ctx.say("intake.phone_letters" if raw and letters_in_number(raw) else "intake.need_phone")
            return False, None
        return True, phone
    if spec.ask is Ask.CHOICE:
        if ev.kind is Kind.BUTTON and ev.data and ev.data.startswith(f"i:f:{spec.name}:"):
            opt = ev.data.rsplit(":", 1)[1]
            if opt in spec.options:
                return True, opt
        elif ev.kind is Kind.TEXT and (typed := _choice_from_text(ctx, spec, ev.text)):
            return True, typed
        ctx.say("intake.need_choice")
        return False, None
    if spec.ask is Ask.PHOTOS:
        photos = list(data["answers"].get("_photos", []))
        if ev.kind is Kind.PHOTO and ev.photo:
            if len(photos) < MAX_PHOTOS:
                photos.append(ev.photo)
            data["answers"]["_photos"] = photos
            ctx.say(
                "intake.photo_received",
                count=len(photos),
                buttons=[[Button(text=ctx.t("intake.photos_done"), data=f"i:f:{spec.name}:-")]],
            )
            return False, None
        if button_skip or (ev.kind is Kind.TEXT and ev.text.strip()):
            data["answers"].pop("_photos", None)
            return True, photos or None
        ctx.say("intake.need_photo")
        return False, None
    if spec.optional and button_skip:
        return True, None
    if ev.kind is Kind.TEXT and fold(ev.text):
        return True, _clip(ctx, ev.text.strip(), MAX_TEXT)
    ctx.say("intake.need_text")
    return False, None


async def on_event(ctx: Ctx, conv: Conversation) -> None:
    """An event while a report is in progress."""
    data = dict(conv.data)
    data["answers"] = dict(data.get("answers", {}))
    ev = ctx.ev
    if ev.kind is Kind.BUTTON and ev.data == "i:s:cancel":
        await cancel(ctx)
        return
    if conv.step == CATEGORY_STEP:
        await _on_category(ctx, conv, data)
        return
    if conv.step == SUMMARY_STEP:
        await _on_summary(ctx, conv, data)
        return
    if conv.step == EDIT_STEP:
        await _on_edit(ctx, conv, data)
        return
    spec = FIELDS.get(conv.step)
    category = CATEGORIES.get(data.get("category", ""))
    if spec is None or category is None:
        logger.warning("conversation at unknown step %s; starting over", conv.step)
        await choose_category(ctx)
        return
    if ev.kind is Kind.BUTTON and not (ev.data or "").startswith(f"i:f:{spec.name}:"):
        ctx.say("intake.stale_button")
        ask(ctx, spec, category)
        return
    if ev.kind is Kind.MEDIA:
        ctx.say("intake.media_unsupported")
        ask(ctx, spec, category)
        return
    if ev.edited:
        ctx.say("intake.edited_ignored")
        ask(ctx, spec, category)
        return
    if ev.kind is Kind.PHOTO and spec.ask is not Ask.PHOTOS and ev.photo:
        # a photo sent early is kept for the report, then the question is asked again
        data["answers"]["_photos"] = [*data["answers"].get("_photos", []), ev.photo][:MAX_PHOTOS]
        await _save(ctx, conv.step, data, conv)
        ctx.say("intake.photo_kept")
        ask(ctx, spec, category)
        return
    accepted, value = _parse(ctx, spec, data)
    if not accepted:
        await _save(ctx, conv.step, data, conv)
        if not (spec.ask is Ask.PHOTOS and ev.kind is Kind.PHOTO):
            ask(ctx, spec, category)  # the question again: its buttons may be lost (a restart, a long chat)
        return
    data["answers"][spec.name] = value
    await _advance(ctx, data, conv)


async def on_button(ctx: Ctx) -> None:
    """A report button: acts only on the presser's own report in progress."""
    conv = ctx.conv if ctx.conv_read else await _repo(ctx).get(ctx.ev.channel, ctx.ev.user)
    if conv is None or conv.flow != FLOW:
        ctx.say("intake.no_report_in_progress")
        return
    await on_event(ctx, conv)


BUTTONS = {"i:": on_button}


async def _on_category(ctx: Ctx, conv: Conversation, data: dict[str, Any]) -> None:
    ev = ctx.ev
    chosen = None
    if ev.kind is Kind.BUTTON and ev.data and ev.data.startswith("i:c:"):
        chosen = ev.data[4:]
    elif ev.kind is Kind.TEXT:
        folded = fold(ev.text)
        for cid in CATEGORIES:
            if any(fold(translate(lang, f"category.{cid}")) == folded for lang in Lang):
                chosen = cid
    if chosen not in CATEGORIES:
        if ev.kind is Kind.MEDIA:
            ctx.say("intake.media_unsupported")
        await choose_category(ctx, data["answers"])
        return
    await start(ctx, str(chosen), answers=data["answers"])


async def _on_summary(ctx: Ctx, conv: Conversation, data: dict[str, Any]) -> None:
    ev = ctx.ev
    category = CATEGORIES[data["category"]]
    if ev.kind is Kind.BUTTON and ev.data == "i:s:ok":
        await submit(ctx, data)
        return
    if ev.kind is Kind.BUTTON and ev.data == "i:s:edit":
        await _save(ctx, EDIT_STEP, data, conv)
        buttons = [
            [Button(text=ctx.t(f"form.{spec.name}.label"), data=f"i:e:{spec.name}")]
            for spec in answered_fields(category, data["answers"])
        ]
        buttons.append([Button(text=ctx.t("intake.back_button"), data="i:e:-")])
        ctx.say("intake.edit_which", buttons=buttons)
        return
    ctx.say("intake.use_summary_buttons")
    _summary(ctx, category, data["answers"])


async def _on_edit(ctx: Ctx, conv: Conversation, data: dict[str, Any]) -> None:
    ev = ctx.ev
    category = CATEGORIES[data["category"]]
    name = ev.data[4:] if ev.kind is Kind.BUTTON and ev.data and ev.data.startswith("i:e:") else None
    if name in category.fields:
        data["answers"].pop(name, None)
        data["editing"] = True
        await _save(ctx, name, data, conv)
        ask(ctx, FIELDS[name], category)
        return
    await _save(ctx, SUMMARY_STEP, data, conv)
    _summary(ctx, category, data["answers"])


async def submit(ctx: Ctx, data: dict[str, Any]) -> int:
    """Commit the ticket (and its dispatch) in this transaction; the reply carries its number.

    A report from a resident who has an open ticket of the same kind is added to that ticket instead
    (never more urgent ones); a report near an open P1 is marked as probably the same incident.
    Returns the ticket's number (the open ticket's when the report was added to it).
    """
    category = CATEGORIES[data["category"]]
    answers = dict(data["answers"])
    if early := answers.pop("_photos", None):
        answers["photos"] = [*(answers.get("photos") or []), *early][:MAX_PHOTOS]
    severity = triage(category.id, answers, fire=bool(data.get("fire")))
    earlier = await duplicates.open_ticket_of(ctx)
    if earlier is not None and duplicates.should_attach(earlier, category.id, severity):
        await duplicates.attach(ctx, earlier, category.id, answers)
        await _finish(ctx)
        ctx.say("duplicates.attached", ticket=earlier.id, keyboard=menu_keyboard(ctx.lang))
        return earlier.id
    location = answers.get("location") or {}
    address = location.get("address") or answers.get("address")
    phone = answers.get("phone") or answers.get("phone_optional")
    ticket_id = await TicketsRepo(ctx.tx).create(
        resident_id=ctx.person.id,
        channel=ctx.ev.channel,
        chat=ctx.ev.chat,
        lang=ctx.lang.value,
        category=category.id,
        severity=severity.value,
        status=routing(severity),
        address=address,
        latitude=location.get("lat"),
        longitude=location.get("lon"),
        phone=phone,
        details={k: v for k, v in answers.items() if k not in ("location", "phone", "phone_optional")},
        now=ctx.now,
    )
    await _finish(ctx)
    # The resident's receipt is durable too: if the channel fails now, it arrives after a restart.
    receipt = Text(
        chat=ctx.ev.chat,
        text=ctx.t(str(data.get("receipt") or f"intake.received_{severity.value.lower()}"), ticket=ticket_id),
        keyboard=menu_keyboard(ctx.lang),
        priority=Priority.EMERGENCY if severity is Severity.P1 else Priority.DISPATCH,
    )
    await dispatch.queue(ctx, receipt, ticket_id=ticket_id, purpose="receipt", recipient_id=ctx.person.id)
    if earlier is not None:
        await duplicates.link_follows(ctx, ticket_id, earlier)
    await duplicates.mark_probable_same(ctx, ticket_id)
    await dispatch.route_new(ctx, ticket_id)
    return ticket_id


async def _finish(ctx: Ctx) -> None:
    await _repo(ctx).clear(ctx.ev.channel, ctx.ev.user)
    await abandoned.cancel(ctx.tx, channel=ctx.ev.channel, user=ctx.ev.user)
