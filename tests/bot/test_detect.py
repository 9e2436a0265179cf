"""Danger detection against a corpus of real phrasings, and the safety cards it leads to.

The corpus lives in ``tests/bot/corpus/*.txt`` (one message a line, ``#`` comments); every phrase is its
own test case, so a failure names the phrase.
"""

from __future__ import annotations

import dataclasses
import re
import string
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.detect import Danger, detect, normalize
from bot.i18n import Lang, catalog, t

CORPUS = Path(__file__).parent / "corpus"


def phrases(name: str) -> list[str]:
    lines = (CORPUS / name).read_text("utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


DANGER_FILES = {
    "danger_gas.txt": "gas",
    "danger_co.txt": "co",
    "danger_co_symptoms.txt": "co_symptoms",
    "danger_fire.txt": "fire",
}
DANGER = [(flag, phrase) for name, flag in DANGER_FILES.items() for phrase in phrases(name)]
HARMLESS = phrases("harmless.txt")
UNWELL_ONLY = phrases("unwell_only.txt")


def test_corpus_is_large_enough() -> None:
    assert len(DANGER) >= 70
    assert len(HARMLESS) >= 70
    assert len({p for _, p in DANGER}) == len(DANGER), "a danger phrase is listed twice"
    assert not {p for _, p in DANGER} & set(HARMLESS)


@pytest.mark.parametrize(("flag", "phrase"), DANGER, ids=[p for _, p in DANGER])
def test_danger_phrase_is_detected(flag: str, phrase: str) -> None:
    danger = detect(phrase)
    assert getattr(danger, flag), danger
    assert danger.any


@pytest.mark.parametrize("phrase", HARMLESS, ids=HARMLESS)
def test_harmless_phrase_is_not_danger(phrase: str) -> None:
    danger = detect(phrase)
    assert not danger.any, danger


@pytest.mark.parametrize("phrase", UNWELL_ONLY, ids=UNWELL_ONLY)
def test_someone_unwell_without_context_is_not_a_gas_danger(phrase: str) -> None:
    danger = detect(phrase)
    assert danger.unwell
    assert not danger.any


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("没有燃气味", False),  # explicit negation
        ("I don't smell gas", False),
        ("没有燃气味了", True),  # "no longer": there was a smell, the card is still right
        ("no smell now, the valve is closed", True),
        ("not sure but I think I smell gas", True),  # a hedge is not a negation
        ("不知道是不是燃气味", True),
        ("报警器不停地响", True),  # "不停" means "without stopping"
        ("报警器不响了是坏了吗", False),
    ],
)
def test_negation_decisions(text: str, expected: bool) -> None:
    assert detect(text).gas is expected


def test_co_symptoms_imply_unwell_and_poisoning_sets_co() -> None:
    danger = detect("我爸煤气中毒了叫不醒")
    assert danger.co and danger.co_symptoms and danger.unwell
    prevention = detect("怎么预防一氧化碳中毒")  # a question: CO advice, but nobody is ill
    assert prevention.co and not prevention.co_symptoms


def test_mixed_dangers_set_every_flag() -> None:
    danger = detect("厨房着火了，燃气味很大，我妈晕倒了")
    assert (danger.gas, danger.fire, danger.co_symptoms, danger.unwell) == (True, True, True, True)


def test_danger_is_frozen_and_names_its_rules() -> None:
    danger = detect("I smell gas")
    assert danger == Danger(gas=True, rules=danger.rules)
    assert danger.rules and all(re.fullmatch(r"[a-z_]+", rule) for rule in danger.rules)
    with pytest.raises(dataclasses.FrozenInstanceError):
        danger.gas = False  # type: ignore[misc]
    assert detect("") == Danger()


def test_normalize_folds_width_case_traditional_and_invisible_characters() -> None:
    assert normalize("ＧＡＳ  Ｌｅａｋ") == "gas leak"
    assert normalize("燃氣洩漏 報警器響") == "燃气泄漏 报警器响"
    assert normalize("燃\u200b气") == "燃气"
    assert normalize("don\u2019t") == "don't"


# --- robustness: any text, never an exception, always fast ------------------------------------------
TOKENS = [*"燃气煤漏味报警器响没不有闻到头晕着火阀门管", "gas ", "smell ", "not ", "leak ", "co ", "alarm ", "  ", "，"]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=500))
def test_detect_never_raises_on_any_text(text: str) -> None:
    assert isinstance(detect(text), Danger)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=1500).map("".join))
def test_detect_is_fast_on_adversarial_text(text: str) -> None:
    start = time.perf_counter()
    detect(text)
    assert time.perf_counter() - start < 0.25


@pytest.mark.parametrize(
    "text",
    ["漏" * 4000, "gas " * 1000, "smell not " * 400, "报警器" * 1300, "头晕" * 2000, "a" * 4000, "管" * 4000],
    ids=lambda text: text[:8],
)
def test_detect_is_fast_on_long_repetitive_text(text: str) -> None:
    start = time.perf_counter()
    detect(text)
    assert time.perf_counter() - start < 0.25


# --- the safety cards ---------------------------------------------------------------------------------
CARDS = {"card": "card_heading", "co_card": "co_heading", "fire_card": "fire_heading"}


def test_safety_catalogs_have_the_same_keys() -> None:
    keys = {lang: {k for k in catalog(lang) if k.startswith("safety.")} for lang in Lang}
    assert keys[Lang.ZH] == keys[Lang.EN] == {f"safety.{k}" for k in (*CARDS, *CARDS.values())}


@pytest.mark.parametrize("lang", list(Lang))
@pytest.mark.parametrize("card", list(CARDS))
def test_cards_are_short_plain_text_with_the_hotline(lang: Lang, card: str) -> None:
    text = t(lang, f"safety.{card}", hotline="96777")
    heading = t(lang, f"safety.{CARDS[card]}")
    lines = text.splitlines()
    assert heading in lines[0]
    assert "96777" in lines[-1]
    assert not re.search(r"[*_`#\[\]<>]", text), "plain text, no Markdown"
    assert max(len(line) for line in lines) <= (30 if lang is Lang.ZH else 70)
    assert {name for _, name, _, _ in string.Formatter().parse(catalog(lang)[f"safety.{card}"]) if name} == {"hotline"}


def test_gas_card_gives_the_first_advice_first() -> None:
    zh, en = t(Lang.ZH, "safety.card", hotline="x"), t(Lang.EN, "safety.card", hotline="x")
    assert "室外" in zh.splitlines()[1] and "outside" in en.splitlines()[1]
    for words in (
        ("门铃", "抽油烟机", "吸烟", "地下室", "敲门"),
        ("doorbell", "range hood", "smoking", "basement", "Knock"),
    ):
        assert all(word in zh + en for word in words)
    assert "120" in t(Lang.ZH, "safety.co_card", hotline="x") and "CPR" in t(Lang.EN, "safety.co_card", hotline="x")
    assert "119" in t(Lang.ZH, "safety.fire_card", hotline="x") and "119" in t(Lang.EN, "safety.fire_card", hotline="x")
