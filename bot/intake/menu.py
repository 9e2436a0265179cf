"""The resident's persistent menu and the words that mean its entries, in every language."""

from __future__ import annotations

import unicodedata

from bot.i18n import Lang, t
from common.events import Key

MENU_ITEMS = ("smell_gas", "report", "status", "questions", "language")


def menu_keyboard(lang: Lang) -> list[list[Key]]:
    return [
        [Key(text=t(lang, "menu.smell_gas"))],
        [Key(text=t(lang, "menu.report")), Key(text=t(lang, "menu.status"))],
        [Key(text=t(lang, "menu.questions")), Key(text=t(lang, "menu.language"))],
    ]


def fold(text: str) -> str:
    """Compare typed text loosely: width, case, emoji and spaces do not matter."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in text if ch.isalnum())


def menu_item(text: str) -> str | None:
    """Which menu entry this text is (the button's label in any language), if any."""
    folded = fold(text)
    if not folded:
        return None
    for item in MENU_ITEMS:
        for lang in Lang:
            if fold(t(lang, f"menu.{item}")) == folded:
                return item
    return None
