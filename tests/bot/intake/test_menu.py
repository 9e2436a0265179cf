"""Typed words matched loosely against the catalogs: ``fold`` and the folded catalog texts it is compared with
(computed once) give the same answers as folding each catalog text at every message."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from bot.i18n import Lang, catalog, t
from bot.intake.menu import MENU_ITEMS, fold, folded_key, menu_item


def fold_by_char(text: str) -> str:
    """``fold`` as first written: every character that is not alphanumeric dropped, one at a time."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).casefold() if ch.isalnum())


def menu_item_by_folding_each(text: str) -> str | None:
    folded = fold_by_char(text)
    if not folded:
        return None
    for item in MENU_ITEMS:
        for lang in Lang:
            if fold_by_char(t(lang, f"menu.{item}")) == folded:
                return item
    return None


CATALOG_TEXTS = sorted({text for lang in Lang for text in catalog(lang).values()})
TYPED = st.one_of(
    st.text(max_size=40),
    st.sampled_from(CATALOG_TEXTS),
    st.sampled_from(CATALOG_TEXTS).map(lambda text: f"  {text.upper()}!! "),
    st.sampled_from(CATALOG_TEXTS).map(lambda text: unicodedata.normalize("NFKD", text) + "_🔥"),
)


@given(TYPED)
def test_fold_drops_exactly_what_is_not_alphanumeric(text: str) -> None:
    assert fold(text) == fold_by_char(text)


def test_fold_on_every_catalog_text_and_odd_characters() -> None:
    odd = "a_b-c d\u00a0e\u200bf\u0301g１２３Ⅻ㊿\u3000你好，世界！🙂\U000e0001"
    for text in [*CATALOG_TEXTS, odd]:
        assert fold(text) == fold_by_char(text)


@given(TYPED)
def test_menu_item_answers_as_folding_each_label(text: str) -> None:
    assert menu_item(text) == menu_item_by_folding_each(text)


def test_every_menu_label_in_every_language_is_its_entry() -> None:
    for item in MENU_ITEMS:
        for lang in Lang:
            label = t(lang, f"menu.{item}")
            assert menu_item(label) == item
            assert menu_item(f" {label.upper()} ") == item
    assert menu_item("") is None
    assert menu_item("🔥 !!") is None
    assert menu_item("there is a smell of gas in my kitchen") is None


def test_folded_key_is_each_language_folded() -> None:
    for key in catalog(Lang.EN):
        assert folded_key(key) == {fold_by_char(t(lang, key)) for lang in Lang}
