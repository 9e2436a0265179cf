"""The core's messages as WeCom app messages: a text, or a template card of type ``button_interaction``
when it has buttons (each button's ``key`` is the core's payload; more than six become a dropdown with one
submit button, as a card holds at most six buttons); a group robot gets markdown (it cannot show buttons).

A card shows a title (the text's first line) and a sub-title (the rest, its last paragraph always whole): a
text longer than a card holds is sent in full as a text message before its card, so a crew never misses a line
of the report."""

from __future__ import annotations

import hashlib
from typing import Any

from common.events import Button

TITLE_CHARS = 26
SUB_TITLE_CHARS = 112
TEXT_BYTES = 2048
MAX_BUTTONS = 6
MAX_OPTIONS = 10
REPLACE_CHARS = 24
SUBMIT_KEY = "wecom:choose"  # the dropdown's submit button; the chosen option id is the payload
QUESTION_KEY = "choice"


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def sub_title(rest: str) -> str:
    """The body within a card's limit, its last paragraph (the state: "taken by ...", the question asked)
    always whole: what is cut is the middle."""
    if len(rest) <= SUB_TITLE_CHARS:
        return rest
    last = _cut(rest.rsplit("\n\n", 1)[-1].strip(), SUB_TITLE_CHARS // 2)
    room = SUB_TITLE_CHARS - len(last) - 2
    return rest[:room].rstrip() + "…\n" + last


def split(text: str) -> tuple[str, str]:
    head, _, rest = text.strip().partition("\n")
    return head.strip(), rest.strip()


def fits_card(text: str) -> bool:
    head, rest = split(text)
    return len(head) <= TITLE_CHARS and len(rest) <= SUB_TITLE_CHARS


def text_message(text: str) -> dict[str, Any]:
    encoded = text.encode()
    if len(encoded) > TEXT_BYTES:
        text = encoded[: TEXT_BYTES - 3].decode(errors="ignore") + "…"
    return {"msgtype": "text", "text": {"content": text}}


def template_card(text: str, buttons: list[list[Button]], task_id: str, *, submit_label: str) -> dict[str, Any]:
    """A ``button_interaction`` card (``buttons``: at least one)."""
    head, rest = split(text)
    flat = [button for row in buttons for button in row]
    if not flat:
        raise ValueError("a card needs a button: a text without buttons is a text message")
    card: dict[str, Any] = {
        "card_type": "button_interaction",
        "main_title": {"title": _cut(head, TITLE_CHARS)},
        "task_id": task_id,
    }
    if rest:
        card["sub_title_text"] = sub_title(rest)
    if len(flat) <= MAX_BUTTONS:
        card["button_list"] = [{"text": _cut(b.text, 10), "style": 1, "key": b.data} for b in flat]
        return card
    options = flat[:MAX_OPTIONS]
    card["button_selection"] = {
        "question_key": QUESTION_KEY,
        "option_list": [{"id": b.data, "text": _cut(b.text, 16)} for b in options],
        "selected_id": options[0].data,
    }
    card["button_list"] = [{"text": submit_label, "style": 1, "key": SUBMIT_KEY}]
    return card


def replace_name(text: str) -> str:
    """An edit that takes a card's buttons away ("taken by ...", "you declined: ..."), as WeCom shows it: the
    buttons become one that cannot be pressed, named by the edit's last paragraph."""
    return _cut(text.strip().rsplit("\n\n", 1)[-1].strip(), REPLACE_CHARS)


def payloads(buttons: list[list[Button]]) -> str:
    """A card's buttons as one comparable text."""
    return "\n".join(button.data for row in buttons for button in row)


def digest(text: str) -> str:
    """What the member was told, to compare (never the text itself)."""
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def markdown(text: str) -> dict[str, Any]:
    """For a group robot (4096 bytes at most)."""
    encoded = text.encode()
    if len(encoded) > 4000:
        text = encoded[:4000].decode(errors="ignore") + "…"
    return {"msgtype": "markdown", "markdown": {"content": text}}
