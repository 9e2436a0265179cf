"""The drill scenarios are data: each is a report form with valid scripted answers, a source and a review
date; a broken scenario names itself and what is wrong."""

from __future__ import annotations

import pytest

from bot.drills.scenarios import ScenarioError, parse, scenarios


def test_the_shipped_scenarios_and_their_severities() -> None:
    found = {s.id: (s.category, s.severity.value) for s in scenarios().values()}
    assert found == {
        "leak-indoor": ("leak", "P1"),
        "co": ("co", "P1"),
        "excavation": ("excavation", "P1"),
        "fire": ("fire", "P1"),
    }
    for scenario in scenarios().values():
        assert scenario.describe("zh") != scenario.describe("en")


GOOD = 'id = "x"\ncategory = "leak"\nsource = "GB 50028"\nreviewed = 2026-12-06\nzh = "z"\nen = "e"\n'


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (GOOD.replace('"leak"', '"flood"'), "scenario x: category 'flood' is not a report form"),
        (GOOD + 'answers = { symptoms = "mild" }\n', "scenario x: 'symptoms' is not a question of the leak form"),
        (GOOD + 'answers = { valve = "half" }\n', "scenario x: valve = 'half' is not one of closed, open, unsure"),
        (GOOD.replace('source = "GB 50028"\n', ""), "scenario x: needs source"),
        (GOOD + "\n[[scenario]]\n" + GOOD, "scenario x: defined twice"),
    ],
)
def test_a_broken_scenario_is_named(body: str, message: str) -> None:
    with pytest.raises(ScenarioError, match=message.replace("(", r"\(")):
        parse("[[scenario]]\n" + body)
