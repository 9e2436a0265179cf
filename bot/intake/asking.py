"""Asking a report's questions and reading the answers (the intake conversation's input and output).

``ask`` renders a field's question with its buttons or keyboard; ``parse`` reads the resident's event
as the answer to the current field, or says why it cannot (the caller asks again). The location
question of an emergency offers one-tap keys: share the location, "I am at home: <the address of my
last report>", type the address, and "call me instead" (share the contact). When a danger text starts a
report, that question rides on the safety card itself, after its advice (``ask_on_card``): the resident is
asked where at the moment the card arrives, not after every other resident's card in a surge.
"""

from __future__ import annotations

from typing import Any

from bot.context import Ctx
from bot.danger.detect import detect
from bot.i18n import Lang
from bot.i18n import t as translate
from bot.intake.area import in_service_area
from bot.intake.buttons import SKIP, field_button
from bot.intake.forms import Ask, Category, Field
from bot.intake.menu import fold, folded_key
from bot.people.phone import letters_in_number, normalise_phone
from common.events import Button, EventKind, Key, Priority, Text

MAX_TEXT = 1000
MAX_ADDRESS = 300
MAX_PHOTOS = 10
MAX_SAID = 500


def outside(ctx: Ctx, lat: float, lon: float) -> bool:
    """A pin outside the service area: say so (with the hotline) and do not keep it."""
    if in_service_area(ctx.settings.intake, lat, lon):
        return False
    ctx.say("intake.outside_area", priority=Priority.EMERGENCY)
    return True


def home_key(lang: Lang, home: dict[str, Any]) -> str:
    return translate(lang, "intake.home_key", address=str(home.get("address") or "")[:60])


def is_key(text: str, key: str) -> bool:
    """The text of a reply-keyboard key, in any language."""
    folded = fold(text)
    return bool(folded) and folded in folded_key(key)


def location_keys(lang: Lang, data: dict[str, Any] | None, *, chase: bool = False) -> list[list[Key]]:
    """The location question's keys: share, "at home" (with the stored address), type it, call me."""
    keys = [[Key(text=translate(lang, "intake.share_location"), location=True)]]
    home = (data or {}).get("home")
    if home:
        keys.append([Key(text=home_key(lang, home))])
    if chase or (data or {}).get("card_shown"):
        keys.append([Key(text=translate(lang, "intake.type_address_key"))])
        keys.append([Key(text=translate(lang, "intake.call_me_key"), contact=True)])
    keys.append([Key(text=translate(lang, "intake.cancel_key"))])
    return keys


def ask_on_card(ctx: Ctx, card: Text, home: dict[str, Any] | None) -> Text:
    """The safety card with the location question after its advice and the question's keys (``home``: the
    resident's last typed address); this update's ``ask`` then leaves the question out."""
    ctx.card_asked_where = True
    text = f"{card.text}\n\n{ctx.t('form.location.ask')}"
    keys = location_keys(ctx.lang, {"home": home, "card_shown": True})
    return card.model_copy(update={"text": text, "keyboard": keys})


def ask(ctx: Ctx, spec: Field, category: Category, data: dict[str, Any] | None = None) -> None:
    key = f"form.{spec.name}.ask"
    skip = [Button(text=ctx.t("intake.skip_button"), data=field_button(spec.name))]
    if spec.ask is Ask.LOCATION:
        if not ctx.card_asked_where:  # else the safety card asked it
            ctx.say(key, keyboard=location_keys(ctx.lang, data))
    elif spec.ask is Ask.PHONE:
        keyboard = [
            [Key(text=ctx.t("intake.share_contact"), contact=True)],
            [Key(text=ctx.t("intake.cancel_key"))],
        ]
        ctx.say(key, keyboard=keyboard, buttons=[skip] if spec.optional else None)
    elif spec.ask is Ask.CHOICE:
        buttons = [
            [Button(text=ctx.t(f"form.{spec.name}.{opt}"), data=field_button(spec.name, opt))] for opt in spec.options
        ]
        ctx.say(key, buttons=buttons)
    elif spec.ask is Ask.PHOTOS:
        ctx.say(key, buttons=[[Button(text=ctx.t("intake.photos_done"), data=field_button(spec.name))]])
    else:
        ctx.say(key, buttons=[skip] if spec.optional else None)


def _choice_from_text(spec: Field, text: str) -> str | None:
    folded = fold(text)
    if not folded:
        return None
    for number, opt in enumerate(spec.options, start=1):
        if folded == str(number):
            return opt
        if folded in folded_key(f"form.{spec.name}.{opt}"):
            return opt
    return None


def clip(ctx: Ctx, text: str, limit: int) -> str:
    """Keep what fits and say so (a very long message is not refused)."""
    if len(text) <= limit:
        return text
    ctx.say("intake.text_shortened", limit=limit)
    return text[:limit]


def _location(ctx: Ctx, data: dict[str, Any]) -> tuple[bool, Any]:
    ev = ctx.ev
    if ev.kind is EventKind.LOCATION and ev.latitude is not None and ev.longitude is not None:
        if outside(ctx, ev.latitude, ev.longitude):
            return False, None
        return True, {"lat": ev.latitude, "lon": ev.longitude}
    home = data.get("home")
    if ev.kind is EventKind.TEXT and home and any(fold(home_key(lang, home)) == fold(ev.text) for lang in Lang):
        return True, {k: v for k, v in home.items() if v is not None}
    if ev.kind is EventKind.TEXT and len(fold(ev.text)) >= 2:
        if not detect(ev.text).any:
            return True, {"address": clip(ctx, ev.text.strip(), MAX_ADDRESS)}
        # a danger message again ("it smells very strong now") is not an address: kept for the desk
        # (what the resident said so far), and the place is asked for again
        said = " / ".join(part for part in (str(data.get("said") or ""), ev.text.strip()) if part)
        data["said"] = said[-MAX_SAID:]
    ctx.say("intake.need_location")
    return False, None


def parse(ctx: Ctx, spec: Field, data: dict[str, Any], chosen: str | None = None) -> tuple[bool, Any]:
    """(accepted, value) for the current question, ``chosen`` the option its button gave (``SKIP``: skipped);
    a refusal has already said why (the caller asks again)."""
    ev = ctx.ev
    button_skip = chosen == SKIP
    if spec.ask is Ask.LOCATION:
        return _location(ctx, data)
    if spec.ask is Ask.PHONE:
        if spec.optional and button_skip:
            return True, None
        raw = ev.phone if ev.kind is EventKind.CONTACT else ev.text if ev.kind is EventKind.TEXT else None
        phone = normalise_phone(raw, ctx.settings.utility.phone_region) if raw else None
        if phone is None:
            ctx.say("intake.phone_letters" if raw and letters_in_number(raw) else "intake.need_phone")
            return False, None
        return True, phone
    if spec.ask is Ask.CHOICE:
        if chosen is not None:
            if chosen in spec.options:
                return True, chosen
        elif ev.kind is EventKind.TEXT and (typed := _choice_from_text(spec, ev.text)):
            return True, typed
        ctx.say("intake.need_choice")
        return False, None
    if spec.ask is Ask.PHOTOS:
        photos = list(data["answers"].get("_photos", []))
        if ev.kind is EventKind.PHOTO and ev.photo:
            if len(photos) < MAX_PHOTOS:
                photos.append(ev.photo)
            data["answers"]["_photos"] = photos
            ctx.say(
                "intake.photo_received",
                count=len(photos),
                buttons=[[Button(text=ctx.t("intake.photos_done"), data=field_button(spec.name))]],
            )
            return False, None
        if button_skip or (ev.kind is EventKind.TEXT and ev.text.strip()):
            data["answers"].pop("_photos", None)
            return True, photos or None
        ctx.say("intake.need_photo")
        return False, None
    if spec.optional and button_skip:
        return True, None
    if ev.kind is EventKind.TEXT and fold(ev.text):
        return True, clip(ctx, ev.text.strip(), MAX_TEXT)
    ctx.say("intake.need_text")
    return False, None
