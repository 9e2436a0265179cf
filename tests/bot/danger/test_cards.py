"""The safety card: one composed card per situation, correct and consistent in every combination."""

from __future__ import annotations

import itertools
import string
import tomllib
from datetime import date
from importlib import resources

import pytest

from bot.danger.cards import Situation, compose, gas_card, line_ids, maybe_text
from bot.i18n import Lang

SITUATIONS = [Situation(*flags) for flags in itertools.product([False, True], repeat=5)]
DATA = tomllib.loads((resources.files("bot") / "data" / "safety_cards.toml").read_text("utf-8"))


def _ids(s: Situation) -> list[str]:
    return line_ids(s)[1]


@pytest.mark.parametrize("s", SITUATIONS, ids=lambda s: s.code() or "none")
def test_every_combination_is_one_consistent_card(s: Situation) -> None:
    ids = _ids(s)
    assert len(ids) == len(set(ids)), "a line twice"
    assert ids[-1] in ("hotline", "hotline_outside"), "the hotline number last"
    if s.fire:  # fire: doors closed, windows shut; never the gas card's "open the windows"
        assert "leave_fire" in ids and "call_119" in ids
        assert not {"windows_gas", "leave_co", "rescue", "air_first"} & set(ids)
    if s.gas:  # gas: no switch pressed, so the appliance is left as it is, and 120 is phoned from outside
        assert "no_switch" in ids and "appliance_co" not in ids and "call_120_co" not in ids
    if s.medical:  # CPR only for unresponsive and not breathing, the recovery position when breathing
        assert {"aid_cpr", "aid_breathing"} <= set(ids)
    if s.medical or s.ill:
        assert {"call_119", "call_120", "call_120_co", "call_120_co_outside"} & set(ids)
    if s.gas and not s.fire:
        assert ids[-1] == "hotline_outside"


@pytest.mark.parametrize("lang", list(Lang))
@pytest.mark.parametrize("s", SITUATIONS, ids=lambda s: s.code() or "none")
def test_the_card_fits_one_phone_screen_in_both_languages(s: Situation, lang: Lang) -> None:
    card = compose(s, lang, "96777")
    lines = card.splitlines()
    assert "96777" in lines[-1]
    assert len(lines) <= 11, "heading, at most nine instructions, the hotline"
    assert len(card) <= (330 if lang is Lang.ZH else 1000)
    assert "{" not in card and "*" not in card and "<" not in card, "plain text, placeholders filled"


def test_every_line_has_both_languages_a_source_and_a_review_date() -> None:
    for name, line in DATA["line"].items():
        assert line["zh"] and line["en"], name
        assert line["source"].strip(), f"{name}: no source"
        assert date.fromisoformat(line["reviewed"]) <= date(2027, 12, 31), name
        for lang in ("zh", "en"):
            names = {n for _, n, _, _ in string.Formatter().parse(line[lang]) if n}
            assert names <= {"hotline"}, name
    used = {i for s in SITUATIONS for i in _ids(s)} | {"maybe"}
    assert used == set(DATA["line"]), "every line is used, and only lines that exist"


def test_the_words_that_matter_are_there() -> None:
    zh, en = gas_card("zh"), gas_card("en")
    assert "室外" in zh.splitlines()[1] and "outside" in en.splitlines()[1]
    for word in ("门铃", "抽油烟机", "吸烟", "地下室", "敲门", "电梯", "钢瓶", "119"):
        assert word in zh, word
    for word in ("doorbell", "range hood", "smoking", "basement", "knock", "lift", "cylinder", "119"):
        assert word in en.lower(), word
    co = compose(Situation(co=True, ill=True, medical=True), Lang.ZH, "x")
    assert "疑似一氧化碳中毒" in co and "心肺复苏" in co and "侧躺" in co
    fire = compose(Situation(fire=True), Lang.EN, "x")
    assert "Close doors" in fire and "wet cloth" in fire and "glass" in fire and "water" in fire


def test_situation_codes_round_trip_and_the_short_card_names_the_hotline() -> None:
    for s in SITUATIONS:
        assert Situation.decode(s.code()) == s
    for lang in Lang:
        assert "96777" in maybe_text(lang, "96777")
