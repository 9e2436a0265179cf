"""``reply_markup`` validation like Telegram's: inline keyboards (attached to the message), reply
keyboards (shown to the chat until removed), ReplyKeyboardRemove and ForceReply."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sandbox.errors import bad_request

JSON = dict[str, Any]

_INLINE_ACTIONS = (
    "callback_data",
    "url",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "callback_game",
    "pay",
    "web_app",
    "copy_text",
)
_REPLY_BUTTON_KEYS = frozenset(
    {
        "text",
        "request_location",
        "request_contact",
        "request_poll",
        "request_users",
        "request_chat",
        "web_app",
        "request_user",
    }
)


@dataclass(frozen=True, slots=True)
class Markup:
    """What a ``reply_markup`` does: ``inline`` goes on the message; ``keyboard_change`` says what the
    chat's reply keyboard becomes (``KEEP`` when unchanged, None when removed)."""

    raw: JSON | None
    inline: JSON | None
    keyboard_change: JSON | None | str


KEEP = "keep"
NO_MARKUP = Markup(None, None, KEEP)


def parse_markup(value: Any, *, inline_only: bool = False) -> Markup:
    if value is None:
        return NO_MARKUP
    if not isinstance(value, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in value:
        return Markup(value, _inline(value["inline_keyboard"]), KEEP)
    if inline_only:
        raise bad_request("inline keyboard expected")
    if "keyboard" in value:
        return Markup(value, None, {**value, "keyboard": _reply_rows(value["keyboard"])})
    if value.get("remove_keyboard") is True:
        return Markup(value, None, None)
    if value.get("force_reply") is True:
        return Markup(value, None, KEEP)
    raise bad_request("can't parse reply keyboard markup JSON object")


def _rows(rows: Any, what: str) -> list[list[Any]]:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(f'can\'t parse {what}: field "keyboard" must be an Array of Arrays')
    return rows


def _inline(rows: Any) -> JSON:
    checked: list[list[JSON]] = []
    for row in _rows(rows, "inline keyboard button"):
        out_row = []
        for button in row:
            if not isinstance(button, dict) or not isinstance(button.get("text"), str) or not button["text"]:
                raise bad_request(
                    "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
                )
            if not any(key in button for key in _INLINE_ACTIONS):
                raise bad_request(
                    "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
                )
            data = button.get("callback_data")
            if data is not None and (not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64):
                raise bad_request("BUTTON_DATA_INVALID")
            out_row.append(dict(button))
        checked.append(out_row)
    return {"inline_keyboard": checked}


def _reply_rows(rows: Any) -> list[list[JSON]]:
    checked: list[list[JSON]] = []
    for row in _rows(rows, "keyboard button"):
        out_row = []
        for button in row:
            normalized = {"text": button} if isinstance(button, str) else button
            if not isinstance(normalized, dict) or not isinstance(normalized.get("text"), str):
                raise bad_request("can't parse keyboard button: KeyboardButton must be a String or an Object")
            unknown = set(normalized) - _REPLY_BUTTON_KEYS
            if unknown:
                raise bad_request(f"can't parse keyboard button: unknown field {sorted(unknown)[0]}")
            out_row.append(normalized)
        checked.append(out_row)
    if not any(checked):
        raise bad_request("keyboard must be non-empty")
    return checked
