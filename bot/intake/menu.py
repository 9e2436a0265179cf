"""The resident's persistent menu and the words that mean its entries, in every language."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from bot.i18n import Lang, t
from common.events import Key

MENU_ITEMS = ("smell_gas", "report", "status", "questions", "language")
_NOT_ALNUM = re.compile(r"[\W_]+")  # exactly the characters str.isalnum() refuses (tests/bot/intake/test_menu.py)


def menu_keyboard(lang: Lang) -> list[list[Key]]:
    return [
        [Key(text=t(lang, "menu.smell_gas"))],
        [Key(text=t(lang, "menu.report")), Key(text=t(lang, "menu.status"))],
        [Key(text=t(lang, "menu.questions")), Key(text=t(lang, "menu.language"))],
    ]


def fold(text: str) -> str:
    """Compare typed text loosely: width, case, emoji and spaces do not matter."""
    return _NOT_ALNUM.sub("", unicodedata.normalize("NFKC", text).casefold())


@cache
def folded_key(key: str) -> frozenset[str]:
    """The folded text of the catalog's ``key`` in every language (the catalogs do not change while the bot
    runs): what a typed text is compared with, folded once instead of at every message."""
    return frozenset(fold(t(lang, key)) for lang in Lang)


@cache
def _menu_words() -> dict[str, str]:
    """Folded label -> menu entry; the first entry in ``MENU_ITEMS`` order wins a label two would share."""
    words: dict[str, str] = {}
    for item in MENU_ITEMS:
        for lang in Lang:
            words.setdefault(fold(t(lang, f"menu.{item}")), item)
    return words


def menu_item(text: str) -> str | None:
    """Which menu entry this text is (the button's label in any language), if any."""
    folded = fold(text)
    if not folded:
        return None
    return _menu_words().get(folded)
