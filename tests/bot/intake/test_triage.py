"""Triage by the rules of DESIGN.md, table-tested; routing follows severity."""

from __future__ import annotations

from typing import Any

import pytest

from bot.danger.detect import detect
from bot.intake.forms import CATEGORIES, HEATING_SEASON, Severity
from bot.intake.triage import danger_category, provisional, routing, triage

P1, P2, P3, P4 = Severity.P1, Severity.P2, Severity.P3, Severity.P4
CALM_LEAK = {"where": "home", "strength": "faint", "valve": "closed", "unwell": "no"}

CASES: list[tuple[str, dict[str, Any], bool, Severity]] = [
    # P1: strong smell or hissing, valve not closed or unknown, anyone unwell, fire, excavation, cellar or public
    ("leak", {**CALM_LEAK, "strength": "strong"}, False, P1),
    ("leak", {**CALM_LEAK, "strength": "hissing"}, False, P1),
    ("leak", {**CALM_LEAK, "valve": "open"}, False, P1),
    ("leak", {**CALM_LEAK, "valve": "unsure"}, False, P1),
    ("leak", {k: v for k, v in CALM_LEAK.items() if k != "valve"}, False, P1),
    ("leak", {**CALM_LEAK, "unwell": "yes"}, False, P1),
    ("leak", {**CALM_LEAK, "where": "basement"}, False, P1),
    ("leak", {**CALM_LEAK, "where": "public"}, False, P1),
    ("leak", CALM_LEAK, True, P1),
    ("fire", {}, False, P1),
    ("excavation", {"strength": "faint"}, False, P1),
    ("co", {"symptoms": "mild"}, False, P1),
    ("co", {"symptoms": "severe"}, False, P1),
    ("no_gas", {}, True, P1),
    # P2: controlled escape, faint outdoor smell, CO alarm with nobody unwell
    ("leak", CALM_LEAK, False, P2),
    ("leak", {**CALM_LEAK, "where": "outdoors", "valve": "unsure"}, False, P2),
    ("co", {"symptoms": "none"}, False, P2),
    # P3 service
    ("no_gas", {}, False, P3),
    ("meter", {}, False, P3),
    ("appliance", {}, False, P3),
    ("inspection", {}, False, P3),
    # P4 follow-up
    ("complaint", {}, False, P4),
    ("question", {}, False, P4),
    ("illegal", {}, False, P4),
    ("theft", {}, False, P4),
    ("occupation", {}, False, P4),
]

WINTER = {HEATING_SEASON: True}
# Issue 14's rules, each with its source in bot/intake/triage.py; (category, answers, expected)
RULES: list[tuple[str, str, dict[str, Any], Severity]] = [
    # excavation or third-party damage: P1 whatever the strength or place answers
    ("excavation", "faint outdoors", {"strength": "faint", "where": "outdoors"}, P1),
    ("excavation", "nothing answered", {}, P1),
    # a CO alarm with a vulnerable person present, or anyone unwell
    ("co", "alarm, elderly present", {"symptoms": "none", "vulnerable": "elderly"}, P1),
    ("co", "alarm, small children", {"symptoms": "none", "vulnerable": "children"}, P1),
    ("co", "alarm, someone dizzy", {"symptoms": "mild", "vulnerable": "none"}, P1),
    ("co", "alarm only, nobody vulnerable", {"symptoms": "none", "vulnerable": "none"}, P2),
    # no gas in the heating season with elderly or ill people relying on gas heating
    ("no_gas", "winter, vulnerable on gas heating", {**WINTER, "heating": "vulnerable"}, P2),
    ("no_gas", "winter, nobody vulnerable", {**WINTER, "heating": "others"}, P3),
    ("no_gas", "summer (question not asked)", {"heating": "vulnerable"}, P3),
    # the meter turning with every appliance off = a leak
    ("meter", "turning, appliances off", {"meter_turning": "yes"}, P2),
    ("meter", "not turning", {"meter_turning": "no"}, P3),
    # building over a pipe or illegal works happening now
    ("occupation", "building over a pipe now", {"happening_now": "yes"}, P2),
    ("illegal", "works on a gas line now", {"happening_now": "yes"}, P2),
    ("occupation", "not now", {"happening_now": "no"}, P4),
    ("illegal", "not now", {"happening_now": "no"}, P4),
    # fire: always P1, a short form without smell questions
    ("fire", "nobody inside", {"fire_where": "home", "inside": "no", "injured": "no"}, P1),
    # several flats or the whole stairwell smelling gas
    ("leak", "stairwell, faint, valve closed", {**CALM_LEAK, "where": "stairwell"}, P1),
]


@pytest.mark.parametrize(("category", "case", "answers", "expected"), RULES, ids=[f"{c}: {n}" for c, n, *_ in RULES])
def test_issue_14_rules(category: str, case: str, answers: dict[str, Any], expected: Severity) -> None:
    assert triage(category, answers) is expected, case


def test_fire_form_asks_no_smell_questions() -> None:
    fields = CATEGORIES["fire"].fields
    assert {"fire_where", "inside", "injured"} <= set(fields)
    assert not {"strength", "valve", "where", "unwell"} & set(fields)


# danger recognised in a report of another category: the form it becomes (bot.intake.triage.danger_category)
DANGER_FORMS = [
    ("the meter is smashed and there is a strong smell of gas", "leak"),
    ("the CO alarm is beeping and my head hurts", "co"),
    ("there is a fire in the kitchen", "fire"),
    ("a digger hit the gas pipe outside, gas is hissing out", "excavation"),
    ("挖掘机把燃气管道挖断了", "excavation"),
]


@pytest.mark.parametrize(("text", "form"), DANGER_FORMS)
def test_danger_in_an_answer_chooses_the_emergency_form(text: str, form: str) -> None:
    danger = detect(text)
    assert danger.any, text
    assert danger_category(danger, text) == form


@pytest.mark.parametrize(("category", "answers", "fire", "expected"), CASES)
def test_triage_table(category: str, answers: dict[str, Any], fire: bool, expected: Severity) -> None:
    assert triage(category, answers, fire=fire) is expected


def test_every_category_is_triaged() -> None:
    assert {c for c, *_ in CASES} == set(CATEGORIES)


@pytest.mark.parametrize(
    ("severity", "route"), [(P1, "dispatched"), (P2, "dispatched"), (P3, "queued"), (P4, "followup")]
)
def test_routing(severity: Severity, route: str) -> None:
    assert routing(severity) == route


def test_unfinished_reports_assume_the_worst() -> None:
    assert provisional("leak", {}) is P1
    assert provisional("co", {}) is P1
    assert provisional("co", {"symptoms": "none"}) is P2
    assert provisional("leak", {**CALM_LEAK}) is P2
    assert provisional("fire", {}) is P1
    assert provisional("meter", {}) is P3, "a service report is not made urgent by what it did not answer"
