"""Severity of a report, by the rules in DESIGN.md (UK controlled/uncontrolled escapes, US grade 1).

P1 immediate: strong smell or hissing, valve not closed or unknown, anyone unwell, fire, a pipe hit by
excavation, smell in a cellar or public building. P2 urgent: controlled escape (valve closed, faint
smell), faint outdoor smell, CO alarm with nobody unwell. P3 service. P4 follow-up.

Each rule below names its source. ``provisional`` is the severity of a report that is still being
answered: an unanswered question counts as its worst plausible answer, so a resident who stops
answering is never under-triaged.
"""

from __future__ import annotations

import re
from datetime import datetime

from bot.danger.detect import Danger
from bot.intake.forms import CATEGORIES, HEATING_SEASON, Answers, Severity

RANK = {s.value: n for n, s in enumerate(Severity)}  # P1 -> 0: lower is more urgent

# What an unanswered question counts as while a report is unfinished: the worst plausible answer.
_WORST: dict[str, dict[str, str]] = {
    "leak": {"valve": "unsure"},
    "co": {"symptoms": "mild"},
    "fire": {"inside": "unsure"},
}


def _leak(answers: Answers) -> Severity:
    # Several flats or the whole stairwell: the gas is in the building, not one kitchen; evacuate and
    # knock on doors (Beijing Gas 96777 advice; UK networks treat a building-wide escape as uncontrolled).
    if answers.get("where") == "stairwell":
        return Severity.P1
    # Strong smell or hissing = uncontrolled escape (UK GSMR "uncontrolled"; US GPTC Grade 1).
    if answers.get("strength") in ("strong", "hissing"):
        return Severity.P1
    # Valve not closed or unknown indoors: the escape is not controlled (UK controlled/uncontrolled).
    if answers.get("valve") in ("open", "unsure", None) and answers.get("where") != "outdoors":
        return Severity.P1
    # Anyone unwell: possible poisoning (Beijing 12320 on CO; DESIGN.md P1 list).
    if answers.get("unwell") == "yes":
        return Severity.P1
    # A cellar or a public building: gas gathers / many people (GB 50028; DESIGN.md P1 list).
    if answers.get("where") in ("basement", "public"):
        return Severity.P1
    return Severity.P2


def _co(answers: Answers) -> Severity:
    # Anyone unwell with a CO alarm = suspected poisoning, 120 and the crew at once (Beijing 12320).
    if answers.get("symptoms") in ("mild", "severe"):
        return Severity.P1
    # A CO alarm with a vulnerable person present (elderly, small children, limited mobility): they are
    # affected first and may not get out alone (UK HSE CO guidance; NHS on CO risk groups).
    if answers.get("vulnerable") not in (None, "none"):
        return Severity.P1
    return Severity.P2


def triage(category: str, answers: Answers, *, fire: bool = False) -> Severity:
    """The severity of a report from its answers (unanswered questions count as not given)."""
    if fire or category == "fire":  # fire or explosion: always immediate (GB 50028; DESIGN.md P1 list)
        return Severity.P1
    spec = CATEGORIES[category]
    if category == "leak":
        return _leak(answers)
    if category == "co":
        return _co(answers)
    if category == "excavation":
        # A pipe hit by works: P1 whatever the smell or the place (US PHMSA third-party damage is the
        # leading cause of serious incidents; DESIGN.md P1 list), so no answer can lower it.
        return Severity.P1
    if category == "no_gas" and answers.get("heating") == "vulnerable" and answers.get(HEATING_SEASON):
        # No gas in the heating season with elderly or ill people relying on gas heating: urgent
        # (UK Ofgem priority services register: restore supply to vulnerable customers first).
        return Severity.P2
    if category == "meter" and answers.get("meter_turning") == "yes":
        # The meter turning with every appliance off: gas is escaping somewhere = a leak (the standard
        # "meter test" of UK networks and Chinese utilities' safe-use leaflets).
        return Severity.P2
    if category in ("occupation", "illegal") and answers.get("happening_now") == "yes":
        # Building over a pipe or works on a gas line going on now: damage may happen any minute
        # (China's Urban Gas Management Regulations, art. 33-35; otherwise a P4 for inspection).
        return Severity.P2
    return spec.base


def provisional(category: str, answers: Answers, *, fire: bool = False) -> Severity:
    """The severity of an unfinished report, assuming the worst for what was not answered yet."""
    return triage(category, {**_WORST.get(category, {}), **answers}, fire=fire)


def urgent(severity: Severity | str) -> bool:
    return RANK[str(severity)] <= RANK[Severity.P2.value]


def heating_season(months: list[int], now: datetime) -> bool:
    return now.month in months


# Works that hit a pipe: a digger, drilling, construction (the recogniser's "damage" rules found the pipe).
_WORKS = re.compile(
    r"挖|施工|钻|打桩|工地|铲车|勾机|钩机|工人|\bdig\w*|\bdug\b|excavat\w*|digger|backhoe|drill\w*|construction"
    r"|builders?|workmen|roadworks|road works",
    re.IGNORECASE,
)


def danger_category(danger: Danger, text: str) -> str:
    """The emergency form for what was recognised: fire, CO, a pipe hit by works, else a gas leak."""
    if danger.fire:
        return "fire"
    if (danger.co or danger.co_symptoms) and not danger.gas:
        return "co"
    if danger.gas and any("damage" in rule for rule in danger.rules) and _WORKS.search(text):
        return "excavation"
    return "leak"


def routing(severity: Severity) -> str:
    """Where a new ticket goes: the crew on duty at once, the service queue, or the dispatcher's follow-up list."""
    return {
        Severity.P1: "dispatched",
        Severity.P2: "dispatched",
        Severity.P3: "queued",
        Severity.P4: "followup",
    }[severity]
