"""Triage by the rules of DESIGN.md, table-tested; routing follows severity."""

from __future__ import annotations

from typing import Any

import pytest

from bot.abandoned import unfinished_severity
from bot.forms import CATEGORIES, Severity
from bot.triage import routing, triage

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
    assert unfinished_severity("leak", {}) is P1
    assert unfinished_severity("co", {}) is P1
    assert unfinished_severity("co", {"symptoms": "none"}) is P2
    assert unfinished_severity("leak", {**CALM_LEAK}) is P2
