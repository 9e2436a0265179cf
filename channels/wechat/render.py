"""The core's replies as WeChat can show them: text only, buttons and keys as numbered choices.

WeChat has no inline keyboards and no edits. A button (or a reply-keyboard key) becomes a numbered line the
resident answers with the number or the words; the resident's menu keys are left out (the account's custom
menu holds them); a "share location" key becomes a hint ("+ → 位置"), a "share contact" key "reply with your
number". An edit is sent as a new message only when it brings choices the resident must answer (an edit
that only takes buttons away, or marks a choice as made, would be noise); a toast (``Answer``) is not sent.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from bot.i18n import Lang, t
from bot.intake.menu import fold, menu_item
from common.events import Answer, Button, Edit, Key, Location, Outbound, Photo, Text

BUTTON, KEY, CONTACT = "b", "k", "c"  # CONTACT: not numbered; a phone number typed now is the shared contact
MAX_TEXT_BYTES = 2000  # a customer-service or passive text message holds at most 2,048 bytes


@dataclass(frozen=True)
class Rendered:
    text: str
    choices: list[list[str]] = field(default_factory=list)  # [kind, value, label], numbered from 1


def render(message: Outbound, lang: Lang) -> Rendered | None:
    """What the resident sees for ``message`` (None: nothing is sent on WeChat)."""
    if isinstance(message, Answer):
        return None
    if isinstance(message, Edit):
        return _choices(message.text, message.buttons, None, lang) if message.buttons else None
    if isinstance(message, Text):
        return _choices(message.text, message.buttons, message.keyboard, lang)
    if isinstance(message, Location):
        place = " ".join(part for part in (message.title, message.address) if part)
        return Rendered(_join(place, t(lang, "wechat.place", lat=message.latitude, lon=message.longitude)))
    if isinstance(message, Photo):
        return Rendered(message.caption or t(lang, "wechat.photo"))
    return None


def _choices(text: str, buttons: list[list[Button]], keyboard: list[list[Key]] | None, lang: Lang) -> Rendered:
    choices = [[BUTTON, b.data, b.text] for row in buttons for b in row]
    hints: list[str] = []
    contact: list[list[str]] = []
    for key in (k for row in keyboard or [] for k in row):
        if key.location:
            hints.append(t(lang, "wechat.location_hint", key=key.text))
        elif key.contact:
            hints.append(t(lang, "wechat.contact_hint", key=key.text))
            contact = [[CONTACT, "", key.text]]
        elif menu_item(key.text) is None:
            choices.append([KEY, key.text, key.text])
    lines = [f"{n}. {label}" for n, (_, _, label) in enumerate(choices, 1)]
    body = _join(text, *hints, *([t(lang, "wechat.choose"), *lines] if lines else []))
    return Rendered(body, choices + contact)


def parts(message: Outbound, lang: Lang) -> list[Outbound]:
    """``message`` as WeChat can carry it: a text too long for one message (2,048 bytes) goes as plain texts
    first, cut at line ends, and its last part keeps the buttons (so the numbers come last, as on Telegram)."""
    shown = render(message, lang)
    if shown is None or not isinstance(message, Text) or len(shown.text.encode("utf-8")) <= MAX_TEXT_BYTES:
        return [message]
    head, tail = _cut(message.text, MAX_TEXT_BYTES)
    if not head:
        return [message]  # nothing fits before the choices: cut short (``fit``)
    first = Text(chat=message.chat, text=head, priority=message.priority)
    return [first, *parts(message.model_copy(update={"text": tail}), lang)]


def _cut(text: str, limit: int) -> tuple[str, str]:
    """The longest head of ``text`` within ``limit`` bytes ending at a line end (inside a line only when the
    first line alone is longer), and the rest."""
    lines, size, taken = text.split("\n"), 0, 0
    for line in lines:
        width = len(line.encode("utf-8")) + (1 if taken else 0)
        if size + width > limit:
            break
        size, taken = size + width, taken + 1
    if taken == len(lines):
        return text, ""
    if taken == 0:
        head = text.encode("utf-8")[:limit].decode("utf-8", errors="ignore")
        return head, text[len(head) :]
    return "\n".join(lines[:taken]), "\n".join(lines[taken:])


def _join(*parts: str) -> str:
    return "\n".join(part for part in parts if part)


def fit(text: str) -> str:
    """At most ``MAX_TEXT_BYTES`` of UTF-8, cut at a character."""
    data = text.encode("utf-8")
    if len(data) <= MAX_TEXT_BYTES:
        return text
    return data[: MAX_TEXT_BYTES - 3].decode("utf-8", errors="ignore") + "…"


def resolve(text: str, choices: list[list[str]]) -> list[str] | None:
    """The choice a reply means: its number ("2", "２", "2.") or its words; None if it is neither."""
    choices = [choice for choice in choices if choice[0] != CONTACT]
    typed = unicodedata.normalize("NFKC", text).strip().rstrip(".、)）")
    if typed.isdigit():
        index = int(typed) - 1
        return choices[index] if 0 <= index < len(choices) else None
    folded = fold(text)
    if not folded:
        return None
    for choice in choices:
        if fold(choice[2]) == folded:
            return choice
    return None


def asks_contact(choices: list[list[str]]) -> bool:
    """The message shown last asked for a phone number the way Telegram's "share contact" key does."""
    return any(choice[0] == CONTACT for choice in choices)
