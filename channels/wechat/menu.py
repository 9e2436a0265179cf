"""The Official Account's custom menu (自定义菜单): the built-in one and the checks WeChat makes.

At most 3 buttons, each with at most 5 under it; a button's name at most 4 characters, one under it at most
7 (a Chinese character counts 1, a Latin letter or digit ½). A ``click`` button's key ``menu:<entry>`` is the
resident menu's entry (``bot.intake.menu``: what the same words typed would do); ``location_select`` opens
WeChat's location picker, whose pin arrives as a location.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

from bot.i18n import Lang, t
from bot.intake.menu import MENU_ITEMS
from bot.operator_error import OperatorError
from channels.wechat.convert import MENU_KEY
from common.jsonfast import loads

TOP_BUTTONS, SUB_BUTTONS = 3, 5
TOP_WIDTH, SUB_WIDTH = 4.0, 7.0


class MenuError(OperatorError, ValueError):
    """A menu WeChat would refuse (the reason names the button)."""


def width(name: str) -> float:
    return sum(0.5 if unicodedata.east_asian_width(ch) in ("Na", "H", "N") else 1.0 for ch in name)


def default_menu(lang: Lang = Lang.ZH) -> dict[str, Any]:
    def click(label: str, item: str) -> dict[str, str]:
        return {"type": "click", "name": t(lang, f"wechat.{label}"), "key": f"{MENU_KEY}{item}"}

    return {
        "button": [
            click("menu_smell", "smell_gas"),
            {
                "name": t(lang, "wechat.menu_repair"),
                "sub_button": [
                    click("menu_report", "report"),
                    {"type": "location_select", "name": t(lang, "wechat.menu_location"), "key": "location"},
                ],
            },
            {
                "name": t(lang, "wechat.menu_service"),
                "sub_button": [
                    click("menu_questions", "questions"),
                    click("menu_status", "status"),
                    click("menu_language", "language"),
                ],
            },
        ]
    }


def load_menu(path: Path) -> dict[str, Any]:
    """A menu in WeChat's own JSON (``{"button": [...]}``), checked."""
    try:
        menu = loads(path.read_bytes())
    except OSError as exc:
        raise MenuError("wechat.menu_unreadable", path=path, why=exc.strerror) from None
    except ValueError:
        raise MenuError("wechat.menu_not_json", path=path) from None
    if not isinstance(menu, dict):
        raise MenuError("wechat.menu_not_json", path=path)
    check_menu(menu)
    return menu


def check_menu(menu: dict[str, Any]) -> None:
    buttons = menu.get("button")
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= TOP_BUTTONS:
        raise MenuError("wechat.menu_buttons", most=TOP_BUTTONS)
    for n, button in enumerate(buttons, 1):
        if not isinstance(button, dict):
            raise MenuError("wechat.menu_not_object", where=n)
        _check(button, str(n), TOP_WIDTH)
        subs = button.get("sub_button")
        if subs is None:
            _check_action(button, str(n))
            continue
        if not isinstance(subs, list) or not 1 <= len(subs) <= SUB_BUTTONS:
            raise MenuError("wechat.menu_subs", where=n, most=SUB_BUTTONS)
        for m, sub in enumerate(subs, 1):
            if not isinstance(sub, dict):
                raise MenuError("wechat.menu_not_object", where=f"{n}.{m}")
            _check(sub, f"{n}.{m}", SUB_WIDTH)
            _check_action(sub, f"{n}.{m}")


def _check(button: dict[str, Any], where: str, most: float) -> None:
    name = button.get("name")
    if not isinstance(name, str) or not name.strip():
        raise MenuError("wechat.menu_no_name", where=where)
    if width(name) > most:
        raise MenuError("wechat.menu_too_long", where=where, name=name, most=f"{most:g}")


def _check_action(button: dict[str, Any], where: str) -> None:
    kind = button.get("type")
    if kind == "click":
        key = str(button.get("key", ""))
        if key.startswith(MENU_KEY) and key.removeprefix(MENU_KEY) not in MENU_ITEMS:
            raise MenuError(
                "wechat.menu_bad_key", where=where, key=key, keys=", ".join(MENU_KEY + i for i in MENU_ITEMS)
            )
        if not key:
            raise MenuError("wechat.menu_no_key", where=where)
    elif kind == "view":
        if not str(button.get("url", "")).startswith(("https://", "http://")):
            raise MenuError("wechat.menu_no_url", where=where)
    elif kind not in ("location_select", "scancode_push", "pic_photo_or_album", "miniprogram"):
        raise MenuError("wechat.menu_bad_type", where=where, kind=kind)
