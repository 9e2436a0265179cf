"""Danger recognition: the words of escape, damage, collapse and breath in the ways residents write them, their
look-alikes, and that the speed-ups of the patterns leave every decision as it was."""

from __future__ import annotations

import importlib

import pytest

from bot.danger import phrasings, rules, vocab
from bot.danger.detect import Outcome, detect
from bot.danger.normalize import views
from bot.danger.vocab import _alternatives
from tests.kit.corpus import load

NOW, MEDICAL, MAYBE, NONE = Outcome.NOW, Outcome.MEDICAL, Outcome.MAYBE, Outcome.NONE


@pytest.mark.parametrize(
    "text",
    [
        # the gas named with the verbs of its escape, or gas moving through a part
        "液化气罐的阀门那里在渗气",
        "天然气从表后面的接头往外冒",
        "我们楼道的管道气好像在跑",
        "表那里一直在走气",
        # parts and the ways they break, with no smell word
        "装修工人把墙里的燃气管钉穿了",
        "燃气表跟管子中间的螺母掉了",
        "快递车把单元门口的立管撞弯了",
        "燃气表指针在动，家里人都出门了",
        "奶奶把煤气打开了忘了点火",
        "the flex connector behind the cooker has split open",
        "propane is venting from the tank",
        "the boiler flue has fallen off and it is still running",
        "a storm knocked a branch down and it took out the gas meter",
    ],
)
def test_escape_damage_and_flow_in_other_words_are_now(text: str) -> None:
    assert detect(text).outcome is NOW


@pytest.mark.parametrize(
    "text",
    [
        "阿公叫伊攏無應",  # Minnan
        "佢唔抖氣，點算",  # Cantonese: he is not breathing
        "爷爷没得气了",  # Sichuanese
        "奶奶嘴唇发紫了，不动了",
        "从门缝看到他躺在卧室地上",
        "宝宝突然抽起来了 眼睛往上翻",
        "他抽完了现在还不醒",
        "三个工人都头晕想吐",
        "我和同事同时头痛想呕",
        "5 workers in the basement dizzy and puking",
        "man on the street shaking, foam from his mouth",
    ],
)
def test_collapse_no_breath_and_several_ill_are_the_medical_card(text: str) -> None:
    assert detect(text).outcome is MEDICAL


@pytest.mark.parametrize(
    "text",
    [
        "笑到我抽筋",
        "闷得人喘不过气",
        "看到账单我直接昏倒",
        "路由器叫不醒了",
        "她倒了杯水",
        "话剧里我演一个昏迷的病人",
        "燃气公司的人跑了两趟",
        "天然气灶改液化气要换喷嘴吗",
        "我弟放屁好臭",
        "爆炒的时候锅里窜火苗，这就是锅气",
        "这次考试直接爆炸了",
        "刚以为漏气了，结果是邻居在煮螺蛳粉，虚惊一场",
        "I'm dead lol, the wifi is not breathing again",
    ],
)
def test_figures_machines_and_false_alarms_get_no_full_card(text: str) -> None:
    assert detect(text).outcome not in (NOW, MEDICAL)


def test_by_accident_is_no_denial() -> None:
    assert detect("燃气管被我不小心踩断了").outcome is NOW


def test_top_level_alternatives_skip_groups_classes_and_escapes() -> None:
    assert _alternatives(r"\ba|(b|c)|[|]x|[]|]y|\|z|\bd") == [r"\ba", "(b|c)", "[|]x", "[]|]y", r"\|z", r"\bd"]


def test_gathering_word_boundaries_changes_no_match(monkeypatch: pytest.MonkeyPatch) -> None:
    gathered = [(rule.name, rule.view, rule.pattern) for rule in rules.RULES]
    monkeypatch.setattr(vocab, "_word_start_first", lambda pattern: pattern)
    try:
        importlib.reload(phrasings)
        written = [rule.pattern for rule in importlib.reload(rules).RULES]
    finally:
        monkeypatch.undo()
        importlib.reload(phrasings)
        importlib.reload(rules)
    assert any(a.pattern != b.pattern for (_, _, a), b in zip(gathered, written, strict=True))
    texts = [views(case.text) for case in load("tune")[::25]]
    for (name, view, pattern), before in zip(gathered, written, strict=True):
        for v in texts:
            text = v.zh if view == "zh" else v.en
            found, expected = pattern.search(text), before.search(text)
            assert (found and found.start()) == (expected and expected.start()), (name, text)


@pytest.mark.parametrize(
    "text",
    [
        "刚才楼上轰的一声，原来是他们在搬家具",
        "I thought I smelled gas but it was just the bins outside",
        "The CO alarm beeped once when I pressed the test button",
        "业主群里炸了锅，大家都在吐槽燃气涨价",
        "灶上火苗窜老高，炖着大鹅呢，贼香",
        "年终奖发下来，他笑得全身抽搐",
        "my daughter is shaking all over with excitement, she passed her exam",
        "邻居家在蒸馒头，窗户往外冒白气",
    ],
)
def test_a_harmless_cause_stated_or_a_figure_gets_no_full_card(text: str) -> None:
    assert detect(text).outcome not in (NOW, MEDICAL)


@pytest.mark.parametrize(
    "text",
    [
        "闻到一股怪味，原来是燃气管漏了",  # the cause found is itself the danger
        "走廊里真的有烟，报警器一直叫，不是演习",
        "朋友圈说我们隔壁那栋楼刚刚燃气爆炸了，我在窗户这都能看到火",
    ],
)
def test_a_dangerous_cause_a_real_alarm_and_a_blast_next_door_are_now(text: str) -> None:
    assert detect(text).outcome is NOW
